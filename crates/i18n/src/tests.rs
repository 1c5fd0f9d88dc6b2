use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// Message id → the arguments it uses.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(source(lang)) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{}.ftl does not parse: {errors:?}", lang.code()),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                let id = m.id.name.to_owned();
                assert!(
                    out.insert(id.clone(), vars).is_none(),
                    "{}.ftl: `{id}` defined twice",
                    lang.code()
                );
            }
            Entry::Junk { content } => panic!("{}.ftl: unreadable: {content}", lang.code()),
            _ => {}
        }
    }
    out
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
        }
        _ => {}
    }
}

#[test]
fn both_languages_hold_the_same_messages_with_the_same_arguments() {
    let fr = messages(Lang::Fr);
    let en = messages(Lang::En);
    let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
    assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
    for (id, vars) in &fr {
        assert_eq!(
            Some(vars),
            en.get(id),
            "`{id}` takes other arguments in en.ftl"
        );
    }
    assert!(fr.len() > 100, "{} messages", fr.len());
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs" || x == "html") {
            out.push(p);
        }
    }
}

/// Every message id written in the sources: `t!(lang, "id"…)` (or the CLI's `say!("id"…)`)
/// in Rust, `t("id")` (and `ta`, `tn`…) in
/// the report templates.
fn used_ids() -> BTreeMap<String, PathBuf> {
    let rust = regex::Regex::new(
        r#"(?:^|[^A-Za-z0-9_!])(?:t!\(\s*[A-Za-z_][A-Za-z0-9_:.]*(?:\(\))?\s*,|say!\()\s*"([a-z][a-z0-9-]*)""#,
    )
    .expect("regex");
    let template = regex::Regex::new(r#"\bt[a-z_]*\("([a-z][a-z0-9-]*)""#).expect("regex");
    let root = workspace();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for c in crates.flatten() {
            // This crate names ids in its own docs and tests.
            if c.file_name() == "i18n" {
                continue;
            }
            sources(&c.path().join("src"), &mut files);
            sources(&c.path().join("templates"), &mut files);
        }
    }
    let mut used = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let re = if f.extension().is_some_and(|x| x == "html") {
            &template
        } else {
            &rust
        };
        {
            for c in re.captures_iter(&text) {
                used.entry(c[1].to_owned()).or_insert_with(|| f.clone());
            }
        }
    }
    used
}

#[test]
fn every_id_the_sources_use_exists_and_every_message_is_used() {
    let catalogue = messages(Lang::Fr);
    let used = used_ids();
    let missing: Vec<_> = used
        .iter()
        .filter(|(id, _)| !catalogue.contains_key(*id))
        .map(|(id, f)| format!("{id} ({})", f.display()))
        .collect();
    assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
    let unused: Vec<_> = catalogue
        .keys()
        .filter(|id| !used.contains_key(*id))
        .collect();
    assert!(unused.is_empty(), "never used: {unused:?}");
}

#[test]
fn arguments_are_placed_and_plurals_follow_each_language() {
    assert_eq!(t!(Lang::Fr, "count-scenarios", count = 1), "1 scénario");
    assert_eq!(t!(Lang::Fr, "count-scenarios", count = 0), "0 scénario");
    assert_eq!(t!(Lang::En, "count-scenarios", count = 1), "1 scenario");
    assert_eq!(t!(Lang::En, "count-scenarios", count = 0), "0 scenarios");
    // Numbers are written as they are, without grouping (ids, counts, sizes).
    assert_eq!(
        t!(Lang::Fr, "count-scenarios", count = 12501usize),
        "12501 scénarios"
    );
    // No invisible isolation marks around arguments.
    assert!(!t!(Lang::En, "count-scenarios", count = 7).contains('\u{2068}'));
    assert_eq!(text(Lang::En, "no-such-message", None), "no-such-message");
}

#[test]
fn the_locale_picks_the_language_and_anything_else_is_french() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(Lang::from_locale_vars(env(&[])), Lang::Fr);
    assert_eq!(
        Lang::from_locale_vars(env(&[("LANG", "en_US.UTF-8")])),
        Lang::En
    );
    assert_eq!(
        Lang::from_locale_vars(env(&[("LANG", "C.UTF-8")])),
        Lang::Fr
    );
    assert_eq!(
        Lang::from_locale_vars(env(&[("LANG", "de_DE.UTF-8")])),
        Lang::Fr
    );
    // LC_ALL wins over LANG; an empty LC_ALL does not count.
    assert_eq!(
        Lang::from_locale_vars(env(&[("LC_ALL", "fr_FR.UTF-8"), ("LANG", "en_GB")])),
        Lang::Fr
    );
    assert_eq!(
        Lang::from_locale_vars(env(&[("LC_ALL", ""), ("LANG", "en_GB")])),
        Lang::En
    );
    assert_eq!(Lang::parse("EN"), Some(Lang::En));
    assert_eq!(Lang::parse("es"), None);
}
