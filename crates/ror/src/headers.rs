//! The four `Ror-*` headers every FHIR call carries, and the rule that judges them: present,
//! a user profile code of TRE_R78, and the documented systems as raw OIDs.

/// `Ror-Profil-Utilisateur-Code`: the user profile (TRE_R78, CU01 to CU30).
pub const PROFIL_UTILISATEUR_CODE: &str = "Ror-Profil-Utilisateur-Code";
/// `Ror-Profil-Utilisateur-System`: the system of that code.
pub const PROFIL_UTILISATEUR_SYSTEM: &str = "Ror-Profil-Utilisateur-System";
/// `Ror-Role-Metier-Code`: the business role (e.g. AUTOMATE).
pub const ROLE_METIER_CODE: &str = "Ror-Role-Metier-Code";
/// `Ror-Role-Metier-System`: the system of that role.
pub const ROLE_METIER_SYSTEM: &str = "Ror-Role-Metier-System";

/// The four headers, in the order the documentation lists them.
pub const ALL: [&str; 4] = [
    PROFIL_UTILISATEUR_CODE,
    PROFIL_UTILISATEUR_SYSTEM,
    ROLE_METIER_CODE,
    ROLE_METIER_SYSTEM,
];

/// OID of TRE_R78 (user profiles), sent raw, without `urn:oid:`.
pub const PROFIL_UTILISATEUR_OID: &str = "1.2.250.1.213.1.6.1.66";
/// OID of the business roles' system, sent raw, without `urn:oid:`.
pub const ROLE_METIER_OID: &str = "1.2.250.1.213.1.1.4.6";

/// The user profile code of the ROR documentation's examples.
pub const DOCUMENTED_PROFIL_CODE: &str = "CU22";
/// The business role of the ROR documentation's examples.
pub const DOCUMENTED_ROLE_CODE: &str = "AUTOMATE";

/// What is wrong with the `Ror-*` headers of a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderProblem {
    /// A header is absent or blank.
    #[error("En-tête obligatoire absent : {0}")]
    Missing(&'static str),
    /// The user profile code is not one of TRE_R78.
    #[error("Ror-Profil-Utilisateur-Code « {0} » n'est pas un code de TRE_R78 (CU01 à CU30)")]
    UnknownProfile(String),
    /// A system is not the documented raw OID.
    #[error("{name} « {value} » invalide : l'OID brut {expected} est attendu (sans urn:oid:)")]
    WrongSystem {
        /// The header.
        name: &'static str,
        /// What the call sent.
        value: String,
        /// The documented OID.
        expected: &'static str,
    },
}

/// What is wrong with the four `Ror-*` headers of a call, if anything; `get` reads a header by
/// name. The mock refuses calls by this rule and observer mode judges logged calls by it.
pub fn problem<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<HeaderProblem> {
    let get = |name: &str| get(name).map(str::trim).filter(|v| !v.is_empty());
    if let Some(name) = ALL.into_iter().find(|name| get(name).is_none()) {
        return Some(HeaderProblem::Missing(name));
    }
    let code = get(PROFIL_UTILISATEUR_CODE).unwrap_or_default();
    let valid_code = code
        .strip_prefix("CU")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=30).contains(&n) && code.len() == 4);
    if !valid_code {
        return Some(HeaderProblem::UnknownProfile(code.to_owned()));
    }
    for (name, expected) in [
        (PROFIL_UTILISATEUR_SYSTEM, PROFIL_UTILISATEUR_OID),
        (ROLE_METIER_SYSTEM, ROLE_METIER_OID),
    ] {
        let value = get(name).unwrap_or_default();
        if value != expected {
            return Some(HeaderProblem::WrongSystem {
                name,
                value: value.to_owned(),
                expected,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(pairs: &[(&str, &str)]) -> Option<HeaderProblem> {
        problem(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
    }

    const GOOD: [(&str, &str); 4] = [
        (PROFIL_UTILISATEUR_CODE, "CU22"),
        (PROFIL_UTILISATEUR_SYSTEM, PROFIL_UTILISATEUR_OID),
        (ROLE_METIER_CODE, "AUTOMATE"),
        (ROLE_METIER_SYSTEM, ROLE_METIER_OID),
    ];

    #[test]
    fn the_documented_headers_pass() {
        assert_eq!(judge(&GOOD), None);
    }

    #[test]
    fn each_fault_is_named() {
        assert_eq!(
            judge(&GOOD[1..]),
            Some(HeaderProblem::Missing(PROFIL_UTILISATEUR_CODE))
        );
        let mut bad = GOOD;
        bad[0].1 = "CU31";
        assert_eq!(
            judge(&bad),
            Some(HeaderProblem::UnknownProfile("CU31".into()))
        );
        let mut urn = GOOD;
        urn[3].1 = "urn:oid:1.2.250.1.213.1.1.4.6";
        assert!(matches!(
            judge(&urn),
            Some(HeaderProblem::WrongSystem {
                name: ROLE_METIER_SYSTEM,
                ..
            })
        ));
    }
}
