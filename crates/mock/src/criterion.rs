//! One search criterion to its matcher: the parameters written by hand in `matcher.rs`
//! (standard R4, chains, `_has`), then those of the IG's SearchParameters (`ig_params.rs`);
//! a name neither knows is an unknown parameter (400).

use super::ig_params;
use super::matcher::{Matcher, SearchError, matcher};

/// The matcher of `name=value` on `resource_type`.
pub(crate) fn criterion(
    resource_type: &str,
    name: &str,
    value: &str,
) -> Result<Matcher, SearchError> {
    match matcher(resource_type, name, value) {
        Err(SearchError::UnknownParameter { resource, param }) => {
            ig_params::matcher(resource_type, name, value)
                .unwrap_or(Err(SearchError::UnknownParameter { resource, param }))
        }
        other => other,
    }
}
