//! Each "common mistake" of `reference/ror-profiles.md` §6, made on a resource of the mock's
//! dataset that conforms, must be found by the structural rules (or, for the 0.7.0
//! cardinalities, must not be).

use serde_json::{Value, json};

use super::super::{Aspects, Context, check};

const IG: &str = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/";

fn dataset() -> Vec<Value> {
    rorcheck_mock::Dataset::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/dataset"
    )))
    .expect("committed dataset")
    .resources
}

/// The first resource of the dataset that `pick` accepts.
fn find(pick: impl Fn(&Value) -> bool) -> Value {
    dataset().into_iter().find(pick).expect("such a resource")
}

fn ext_index(r: &Value, suffix: &str) -> usize {
    r["extension"]
        .as_array()
        .and_then(|e| {
            e.iter()
                .position(|x| x["url"].as_str().is_some_and(|u| u.ends_with(suffix)))
        })
        .expect("the extension")
}

/// Rule ids of the profile findings (errors and warnings) after `mutate`.
fn findings(resource: &Value, mutate: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut r = resource.clone();
    mutate(&mut r);
    let aspects = Aspects {
        profiles: true,
        nomenclatures: false,
        graph: false,
        visibility: false,
        capability: false,
    };
    check(&r, &Context::default(), aspects)
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn expect(mistake: &str, resource: &Value, rule: &str, mutate: impl FnOnce(&mut Value)) {
    assert!(
        findings(resource, |_| {}).is_empty(),
        "{mistake}: the original conforms"
    );
    let found = findings(resource, mutate);
    assert!(
        found.iter().any(|f| f == rule),
        "mistake {mistake}: expected {rule}, found {found:?}"
    );
}

fn offer_with_contact_phone() -> Value {
    find(|r| {
        r["resourceType"] == "HealthcareService"
            && r.to_string()
                .contains("ror-healthcareservice-contact-telecom")
            && r.to_string().contains("specificAct")
            && r["notAvailable"].is_array()
    })
}

#[test]
fn the_common_mistakes_on_places_and_organisations_are_found() {
    let location = find(|r| r["resourceType"] == "Location");
    let eg = find(|r| r["resourceType"] == "Organization" && r["contact"].is_array());
    let prr = find(|r| r["resourceType"] == "PractitionerRole");
    let cog = ext_index(&location, "/ror-commune-cog");

    // 1. ror-commune-cog is a valueCodeableConcept, not a valueCode.
    expect(
        "1",
        &location,
        "ROR-STR-02",
        |r| {
            r["extension"][cog] =
                json!({"url": format!("{IG}ror-commune-cog"), "valueCode": "75056"})
        },
    );
    // 2. The Organization commune is address.extension:inseeCode (valueCoding), not ror-commune-cog.
    expect("2", &eg, "ROR-STR-04", |r| {
        if let Some(e) = r["extension"].as_array_mut() {
            e.push(json!({"url": format!("{IG}ror-commune-cog"),
                "valueCodeableConcept": {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM", "code": "75056"}]}}));
        }
    });
    expect("2b", &eg, "ROR-STR-02", |r| {
        let coding = r["address"][0]["extension"][0]["valueCoding"].take();
        r["address"][0]["extension"][0] = json!({"url": r["address"][0]["extension"][0]["url"].clone(), "valueCodeableConcept": {"coding": [coding]}});
    });
    // 3. Confidentiality values are CodeableConcepts, and the three extensions are not swapped.
    expect("3", &location, "ROR-STR-02", |r| {
        r["telecom"][0]["extension"][1] =
            json!({"url": format!("{IG}ror-telecom-confidentiality-level"), "valueCode": "1"})
    });
    // 9. ror-meta-creation-date is a valueDateTime.
    expect("9", &prr, "ROR-STR-02", |r| {
        let i = ext_index(r, "/ror-meta-creation-date");
        r["extension"][i] =
            json!({"url": format!("{IG}ror-meta-creation-date"), "valueDate": "2024-01-01"});
    });
    // 11. Organization identifier systems are https in 0.6.0.
    expect("11", &eg, "ROR-ORG-04", |r| {
        r["identifier"][0]["system"] = json!("http://finess.esante.gouv.fr")
    });
    // 13. The ORSAN canonical is ...-recours-orsan (no "e").
    expect("13", &eg, "ROR-STR-04", |r| {
        let i = ext_index(r, "/ror-organization-level-recours-orsan");
        r["extension"][i]["url"] = json!(format!("{IG}ror-organization-level-recourse-orsan"));
    });
    // 15. Territorial division: two CodeableConcepts, not a code.
    // 16. Annuaire extensions use their 0.6.0 urls, not the later as-ext-* ones.
    expect("16", &prr, "ROR-STR-04", |r| {
        let i = ext_index(r, "/practitionerRole-contracted");
        r["extension"][i]["url"] = json!(
            "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-practitionerrole-contracted"
        );
    });
}

#[test]
fn the_common_mistakes_on_offers_are_found() {
    let hs = offer_with_contact_phone();
    let contact = ext_index(&hs, "/ror-healthcareservice-contact");
    expect("3b", &hs, "ROR-STR-01", |r| {
        let level = &mut r["extension"][contact]["extension"][4];
        level["url"] = json!(format!("{IG}ror-telecom-confidentiality-level"));
    });
    // 4. The contacts' phones are in ror-healthcareservice-contact-telecom: the shape the
    //    mock served before (sub-extensions confidentialityLevel and contactTelecom) is found.
    expect("4", &hs, "ROR-STR-01", |r| {
        r["extension"][contact] = json!({"url": format!("{IG}ror-healthcareservice-contact"), "extension": [
            {"url": "confidentialityLevel", "valueCodeableConcept": {"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite", "code": "1"}]}},
            {"url": "contactTelecom", "valueContactPoint": {"system": "phone", "value": "0200000000"}}
        ]})
    });
    expect("4b", &hs, "ROR-STR-04", |r| {
        r["extension"][contact]["extension"][4]["url"] = json!("confidentialityLevel")
    });
    // 5. Absolute and relative sub-extension urls are not interchangeable.
    expect("5", &hs, "ROR-STR-01", |r| {
        r["extension"][contact]["extension"][4]["url"] = json!("ror-confidentiality-level")
    });
    expect("5b", &hs, "ROR-STR-04", |r| {
        r["extension"][contact]["extension"][1]["url"] = json!(format!("{IG}ror-function-contact"))
    });
    // 6. Mandatory on every offer: sensitive-unit (even false), careMode.
    expect("6", &hs, "ROR-STR-01", |r| {
        let i = ext_index(r, "/ror-healthcareservice-sensitive-unit");
        r["extension"].as_array_mut().map(|e| e.remove(i));
    });
    expect("6b", &hs, "ROR-STR-01", |r| {
        r["characteristic"].as_array_mut().map(|c| c.remove(0));
    });
    // 7. ageRange has both low and high.
    expect("7", &hs, "ROR-STR-01", |r| {
        let i = ext_index(r, "/ror-healthcareservice-patient-type");
        r["extension"][i]["extension"][1]["valueRange"]
            .as_object_mut()
            .map(|m| m.remove("high"));
    });
    // 8. ror-act-type is a valueCode, and an act without it matches no slice.
    let act = hs["characteristic"]
        .as_array()
        .and_then(|c| c.iter().position(|x| x["extension"].is_array()))
        .expect("an act");
    expect("8", &hs, "ROR-STR-02", |r| {
        r["characteristic"][act]["extension"][0] = json!({"url": format!("{IG}ror-act-type"),
            "valueCodeableConcept": {"coding": [{"code": "specificAct"}]}})
    });
    expect("8b", &hs, "ROR-STR-05", |r| {
        r["characteristic"][act]
            .as_object_mut()
            .map(|m| m.remove("extension"));
    });
    // 10. The closingReopeningDate slice carries its fixed description.
    expect("10", &hs, "ROR-STR-05", |r| {
        r["notAvailable"][0]["description"] = json!("Fermeture")
    });
    let zoned = find(|r| {
        r["resourceType"] == "HealthcareService"
            && r.to_string().contains("ror-territorial-division")
    });
    expect("15", &zoned, "ROR-STR-02", |r| {
        let i = ext_index(r, "/ror-territorial-division");
        r["extension"][i]["extension"][1] =
            json!({"url": "codeTerritorialDivision", "valueCode": "11"});
    });
    // 17. A JDV url is not a coding system.
    expect("17", &hs, "ROR-STR-03", |r| {
        r["type"][0]["coding"][0]["system"] = json!(
            "https://mos.esante.gouv.fr/NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR"
        )
    });
    // 20. One day per availableTime on an offer.
    expect("20", &hs, "ROR-STR-01", |r| {
        r["availableTime"][0]["daysOfWeek"] = json!(["mon", "tue"])
    });
}

#[test]
fn what_becomes_mandatory_only_in_0_7_0_is_not_required() {
    // 18. name, providedBy (HealthcareService) and the Organization contact confidentiality
    //     level are 0..1 in 0.6.0.
    let hs = offer_with_contact_phone();
    assert!(
        findings(&hs, |r| {
            r.as_object_mut().map(|m| {
                m.remove("name");
                m.remove("providedBy")
            });
        })
        .is_empty()
    );
    let eg = find(|r| r["resourceType"] == "Organization" && r["contact"].is_array());
    assert!(
        findings(&eg, |r| {
            r["contact"][0]["extension"].as_array_mut().map(Vec::pop);
        })
        .is_empty()
    );
    // 12. The identifierOI type as the IG fixes it (underscore) is accepted.
    let oi = find(|r| {
        r["resourceType"] == "Organization"
            && r["id"].as_str().is_some_and(|i| i.starts_with("oi-"))
    });
    assert!(
        oi.to_string()
            .contains("FHIR/TRE_R345-TypeIdentifiantAutre")
    );
    assert!(findings(&oi, |_| {}).is_empty());
}

#[test]
fn the_dataset_shows_every_element_a_consumer_reads() {
    let all: String = dataset().iter().map(Value::to_string).collect();
    for url in [
        "ror-healthcareservice-contact-telecom",
        "ror-confidentiality-level",
        "ror-territorial-division",
        "ror-healthcareservice-psychiatric-sector",
        "ror-healthcareservice-no-consent-habilitation",
        "ror-available-time-number-days-of-week",
        "ror-available-time-effective-opening-closing-date",
        "ror-location-supported-capacity",
        "ror-location-equipment-limit",
        "ror-location-residential-capacity",
        "ror-organization-price",
        "ror-contact-confidentiality-level",
        "ror-organization-closing-type",
        "organization-period",
        "ror-practitionerrole-name",
        "ror-act-type",
    ] {
        assert!(all.contains(url), "{url} is nowhere in the dataset");
    }
    for element in [
        "\"notAvailable\"",
        "\"availableTime\"",
        "\"ageRange\"",
        "\"operationalStatus\"",
        "\"contact\"",
    ] {
        assert!(all.contains(element), "{element} is nowhere in the dataset");
    }
    // Contacts of each confidentiality level.
    for level in ["1", "2", "3"] {
        let coded = format!("TRE-R283-NiveauConfidentialite\",\"code\":\"{level}\"");
        assert!(all.contains(&coded), "no contact of level {level}");
    }
}

#[test]
fn a_binding_accepts_its_own_system_and_no_other() {
    let r227 = "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite";
    assert!(super::accepts("R227-ChampActivite", r227));
    assert!(super::accepts("R227*", r227));
    assert!(super::accepts("R22*", r227));
    assert!(!super::accepts("R228*", r227));
    assert!(!super::accepts("R227-ChampActivit", r227));
    assert!(!super::accepts("R22-ChampActivite", r227));
    assert!(!super::accepts("R227-ChampActivite", &format!("{r227}/")));
    assert!(!super::accepts(
        "R227-ChampActivite",
        "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R228-ChampActivite"
    ));
    assert!(!super::accepts(
        "R227-ChampActivite",
        "http://other/TRE_R227"
    ));
    assert!(super::accepts("http://x/y", "http://x/y"));
    assert!(!super::accepts("http://x/y", "http://x/y/z"));
}

#[test]
fn a_value_key_is_recognised_without_being_built() {
    use super::{is_value_key, value_key};
    for ty in [
        "CodeableConcept",
        "boolean",
        "dateTime",
        "string",
        "Coding",
        "x",
        "éa",
    ] {
        let key = value_key(ty);
        assert!(is_value_key(&key, ty), "{key} for {ty}");
        assert!(!is_value_key(&format!("{key}s"), ty));
        assert!(!is_value_key("valueString", ty) || ty == "string");
        assert!(!is_value_key(&key.to_lowercase(), ty) || key == key.to_lowercase());
    }
    assert!(!is_value_key("value", "boolean"));
    assert!(!is_value_key("other", "boolean"));
}
