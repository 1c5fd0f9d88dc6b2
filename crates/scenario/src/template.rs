//! `{{name}}` interpolation: finding the variables a string uses, and filling them in.

use std::collections::BTreeMap;

use super::model::{Check, FhirPathExpect, HeaderRule};

/// Variables available to every scenario without being declared.
pub(crate) const BUILTINS: &[&str] = &["base_url", "now", "today"];

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `{{variable}}`.
    Var(&'a str),
}

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// An opening `{{` never closed.
    #[error("`{{{{` without a closing `}}}}` in `{0}`")]
    Unclosed(String),
    /// A name that is not a variable name.
    #[error("`{{{{{0}}}}}` is not a variable name (letters, digits, `_`, `-`, `.`)")]
    BadName(String),
    /// A variable with no value.
    #[error("variable `{0}` is not defined")]
    Undefined(String),
}

/// The literal text and the variables of a template, in order.
pub fn pieces(text: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(text.to_owned()))?;
        let name = after[..end].trim();
        if !is_variable_name(name) {
            return Err(TemplateError::BadName(name.to_owned()));
        }
        out.push(Piece::Var(name));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

pub(crate) fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The variable names `text` refers to, in order.
pub fn variables(text: &str) -> Result<Vec<&str>, TemplateError> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v),
            Piece::Text(_) => None,
        })
        .collect())
}

/// Replaces every `{{name}}` by its value.
pub fn render(text: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => out.push_str(
                vars.get(name)
                    .ok_or_else(|| TemplateError::Undefined(name.to_owned()))?,
            ),
        }
    }
    Ok(out)
}

/// Renders every string inside a JSON value (keys are left as written).
pub fn render_json(
    value: &serde_json::Value,
    vars: &BTreeMap<String, String>,
) -> Result<serde_json::Value, TemplateError> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(render(s, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// Every string inside a JSON value, for validation.
pub(crate) fn json_strings(value: &serde_json::Value) -> Vec<&str> {
    use serde_json::Value;
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(json_strings).collect(),
        Value::Object(map) => map.values().flat_map(json_strings).collect(),
        _ => Vec::new(),
    }
}

/// Every template string inside an assertion.
pub(crate) fn check_templates(check: &Check) -> Vec<&str> {
    match check {
        Check::Header(h) => match &h.rule {
            HeaderRule::Equals(v) | HeaderRule::Contains(v) | HeaderRule::Matches(v) => vec![v],
            HeaderRule::Present(_) => Vec::new(),
        },
        Check::ContentType(c) => vec![c],
        Check::FhirPath(f) => {
            let mut out = vec![f.expr.as_str()];
            if let FhirPathExpect::Equals(v) = &f.expect {
                out.extend(json_strings(v));
            }
            out
        }
        Check::Status(_)
        | Check::Bundle(_)
        | Check::OperationOutcome(_)
        | Check::Connection(_)
        | Check::Conformance(_)
        | Check::Pages(_)
        | Check::Exported(_) => Vec::new(),
    }
}

/// The assertion with its `{{variables}}` filled in.
pub fn render_check(
    check: &Check,
    vars: &BTreeMap<String, String>,
) -> Result<Check, TemplateError> {
    let mut out = check.clone();
    match &mut out {
        Check::Header(h) => match &mut h.rule {
            HeaderRule::Equals(v) | HeaderRule::Contains(v) | HeaderRule::Matches(v) => {
                *v = render(v, vars)?;
            }
            HeaderRule::Present(_) => {}
        },
        Check::ContentType(c) => *c = render(c, vars)?,
        Check::FhirPath(f) => {
            f.expr = render(&f.expr, vars)?;
            if let FhirPathExpect::Equals(v) = &mut f.expect {
                *v = render_json(v, vars)?;
            }
        }
        Check::Status(_)
        | Check::Bundle(_)
        | Check::OperationOutcome(_)
        | Check::Connection(_)
        | Check::Conformance(_)
        | Check::Pages(_)
        | Check::Exported(_) => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("id".to_owned(), "06/123".to_owned()),
            ("base_url".to_owned(), "http://h/fhir".to_owned()),
        ])
    }

    #[test]
    fn renders_variables_with_and_without_spaces() {
        assert_eq!(
            render(
                "{{base_url}}/HealthcareService?identifier={{ id }}",
                &vars()
            ),
            Ok("http://h/fhir/HealthcareService?identifier=06/123".to_owned())
        );
        assert_eq!(render("no variable", &vars()), Ok("no variable".to_owned()));
    }

    #[test]
    fn undefined_unclosed_and_bad_names_are_errors() {
        assert_eq!(
            render("{{missing}}", &vars()),
            Err(TemplateError::Undefined("missing".into()))
        );
        assert!(matches!(
            render("{{id", &vars()),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            variables("{{a b}}"),
            Err(TemplateError::BadName(_))
        ));
        assert!(matches!(variables("{{}}"), Err(TemplateError::BadName(_))));
    }

    #[test]
    fn lists_variables_in_order() {
        assert_eq!(variables("{{a}}-{{b}}{{a}}"), Ok(vec!["a", "b", "a"]));
    }

    #[test]
    fn renders_inside_json() {
        let v = serde_json::json!({"id": "{{id}}", "n": [1, "{{id}}"]});
        let out = render_json(&v, &vars()).expect("renders");
        assert_eq!(out, serde_json::json!({"id": "06/123", "n": [1, "06/123"]}));
    }
}
