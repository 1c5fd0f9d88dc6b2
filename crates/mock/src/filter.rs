//! `_filter` (FHIR search, draft): `(a eq x or b ge y) and c eq z`, with `and`, `or`, `not`
//! and parentheses, over the parameters the mock already supports. Each comparison is
//! translated to the matching plain search parameter, so the two can never disagree.

use super::criterion::criterion;
use super::matcher::{Matcher, SearchError};

const DATE_PARAMS: &[&str] = &[
    "_lastUpdated",
    "organization._lastUpdated",
    "organization._lastUpdated:above",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Word(String),
    Quoted(String),
}

/// Bounds on what a client may send: the parser recurses on parentheses and `not`, and each
/// `and`/`or` nests one more closure, so unbounded input could exhaust the stack and take
/// the whole server down. Real filters (flows 4 and 6) are a few terms long.
pub(crate) const MAX_LENGTH: usize = 2048;
pub(crate) const MAX_DEPTH: usize = 16;
pub(crate) const MAX_COMPARISONS: usize = 64;

fn invalid(value: &str, reason: &str) -> SearchError {
    // The value is quoted back in the OperationOutcome: a long one is cut.
    let shown: String = if value.chars().count() > 120 {
        value.chars().take(120).chain("…".chars()).collect()
    } else {
        value.to_owned()
    };
    SearchError::InvalidValue {
        param: "_filter".into(),
        value: shown,
        reason: reason.into(),
    }
}

fn tokens(text: &str) -> Result<Vec<Tok>, SearchError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => s.extend(chars.next()),
                        Some(ch) => s.push(ch),
                        None => return Err(invalid(text, "guillemet non fermé")),
                    }
                }
                out.push(Tok::Quoted(s));
            }
            _ => {
                let mut s = String::new();
                while let Some(&ch) = chars.peek() {
                    if matches!(ch, ' ' | '\t' | '(' | ')') {
                        break;
                    }
                    s.push(ch);
                    chars.next();
                }
                out.push(Tok::Word(s));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    resource_type: &'a str,
    profile: u8,
    text: &'a str,
    depth: usize,
    comparisons: usize,
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn expr(&mut self) -> Result<Matcher, SearchError> {
        let mut left = self.term()?;
        while self.peek_word("or") {
            self.pos += 1;
            let right = self.term()?;
            left = Box::new(move |st, s| left(st, s) || right(st, s));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Matcher, SearchError> {
        let mut left = self.factor()?;
        while self.peek_word("and") {
            self.pos += 1;
            let right = self.factor()?;
            left = Box::new(move |st, s| left(st, s) && right(st, s));
        }
        Ok(left)
    }

    /// One level deeper (a parenthesis, a `not`), refused past [`MAX_DEPTH`].
    fn descend(&mut self) -> Result<(), SearchError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(
                self.text,
                &format!("plus de {MAX_DEPTH} niveaux d'imbrication"),
            ));
        }
        Ok(())
    }

    fn factor(&mut self) -> Result<Matcher, SearchError> {
        if self.peek_word("not") {
            self.pos += 1;
            self.descend()?;
            let inner = self.factor()?;
            self.depth -= 1;
            return Ok(Box::new(move |st, s| !inner(st, s)));
        }
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Open) => {
                self.pos += 1;
                self.descend()?;
                let inner = self.expr()?;
                self.depth -= 1;
                if self.toks.get(self.pos) != Some(&Tok::Close) {
                    return Err(invalid(self.text, "parenthèse fermante attendue"));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::Word(param)) => {
                let op = match self.toks.get(self.pos + 1) {
                    Some(Tok::Word(op)) => op.to_ascii_lowercase(),
                    _ => return Err(invalid(self.text, "opérateur attendu après le paramètre")),
                };
                let value = match self.toks.get(self.pos + 2) {
                    Some(Tok::Word(v) | Tok::Quoted(v)) => v.clone(),
                    _ => return Err(invalid(self.text, "valeur attendue après l'opérateur")),
                };
                self.pos += 3;
                self.comparisons += 1;
                if self.comparisons > MAX_COMPARISONS {
                    return Err(invalid(
                        self.text,
                        &format!("plus de {MAX_COMPARISONS} comparaisons"),
                    ));
                }
                self.comparison(&param, &op, &value)
            }
            _ => Err(invalid(
                self.text,
                "comparaison « paramètre opérateur valeur » attendue",
            )),
        }
    }

    fn comparison(&self, param: &str, op: &str, value: &str) -> Result<Matcher, SearchError> {
        let is_date = DATE_PARAMS.contains(&param);
        match (op, is_date) {
            ("eq", _) => criterion(self.resource_type, param, value, self.profile),
            ("ne", false) => {
                let inner = criterion(self.resource_type, param, value, self.profile)?;
                Ok(Box::new(move |st, s| !inner(st, s)))
            }
            ("ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb", true) => criterion(
                self.resource_type,
                param,
                &format!("{op}{value}"),
                self.profile,
            ),
            _ => Err(invalid(
                self.text,
                &format!("opérateur « {op} » non pris en charge pour {param}"),
            )),
        }
    }
}

/// Parses a `_filter` expression into a matcher.
/// `profile` is the access profile of the client: what it may not see selects nothing.
pub fn parse(resource_type: &str, text: &str, profile: u8) -> Result<Matcher, SearchError> {
    if text.len() > MAX_LENGTH {
        return Err(invalid(
            text,
            &format!("expression de plus de {MAX_LENGTH} caractères"),
        ));
    }
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
        resource_type,
        profile,
        text,
        depth: 0,
        comparisons: 0,
    };
    let m = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(invalid(text, "expression incomplète ou mal formée"));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::dataset::{Dataset, GenerateOptions};
    use super::super::search::Search;
    use super::super::store::Store;
    use super::{MAX_COMPARISONS, MAX_DEPTH, parse};

    fn store() -> Store {
        Store::new(Dataset::generate(GenerateOptions {
            offers: 80,
            ..GenerateOptions::default()
        }))
    }

    fn ids(store: &Store, query: &[(&str, &str)]) -> BTreeSet<usize> {
        let params: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Search::parse("HealthcareService", &params)
            .expect("valid search")
            .matches(store)
            .into_iter()
            .collect()
    }

    #[test]
    fn or_is_the_union_and_and_the_intersection_of_plain_searches() {
        let st = store();
        let a = ids(&st, &[("_lastUpdated", "ge2026-03-01")]);
        let b = ids(&st, &[("organization._lastUpdated:above", "ge2026-03-01")]);
        let or = ids(
            &st,
            &[(
                "_filter",
                "(_lastUpdated ge 2026-03-01 or organization._lastUpdated:above ge 2026-03-01)",
            )],
        );
        assert_eq!(or, a.union(&b).copied().collect());
        assert!(
            or.len() > a.len().max(b.len()),
            "the OR form brings more than either side"
        );
        let and = ids(
            &st,
            &[(
                "_filter",
                "_lastUpdated ge 2026-03-01 and organization._lastUpdated:above ge 2026-03-01",
            )],
        );
        assert_eq!(and, a.intersection(&b).copied().collect());
        let not = ids(&st, &[("_filter", "not (_lastUpdated ge 2026-03-01)")]);
        assert_eq!(not.len() + a.len(), ids(&st, &[]).len());
    }

    #[test]
    fn token_comparisons_and_quoted_values() {
        let st = store();
        let sys = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle";
        let x = ids(&st, &[("specialty", &format!("{sys}|005"))]);
        let y = ids(&st, &[("specialty", &format!("{sys}|013"))]);
        let f = ids(
            &st,
            &[(
                "_filter",
                &format!("(specialty eq {sys}|005 or specialty eq \"{sys}|013\")"),
            )],
        );
        assert_eq!(f, x.union(&y).copied().collect());
        assert!(!x.is_empty() && !y.is_empty());
    }

    #[test]
    fn hostile_nesting_and_length_are_refused_not_recursed_into() {
        let term = "_lastUpdated ge 2026-01-01";
        let deep = format!("{}{term}{}", "(".repeat(100_000), ")".repeat(100_000));
        let nots = format!("{}{term}", "not ".repeat(5_000));
        let just_deep = format!("{}{term}{}", "(".repeat(700), ")".repeat(700));
        let long_or = vec![term; 1_000].join(" or ");
        let at_limit = format!("{}{term}{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        for (hostile, why) in [
            (&deep, "caractères"),
            (&nots, "caractères"),
            (&just_deep, "niveaux d'imbrication"),
            (&long_or, "caractères"),
        ] {
            let err = parse("HealthcareService", hostile, 1)
                .err()
                .expect("refused");
            assert!(err.to_string().contains(why), "{err}");
            assert!(err.to_string().len() < 400, "the value is not echoed whole");
        }
        let nested = format!(
            "{}{term}{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let err = parse("HealthcareService", &nested, 1)
            .err()
            .expect("too deep");
        assert!(err.to_string().contains("niveaux d'imbrication"), "{err}");
        let many = vec!["_id eq 1"; MAX_COMPARISONS + 1].join(" or ");
        let err = parse("HealthcareService", &many, 1)
            .err()
            .expect("too many");
        assert!(err.to_string().contains("comparaisons"), "{err}");
        assert!(parse("HealthcareService", &at_limit, 1).is_ok());
    }

    #[test]
    fn malformed_filters_are_rejected() {
        for bad in [
            "(address-postalcode eq \"22\" or \"29\")",
            "_id eq 140 or 141",
            "(_lastUpdated ge 2026-01-01",
            "specialty ge 005",
            "_lastUpdated ge notadate",
            "nope eq 1",
        ] {
            let params = vec![("_filter".to_owned(), bad.to_owned())];
            assert!(
                Search::parse("HealthcareService", &params).is_err(),
                "{bad}"
            );
        }
    }
}
