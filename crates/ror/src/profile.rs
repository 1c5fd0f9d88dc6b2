//! Access profiles: what a client of the ROR may see, from 0 (public, secret-authenticated)
//! to 5 (mutual TLS, every confidentiality level).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A ROR access profile, 0 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct AccessProfile(u8);

/// A number outside 0..=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("access profiles run from 0 to 5, not {0}")]
pub struct NotAProfile(pub u8);

impl AccessProfile {
    /// Profile 0: the only one that authenticates with a client secret.
    pub const PUBLIC: AccessProfile = AccessProfile(0);

    /// The profile's number.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for AccessProfile {
    type Error = NotAProfile;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        if n <= 5 {
            Ok(AccessProfile(n))
        } else {
            Err(NotAProfile(n))
        }
    }
}

impl From<AccessProfile> for u8 {
    fn from(p: AccessProfile) -> u8 {
        p.0
    }
}

impl JsonSchema for AccessProfile {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AccessProfile".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "minimum": 0, "maximum": 5 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_run_from_zero_to_five() {
        assert_eq!(AccessProfile::try_from(5).map(u8::from), Ok(5));
        assert_eq!(AccessProfile::try_from(6), Err(NotAProfile(6)));
        assert_eq!(
            NotAProfile(6).to_string(),
            "access profiles run from 0 to 5, not 6"
        );
    }
}
