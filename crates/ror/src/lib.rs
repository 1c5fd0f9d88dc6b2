//! The ROR protocol vocabulary, spelled once: what every FHIR call carries (the four `Ror-*`
//! headers and their systems), where the API and its token endpoint live, the access
//! profiles and the identifier systems of the data.
//!
//! The configuration, the mock, `doctor` and observer mode all read these names from here, so
//! a header or an OID cannot drift between the side that sends and the side that judges.

pub mod headers;
mod profile;

pub use headers::HeaderProblem;
pub use profile::AccessProfile;

/// Path of the OAuth2 token endpoint under the authorization server's origin (Keycloak realm
/// `ror`), as on the bac-à-sable and production environments.
pub const TOKEN_PATH: &str = "/auth/realms/ror/protocol/openid-connect/token";

/// Path of the FHIR API under the server's origin, as on the bac-à-sable and production.
pub const FHIR_BASE_PATH: &str = "/ws-diffusion-fhir";

/// Identifier systems of the data.
pub mod systems {
    /// National identifier of a structure (FINESS, SIRET... as `idNatStruct`).
    pub const ID_NAT_ST: &str = "urn:oid:1.2.250.1.71.4.2.2";
    /// RPPS national identifier of a health professional.
    pub const RPPS: &str = "urn:oid:1.2.250.1.71.4.2.1";
}
