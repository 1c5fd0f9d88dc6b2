//! The NOS evolution cases a consumer must handle (`NOS-` scenarios).

use super::json::Json;

use super::build::obj;

use super::ig::nos;

/// The NOS evolution cases a consumer must handle (issue 6, `NOS-` scenarios): four offers
/// shaped like the first one, each coding its operational activity (TRE_R211) in a state a
/// nomenclature can be in. Ids and identifiers are fixed so that scenarios can name them.
pub(crate) const NOS_CASES: [(&str, &str, &str, &str); 4] = [
    // (id, identifier suffix, TRE_R211 code, display served)
    (
        "hs-nos-nouveau",
        "0900001",
        "999",
        "Activité créée après la version locale de la nomenclature",
    ),
    (
        "hs-nos-relibelle",
        "0900002",
        "013",
        "Libellé révisé par l'ANS (code inchangé)",
    ),
    (
        "hs-nos-obsolete",
        "0900003",
        "002",
        "Activité retirée de la nomenclature",
    ),
    (
        "hs-nos-reactive",
        "0900004",
        "001",
        "Activité retirée puis réactivée",
    ),
];

/// The cases, each shaped like `model` (the dataset's first offer).
pub(crate) fn nos_evolution(model: &Json) -> Vec<Json> {
    let mut cases = Vec::with_capacity(NOS_CASES.len());
    let region = model
        .get("meta")
        .and_then(|m| m.get("tag"))
        .and_then(|t| t.as_array()?.first()?.get("code")?.as_str())
        .unwrap_or("11")
        .to_owned();
    for (id, suffix, code, display) in NOS_CASES {
        let mut offer = model.clone();
        offer.set("id", obj!(id));
        if let Some(meta) = offer.get_mut("meta") {
            meta.set("lastUpdated", obj!("2026-06-29T08:00:00.000+00:00"));
        }
        let first_identifier = offer
            .get_mut("identifier")
            .and_then(Json::as_array_mut)
            .and_then(|ids| ids.first_mut());
        if let Some(identifier) = first_identifier {
            identifier.set("value", obj!(format!("{region}/{suffix}")));
        }
        offer.set(
            "specialty",
            obj!([{ "coding": [{
                "system": nos("R211-ActiviteOperationnelle"), "code": code, "display": display
            }] }]),
        );
        offer.set("name", obj!(format!("Unité {code} ({display})")));
        // Not a sensitive unit, so that every access profile sees the case.
        let extensions = offer.get_mut("extension").and_then(Json::as_array_mut);
        for e in extensions.into_iter().flatten() {
            if e.get("url")
                .and_then(Json::as_str)
                .is_some_and(|u| u.ends_with("sensitive-unit"))
            {
                e.set("valueBoolean", obj!(false));
            }
        }
        cases.push(offer);
    }
    cases
}
