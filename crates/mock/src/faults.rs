//! Fault injection: ways to make the mock misbehave on purpose, so that a scenario that
//! passes against the faithful mock is proven able to fail.

use std::fmt;
use std::str::FromStr;

/// One misbehaviour of the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Searchset pages carry no `next` link.
    DropNextLink,
    /// Each page after the first repeats the first match of the previous page.
    DuplicateAcrossPages,
    /// `_include` / `_revinclude` resources are left out.
    OmitIncludes,
    /// `_lastUpdated` is accepted but not applied.
    IgnoreLastUpdated,
    /// Searches answer a Bundle of type `collection` instead of `searchset`.
    WrongBundleType,
    /// FHIR responses are labelled `text/plain`.
    WrongContentType,
    /// The four `Ror-*` headers are not checked.
    SkipRorHeaderCheck,
    /// Expired tokens are accepted.
    AcceptExpiredToken,
    /// Profile 0 receives restricted telecoms and sensitive units.
    LeakRestrictedData,
    /// Every FHIR response is delayed by two seconds.
    Slow,
    /// Every FHIR call answers 500.
    ServerError,
    /// `$export` with `_myCompleteExtract` leaves out the parent organisations (`partOf`).
    ExportIncomplete,
    /// Criteria parameters (specialty, type, name, postal code, `_tag`...) are accepted but
    /// not applied.
    IgnoreSearchCriteria,
    /// `organization.identifier:above` is applied as an exact `organization.identifier`.
    IgnoreAbove,
    /// `_filter` is accepted but not applied.
    IgnoreFilter,
    /// Unknown parameters and includes are silently ignored (HAPI lenient mode).
    LenientParameters,
    /// A search without result answers 404 instead of 200 with total 0.
    EmptyAs404,
    /// Error responses carry no OperationOutcome (empty `text/plain` body).
    BareErrors,
    /// The token endpoint accepts a known client id with any secret.
    AcceptAnySecret,
    /// Token signatures are not checked.
    AcceptTamperedToken,
    /// `$export` ignores `_typeFilter` (a regional export gets every region).
    ExportIgnoresTypeFilter,
    /// Codings of the offers' activity, care mode and field carry the JDV value-set URL as
    /// `system` instead of the TRE code system.
    NosValueSetSystems,
    /// `_count` is ignored: pages always hold up to 200 matches.
    IgnoreCount,
    /// Searchset Bundles carry no `total`.
    NoTotal,
    /// `identifier` and `organization.identifier[:above]` are accepted but not applied.
    IgnoreIdentifier,
    /// The CapabilityStatement declares no include, no revinclude and no operation.
    MetadataIncomplete,
    /// The token response carries the access token only: no `token_type`, no `expires_in`.
    TokenResponseIncomplete,
    /// `_elements` is accepted but matches are served whole, without the `SUBSETTED` tag.
    IgnoreElements,
    /// `_count` above 200 is served as asked: pages beyond the documented maximum.
    NoPageCap,
    /// Synchronous searches serve every match, beyond the documented 10,000.
    NoSyncCap,
}

impl Fault {
    /// Every fault mode, in the order help lists them.
    pub const ALL: [Fault; 30] = [
        Fault::DropNextLink,
        Fault::DuplicateAcrossPages,
        Fault::OmitIncludes,
        Fault::IgnoreLastUpdated,
        Fault::WrongBundleType,
        Fault::WrongContentType,
        Fault::SkipRorHeaderCheck,
        Fault::AcceptExpiredToken,
        Fault::LeakRestrictedData,
        Fault::Slow,
        Fault::ServerError,
        Fault::ExportIncomplete,
        Fault::IgnoreSearchCriteria,
        Fault::IgnoreAbove,
        Fault::IgnoreFilter,
        Fault::LenientParameters,
        Fault::EmptyAs404,
        Fault::BareErrors,
        Fault::AcceptAnySecret,
        Fault::AcceptTamperedToken,
        Fault::ExportIgnoresTypeFilter,
        Fault::NosValueSetSystems,
        Fault::IgnoreCount,
        Fault::NoTotal,
        Fault::IgnoreIdentifier,
        Fault::MetadataIncomplete,
        Fault::TokenResponseIncomplete,
        Fault::IgnoreElements,
        Fault::NoPageCap,
        Fault::NoSyncCap,
    ];

    /// Its name on the command line (`--mock-fault`).
    pub fn key(self) -> &'static str {
        match self {
            Fault::DropNextLink => "drop-next-link",
            Fault::DuplicateAcrossPages => "duplicate-across-pages",
            Fault::OmitIncludes => "omit-includes",
            Fault::IgnoreLastUpdated => "ignore-last-updated",
            Fault::WrongBundleType => "wrong-bundle-type",
            Fault::WrongContentType => "wrong-content-type",
            Fault::SkipRorHeaderCheck => "skip-ror-header-check",
            Fault::AcceptExpiredToken => "accept-expired-token",
            Fault::LeakRestrictedData => "leak-restricted-data",
            Fault::Slow => "slow",
            Fault::ServerError => "server-error",
            Fault::ExportIncomplete => "export-incomplete",
            Fault::IgnoreSearchCriteria => "ignore-search-criteria",
            Fault::IgnoreAbove => "ignore-above",
            Fault::IgnoreFilter => "ignore-filter",
            Fault::LenientParameters => "lenient-parameters",
            Fault::EmptyAs404 => "empty-as-404",
            Fault::BareErrors => "bare-errors",
            Fault::AcceptAnySecret => "accept-any-secret",
            Fault::AcceptTamperedToken => "accept-tampered-token",
            Fault::ExportIgnoresTypeFilter => "export-ignores-type-filter",
            Fault::NosValueSetSystems => "nos-value-set-systems",
            Fault::IgnoreCount => "ignore-count",
            Fault::NoTotal => "no-total",
            Fault::IgnoreIdentifier => "ignore-identifier",
            Fault::MetadataIncomplete => "metadata-incomplete",
            Fault::TokenResponseIncomplete => "token-response-incomplete",
            Fault::IgnoreElements => "ignore-elements",
            Fault::NoPageCap => "no-page-cap",
            Fault::NoSyncCap => "no-sync-cap",
        }
    }
}

impl Fault {
    /// What the mock does wrong in this mode (the `--help` and docs/mock.md text).
    pub fn effect(self) -> &'static str {
        match self {
            Fault::DropNextLink => "Searchset pages carry no `next` link.",
            Fault::DuplicateAcrossPages => {
                "Each page after the first repeats the first match of the previous page."
            }
            Fault::OmitIncludes => "`_include` / `_revinclude` resources are left out.",
            Fault::IgnoreLastUpdated => "`_lastUpdated` is accepted but not applied.",
            Fault::WrongBundleType => {
                "Searches answer a Bundle of type `collection` instead of `searchset`."
            }
            Fault::WrongContentType => "FHIR responses are labelled `text/plain`.",
            Fault::SkipRorHeaderCheck => "The four `Ror-*` headers are not checked.",
            Fault::AcceptExpiredToken => "Expired tokens are accepted.",
            Fault::LeakRestrictedData => {
                "Profile 0 receives restricted telecoms and sensitive units."
            }
            Fault::Slow => "Every FHIR response is delayed by two seconds.",
            Fault::ServerError => "Every FHIR call answers 500.",
            Fault::ExportIncomplete => {
                "`$export` with `_myCompleteExtract` leaves out the parent organisations (`partOf`)."
            }
            Fault::IgnoreSearchCriteria => {
                "Criteria parameters (specialty, service-type, type, name, postal code, `_tag`, the IG's SearchParameters...) are accepted but not applied."
            }
            Fault::IgnoreAbove => {
                "`organization.identifier:above` is applied as an exact `organization.identifier`."
            }
            Fault::IgnoreFilter => "`_filter` is accepted but not applied.",
            Fault::LenientParameters => {
                "Unknown parameters and includes are silently ignored (HAPI lenient mode)."
            }
            Fault::EmptyAs404 => "A search without result answers 404 instead of 200 with total 0.",
            Fault::BareErrors => {
                "Error responses carry no OperationOutcome (empty `text/plain` body)."
            }
            Fault::AcceptAnySecret => {
                "The token endpoint accepts a known client id with any secret."
            }
            Fault::AcceptTamperedToken => "Token signatures are not checked.",
            Fault::ExportIgnoresTypeFilter => {
                "`$export` ignores `_typeFilter` (a regional export gets every region)."
            }
            Fault::NosValueSetSystems => {
                "Codings of the offers' activity, care mode and field carry the JDV value-set URL as `system` instead of the TRE code system."
            }
            Fault::IgnoreCount => "`_count` is ignored: pages always hold up to 200 matches.",
            Fault::NoTotal => "Searchset Bundles carry no `total`.",
            Fault::IgnoreIdentifier => {
                "`identifier` and `organization.identifier[:above]` are accepted but not applied."
            }
            Fault::MetadataIncomplete => {
                "The CapabilityStatement declares no include, no revinclude and no operation."
            }
            Fault::TokenResponseIncomplete => {
                "The token response carries the access token only: no `token_type`, no `expires_in`."
            }
            Fault::IgnoreElements => {
                "`_elements` is accepted but matches are served whole, without the `SUBSETTED` tag."
            }
            Fault::NoPageCap => {
                "`_count` above 200 is served as asked: pages beyond the documented maximum."
            }
            Fault::NoSyncCap => {
                "Synchronous searches serve every match, beyond the documented 10,000."
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|f| f.key() == s)
            .ok_or_else(|| {
                format!(
                    "unknown fault `{s}`; expected one of: {}",
                    Fault::ALL.map(Fault::key).join(", ")
                )
            })
    }
}

/// The faults active on a mock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults(Vec<Fault>);

impl Faults {
    /// The faults given, active together.
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Self {
        Faults(faults.into_iter().collect())
    }

    /// Whether `fault` is active.
    pub fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    /// Whether the mock is faithful (no fault).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_round_trips_through_its_key() {
        for f in Fault::ALL {
            assert_eq!(f.key().parse::<Fault>(), Ok(f));
        }
        assert!(
            "nope"
                .parse::<Fault>()
                .unwrap_err()
                .contains("drop-next-link")
        );
    }
}
