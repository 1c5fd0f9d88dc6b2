//! NOS nomenclature checks: every coding from a NOS system uses a TRE code system known to
//! the snapshot and a code that exists in it. Codes evolve, so a deprecated or retired code
//! is a warning (older resources keep them) and an unknown code a warning unless strict; a
//! JDV value-set URL used as `system` is a warning. `display` is never compared.

use rorcheck_i18n::{Lang, t};

use super::nos::{CodeStatus, Lookup, NosSnapshot};
use super::{Finding, Tree, each_object, label_of};

/// NOS code systems the snapshot knowingly does not carry, so their codes are not checked:
/// TRE_R13-CommuneOM (the communes) is in none of the NOS exports available to build it
/// (`nos/INDEX.md`). Without this list every Location would warn that its system is unknown.
const NOT_CARRIED: &[&str] =
    &["https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"];

/// Code system urls the IG 0.6.0 writes differently from the NOS, with the NOS url they
/// mean: the ROROrganization identifierOI slice fixes TRE_R345 with an underscore in its
/// last segment (`reference/ror-profiles.md`, common mistake 12), the NOS publishes a hyphen.
const IG_SPELLINGS: &[(&str, &str)] = &[(
    "https://mos.esante.gouv.fr/NOS/TRE_R345-TypeIdentifiantAutre/FHIR/TRE_R345-TypeIdentifiantAutre",
    "https://mos.esante.gouv.fr/NOS/TRE_R345-TypeIdentifiantAutre/FHIR/TRE-R345-TypeIdentifiantAutre",
)];

/// The NOS findings of one resource: every coding of a NOS system has a known code,
/// warned when deprecated or retired (an error under `strict`, as is an unknown code).
pub fn check(resource: &Tree, nos: &NosSnapshot, strict: bool) -> Vec<Finding> {
    let name = label_of(resource);
    let mut out = Vec::new();
    each_object(resource, "", &mut |map, path| {
        if let (Some(Tree::Str(system)), Some(Tree::Str(code))) =
            (super::member(map, "system"), super::member(map, "code"))
            && !NOT_CARRIED.contains(&system.as_ref())
        {
            judge(system, code, path, &name, nos, strict, &mut out);
        }
    });
    out
}

fn judge(
    system: &str,
    code: &str,
    path: &str,
    name: &str,
    nos: &NosSnapshot,
    strict: bool,
    out: &mut Vec<Finding>,
) {
    let date = &nos.date;
    let system = IG_SPELLINGS
        .iter()
        .find(|(ig, _)| *ig == system)
        .map_or(system, |(_, nos_url)| nos_url);
    match nos.lookup(system, code) {
        Lookup::NotNos | Lookup::Known(CodeStatus::Active) => {}
        Lookup::Known(CodeStatus::Deprecated) => out.push(Finding::warning(
            "NOS-03",
            name,
            path,
            t!(
                Lang::current(),
                "f-code-deprecated",
                code = code,
                system = system
            ),
        )),
        Lookup::Known(CodeStatus::Retired) => out.push(Finding::warning(
            "NOS-04",
            name,
            path,
            t!(
                Lang::current(),
                "f-code-ending",
                code = code,
                system = system
            ),
        )),
        Lookup::UnknownCode => {
            let message = format!(
                "code {code} inconnu de {system} dans l'instantané NOS du {date} : nouveau code ? le consommateur doit l'accepter et mettre à jour sa nomenclature"
            );
            out.push(if strict {
                Finding::error("NOS-02", name, path, message)
            } else {
                Finding::warning("NOS-02", name, path, message)
            });
        }
        Lookup::UnknownSystem => out.push(Finding::warning(
            "NOS-01",
            name,
            path,
            t!(
                Lang::current(),
                "f-system-absent",
                system = system,
                date = date
            ),
        )),
        Lookup::ValueSetAsSystem => out.push(Finding::warning(
            "NOS-05",
            name,
            path,
            t!(Lang::current(), "f-jdv-as-system", system = system),
        )),
    }
}
