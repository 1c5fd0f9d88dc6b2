//! One search criterion to its matcher: the parameters written by hand in `matcher.rs`
//! (standard R4, chains, `_has`), then those of the IG's SearchParameters (`ig_params.rs`);
//! a name neither knows is an unknown parameter (400).

use super::ig_params;
use super::matcher::{Matcher, SearchError, matcher};

/// Token parameters written by hand that take `:not` (the IG's take it too).
const TOKENS: &[&str] = &[
    "_id",
    "_tag",
    "identifier",
    "specialty",
    "service-category",
    "service-type",
    "characteristic",
    "type",
    "status",
];

/// The matcher of `name=value` on `resource_type`.
pub(crate) fn criterion(
    resource_type: &str,
    name: &str,
    value: &str,
    profile: u8,
) -> Result<Matcher, SearchError> {
    // `:not` on a token: the resources the plain criterion does not match, those without
    // the element included (R4 search §3.1.1.5.2).
    if let Some(base) = name.strip_suffix(":not")
        && (TOKENS.contains(&base) || ig_params::is_token(resource_type, base))
    {
        let plain = criterion(resource_type, base, value, profile)?;
        return Ok(Box::new(move |store, s| !plain(store, s)));
    }
    match matcher(resource_type, name, value, profile) {
        Err(SearchError::UnknownParameter { resource, param }) => {
            ig_params::matcher(resource_type, name, value, profile)
                .unwrap_or(Err(SearchError::UnknownParameter { resource, param }))
        }
        other => other,
    }
}
