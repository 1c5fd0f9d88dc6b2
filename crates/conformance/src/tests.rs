//! Positive and negative tests of each rule: the conforming resource passes, the same
//! resource mutated to break exactly one rule is caught by that rule.

use serde_json::{Value, json};

use super::*;

fn dataset() -> rorcheck_mock::Dataset {
    rorcheck_mock::Dataset::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/dataset"
    )))
    .expect("committed dataset")
}

fn first(rtype: &str) -> Value {
    dataset()
        .resources
        .into_iter()
        .find(|r| r["resourceType"] == rtype)
        .expect("a resource of that type")
}

fn rules_of(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.rule.clone()).collect()
}

#[test]
fn the_mock_dataset_has_zero_findings() {
    assert!(
        profiles::Rules::load_error().is_none(),
        "{:?}",
        profiles::Rules::load_error()
    );
    assert!(
        shapes::Shapes::load_error().is_none(),
        "{:?}",
        shapes::Shapes::load_error()
    );
    let ds = dataset();
    let mut findings = Vec::new();
    for r in &ds.resources {
        findings.extend(check(
            r,
            &Context {
                access_profile: Some(1),
                ..Context::default()
            },
            Aspects::ALL,
        ));
    }
    // The NOS evolution cases are there to be flagged: a new code (NOS-02) and a retired one
    // (NOS-04), as warnings, and nothing else.
    let (expected, findings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.resource.starts_with("HealthcareService/hs-nos-"));
    let mut expected: Vec<(String, String, Severity)> = expected
        .into_iter()
        .map(|f| (f.resource, f.rule, f.severity))
        .collect();
    expected.sort();
    assert_eq!(
        expected,
        vec![
            (
                "HealthcareService/hs-nos-nouveau".to_owned(),
                "NOS-02".to_owned(),
                Severity::Warning
            ),
            (
                "HealthcareService/hs-nos-obsolete".to_owned(),
                "NOS-04".to_owned(),
                Severity::Warning
            ),
        ]
    );
    let shown: Vec<String> = findings.iter().take(20).map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "{} findings, first: {shown:#?}",
        findings.len()
    );
}

/// Findings of `resource` after `mutate`, with only `aspects`.
fn after(resource: &Value, mutate: impl FnOnce(&mut Value), profile: Option<u8>) -> Vec<String> {
    let mut r = resource.clone();
    mutate(&mut r);
    let ctx = Context {
        access_profile: profile,
        ..Context::default()
    };
    rules_of(&check(&r, &ctx, Aspects::ALL))
}

/// A change to a resource that breaks one rule.
type Mutation = Box<dyn FnOnce(&mut Value)>;

fn remove_extension(r: &mut Value, suffix: &str) {
    if let Some(exts) = r["extension"].as_array_mut() {
        exts.retain(|e| !e["url"].as_str().is_some_and(|u| u.ends_with(suffix)));
    }
}

#[test]
fn each_profile_rule_catches_the_mutation_that_breaks_it() {
    let hs = first("HealthcareService");
    assert!(after(&hs, |_| {}, Some(1)).is_empty());
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "ROR-COM-00",
            Box::new(|r| r["meta"]["profile"] = json!(["http://autre/profil"])),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| {
                r["meta"].as_object_mut().map(|m| m.remove("lastUpdated"));
            }),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| remove_extension(r, "/ror-meta-creation-date")),
        ),
        (
            "ROR-COM-04",
            Box::new(|r| {
                r["extension"][1]["url"] = json!(
                    "http://interop.esante.gouv.fr/ig/fhir/ror30/StructureDefinition/ror-healthcareservice-sensitive-unit"
                )
            }),
        ),
        (
            "ROR-HS-01",
            Box::new(|r| r["identifier"][0]["value"] = json!("0000001")),
        ),
        (
            "ROR-STR-03",
            Box::new(|r| {
                r["type"][0]["coding"][0]["system"] = json!(
                    "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
                )
            }),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| {
                r.as_object_mut().map(|m| m.remove("specialty"));
            }),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| {
                r.as_object_mut().map(|m| m.remove("characteristic"));
            }),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| remove_extension(r, "/ror-healthcareservice-sensitive-unit")),
        ),
        (
            "ROR-STR-01",
            Box::new(|r| remove_extension(r, "/ror-healthcareservice-patient-type")),
        ),
    ];
    for (rule, mutate) in cases {
        let found = after(&hs, mutate, Some(1));
        assert!(found.contains(&rule.to_owned()), "{rule}: {found:?}");
    }
    // providedBy and name become 1..1 only in 0.7.0: their absence is no 0.6.0 finding.
    let without = after(
        &hs,
        |r| {
            r.as_object_mut().map(|m| {
                m.remove("providedBy");
                m.remove("name")
            });
        },
        Some(1),
    );
    assert!(without.is_empty(), "{without:?}");
    for (rtype, rule, mutate) in [
        (
            "Location",
            "ROR-STR-01",
            Box::new(|r: &mut Value| remove_extension(r, "/ror-commune-cog"))
                as Box<dyn FnOnce(&mut Value)>,
        ),
        (
            "Location",
            "ROR-STR-02",
            // The shape the mock served before IG 0.6.0 was read: a bare code.
            Box::new(|r: &mut Value| {
                if let Some(e) = r["extension"].as_array_mut().and_then(|exts| {
                    exts.iter_mut().find(|e| {
                        e["url"]
                            .as_str()
                            .is_some_and(|u| u.ends_with("/ror-commune-cog"))
                    })
                }) {
                    *e = json!({"url": e["url"].clone(), "valueCode": "75156"});
                }
            }),
        ),
        (
            "Location",
            "ROR-LOC-02",
            Box::new(|r: &mut Value| r["identifier"][0]["type"]["coding"][0]["code"] = json!("26")),
        ),
        (
            "Organization",
            "ROR-ORG-02",
            Box::new(|r: &mut Value| {
                r["identifier"][0]["type"]["coding"][0]["system"] = json!(
                    "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite"
                )
            }),
        ),
        (
            "Practitioner",
            "ROR-PR-01",
            Box::new(|r: &mut Value| {
                r["identifier"][0]["system"] = json!("urn:oid:1.2.250.1.71.4.2.2")
            }),
        ),
        (
            "PractitionerRole",
            "ROR-STR-01",
            Box::new(|r: &mut Value| {
                r.as_object_mut().map(|m| m.remove("healthcareService"));
            }),
        ),
        (
            "PractitionerRole",
            "ROR-STR-01",
            Box::new(|r: &mut Value| {
                remove_extension(r, "/ror-practitionerrole-unit-exercise-mode")
            }),
        ),
    ] {
        let resource = first(rtype);
        assert!(
            after(&resource, |_| {}, Some(1)).is_empty(),
            "{rtype} conforms"
        );
        let found = after(&resource, mutate, Some(1));
        assert!(found.contains(&rule.to_owned()), "{rule}: {found:?}");
    }
}

#[test]
fn nomenclature_rules_warn_on_evolution_and_fail_unknown_codes_only_when_strict() {
    let hs = first("HealthcareService");
    let r227 = "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite";
    let retired = nos::NosSnapshot::shipped()
        .code_systems
        .iter()
        .find_map(|(url, cs)| {
            cs.codes
                .iter()
                .find(|(_, s)| **s == nos::CodeStatus::Retired)
                .map(|(c, _)| (url.clone(), c.clone()))
        })
        .expect("a retired code");
    let with_coding = |system: &str, code: &str| {
        let mut r = hs.clone();
        r["type"][0]["coding"] =
            json!([{"system": system, "code": code, "display": "libellé changé"}]);
        r
    };
    let findings = |r: &Value, strict: bool| {
        check(
            r,
            &Context {
                strict,
                access_profile: Some(1),
                ..Context::default()
            },
            Aspects::ALL,
        )
    };
    // A relabelled code (display changed, code same) is not a finding: display is never compared.
    assert!(findings(&with_coding(r227, "01"), false).is_empty());
    let unknown = findings(&with_coding(r227, "99"), false);
    assert!(
        unknown
            .iter()
            .any(|f| f.rule == "NOS-02" && f.severity == Severity::Warning),
        "{unknown:?}"
    );
    let strict = findings(&with_coding(r227, "99"), true);
    assert!(
        strict
            .iter()
            .any(|f| f.rule == "NOS-02" && f.severity == Severity::Error)
    );
    let old = findings(&with_coding(&retired.0, &retired.1), false);
    assert!(
        old.iter()
            .any(|f| f.rule == "NOS-04" && f.severity == Severity::Warning),
        "{old:?}"
    );
    let jdv = findings(
        &with_coding(
            "https://mos.esante.gouv.fr/NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR",
            "01",
        ),
        false,
    );
    assert!(jdv.iter().any(|f| f.rule == "NOS-05"), "{jdv:?}");
    let system = findings(
        &with_coding(
            "https://mos.esante.gouv.fr/NOS/TRE_R999-Inconnue/FHIR/TRE-R999-Inconnue",
            "01",
        ),
        false,
    );
    assert!(system.iter().any(|f| f.rule == "NOS-01"), "{system:?}");
}

fn bundle(entries: Vec<(Value, &str)>, total: usize, links: &[&str]) -> Value {
    json!({
        "resourceType": "Bundle", "type": "searchset", "total": total,
        "link": links.iter().map(|l| json!({"relation": l, "url": "http://x"})).collect::<Vec<_>>(),
        "entry": entries.into_iter().map(|(r, mode)| json!({
            "fullUrl": format!("http://x/{}", label(&r)), "resource": r, "search": {"mode": mode}
        })).collect::<Vec<_>>()
    })
}

fn graph_rules(b: &Value, query: &str, profile: Option<u8>) -> Vec<String> {
    let ctx = Context {
        request_url: url::Url::parse(&format!("http://x/HealthcareService?{query}")).ok(),
        access_profile: profile,
        strict: false,
    };
    rules_of(&graph::check(b, &ctx))
}

#[test]
fn graph_rules_catch_dangling_includes_duplicates_totals_and_criteria() {
    let ds = dataset();
    let by = |id: &str| {
        ds.resources
            .iter()
            .find(|r| label(r) == id)
            .cloned()
            .expect(id)
    };
    let hs = by("HealthcareService/hs-1");
    let org = by(hs["providedBy"]["reference"].as_str().expect("providedBy"));
    let q = "_include=HealthcareService:organization";
    let good = bundle(
        vec![(hs.clone(), "match"), (org.clone(), "include")],
        1,
        &["self"],
    );
    assert!(
        graph_rules(&good, q, Some(1)).is_empty(),
        "{:?}",
        graph_rules(&good, q, Some(1))
    );

    let dangling = bundle(vec![(hs.clone(), "match")], 1, &["self"]);
    assert!(graph_rules(&dangling, q, Some(1)).contains(&"GRAPH-04".into()));
    let dup = bundle(
        vec![(hs.clone(), "match"), (hs.clone(), "match")],
        2,
        &["self"],
    );
    assert!(graph_rules(&dup, "", Some(1)).contains(&"GRAPH-01".into()));
    let wrong_total = bundle(vec![(hs.clone(), "match")], 3, &["self"]);
    assert!(graph_rules(&wrong_total, "", Some(1)).contains(&"GRAPH-02".into()));
    let updated = hs["meta"]["lastUpdated"]
        .as_str()
        .expect("lastUpdated")
        .to_owned();
    let later = format!(
        "_lastUpdated=gt{}",
        &updated[..4].parse::<u32>().map(|y| y + 1).unwrap_or(2100)
    );
    assert!(
        graph_rules(&wrong_total, &later, Some(1)).contains(&"GRAPH-03".into()),
        "{later}"
    );
    assert!(graph_rules(&good, "identifier=99/9999999", Some(1)).contains(&"GRAPH-03".into()));
    assert!(
        !graph_rules(
            &good,
            &format!(
                "identifier={}",
                hs["identifier"][0]["value"].as_str().unwrap_or("")
            ),
            Some(1)
        )
        .contains(&"GRAPH-03".into())
    );

    // partOf closed to the root, or not.
    let parent = by(org["partOf"]["reference"].as_str().expect("partOf"));
    let iterate = "_include=HealthcareService:organization&_include:iterate=Organization:partof";
    assert!(graph_rules(&good, iterate, Some(1)).contains(&"GRAPH-05".into()));
    let mut chain = vec![
        (hs.clone(), "match"),
        (org.clone(), "include"),
        (parent.clone(), "include"),
    ];
    if let Some(root) = parent["partOf"]["reference"].as_str() {
        chain.push((by(root), "include"));
    }
    assert!(
        !graph_rules(&bundle(chain, 1, &["self"]), iterate, Some(1)).contains(&"GRAPH-05".into())
    );

    // A revincluded role must point to a matched offer.
    let role = ds
        .resources
        .iter()
        .find(|r| r["resourceType"] == "PractitionerRole")
        .cloned()
        .expect("role");
    let rev = "_revinclude=PractitionerRole:service";
    let stray = bundle(
        vec![
            (by("HealthcareService/hs-2"), "match"),
            (role.clone(), "include"),
        ],
        1,
        &["self"],
    );
    let target = by(role["healthcareService"][0]["reference"]
        .as_str()
        .expect("service"));
    let fine = bundle(vec![(target, "match"), (role, "include")], 1, &["self"]);
    assert!(!graph_rules(&fine, rev, Some(1)).contains(&"GRAPH-06".into()));
    assert!(graph_rules(&stray, rev, Some(1)).contains(&"GRAPH-06".into()));
}

#[test]
fn restricted_data_served_to_profile_0_is_caught() {
    let ds = dataset();
    let restricted = ds
        .resources
        .iter()
        .find(|r| {
            r["resourceType"] == "HealthcareService"
                && r.to_string()
                    .contains("TRE-R283-NiveauConfidentialite\",\"code\":\"2\"")
        })
        .cloned()
        .expect("an offer with a restricted contact");
    assert!(rules_of(&visibility::check(&Tree::of(&restricted), Some(1))).is_empty());
    assert!(
        rules_of(&visibility::check(&Tree::of(&restricted), Some(0))).contains(&"VIS-01".into())
    );
    assert!(
        rules_of(&visibility::check(&Tree::of(&restricted), Some(4))).contains(&"VIS-01".into())
    );

    let mut sensitive = first("HealthcareService");
    if let Some(exts) = sensitive["extension"].as_array_mut() {
        for e in exts.iter_mut().filter(|e| {
            e["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("sensitive-unit"))
        }) {
            e["valueBoolean"] = json!(true);
        }
    }
    let loc = ds
        .resources
        .iter()
        .find(|r| Some(label(r).as_str()) == sensitive["location"][0]["reference"].as_str())
        .cloned()
        .expect("location");
    let b = bundle(vec![(sensitive, "match"), (loc, "include")], 1, &["self"]);
    assert!(graph_rules(&b, "", Some(0)).contains(&"VIS-02".into()));
    assert!(!graph_rules(&b, "", Some(1)).contains(&"VIS-02".into()));
}

mod capability_statement {
    use super::*;

    fn ig_statement() -> Value {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/capability/CapabilityStatement-ror-serveur.json"
        )))
        .expect("IG statement")
    }

    fn mock_statement() -> Value {
        rorcheck_mock::capability::statement("http://127.0.0.1:1/fhir")
    }

    fn rules(cs: &Value) -> Vec<String> {
        rules_of(&capability::check(cs))
    }

    #[test]
    fn the_requirements_load_and_both_the_ig_and_the_mock_statements_meet_them() {
        assert!(capability::Requirements::shipped().is_ok());
        // The IG writes its include lists as one comma-joined string: tolerated.
        assert_eq!(rules(&ig_statement()), Vec::<String>::new());
        assert_eq!(rules(&mock_statement()), Vec::<String>::new());
    }

    #[test]
    fn a_wildcard_include_list_stands_for_every_include() {
        let mut cs = mock_statement();
        for r in cs["rest"][0]["resource"].as_array_mut().expect("resources") {
            r["searchInclude"] = json!(["*"]);
            r["searchRevInclude"] = json!(["*"]);
        }
        assert_eq!(rules(&cs), Vec::<String>::new());
    }

    fn resource_mut<'a>(cs: &'a mut Value, ty: &str) -> &'a mut Value {
        cs["rest"][0]["resource"]
            .as_array_mut()
            .and_then(|a| a.iter_mut().find(|r| r["type"] == ty))
            .expect("resource")
    }

    #[test]
    fn each_rule_catches_the_defect_it_is_for() {
        type Mutation = fn(&mut Value);
        let cases: [(&str, Severity, Mutation); 8] = [
            ("CS-01", Severity::Error, |cs| {
                cs["fhirVersion"] = json!("3.0.2")
            }),
            ("CS-02", Severity::Error, |cs| cs["format"] = json!(["xml"])),
            ("CS-03", Severity::Error, |cs| {
                cs["rest"][0]["mode"] = json!("client")
            }),
            ("CS-04", Severity::Error, |cs| {
                cs["rest"][0]["security"] = json!({ "cors": false })
            }),
            ("CS-05", Severity::Error, |cs| {
                resource_mut(cs, "Organization")["interaction"] = json!([{ "code": "read" }])
            }),
            ("CS-06", Severity::Error, |cs| {
                let hs = resource_mut(cs, "HealthcareService");
                if let Some(params) = hs["searchParam"].as_array_mut() {
                    params.retain(|p| p["name"] != "_lastUpdated");
                }
            }),
            ("CS-07", Severity::Error, |cs| {
                resource_mut(cs, "HealthcareService")["searchRevInclude"] = json!(["Task:focus"])
            }),
            ("CS-08", Severity::Warning, |cs| {
                cs["rest"][0].as_object_mut().map(|r| r.remove("operation"));
            }),
        ];
        for (rule, severity, mutate) in cases {
            let mut cs = mock_statement();
            mutate(&mut cs);
            let found = capability::check(&cs);
            assert!(
                found
                    .iter()
                    .any(|f| f.rule == rule && f.severity == severity),
                "{rule}: {found:?}"
            );
            assert!(
                found.iter().all(|f| f.rule == rule),
                "{rule} only: {found:?}"
            );
        }
        // A missing resource is named.
        let mut cs = mock_statement();
        if let Some(list) = cs["rest"][0]["resource"].as_array_mut() {
            list.retain(|r| r["type"] != "Location");
        }
        let found = capability::check(&cs);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "CS-05" && f.message.contains("Location"))
        );
    }
}

fn by_id(id: &str) -> Value {
    dataset()
        .resources
        .into_iter()
        .find(|r| r["id"] == id)
        .expect("in the dataset")
}

#[test]
fn element_rules_of_the_access_profiles_are_checked() {
    let only_visibility = Aspects {
        profiles: false,
        nomenclatures: false,
        graph: false,
        visibility: true,
        capability: false,
    };
    let rules = |body: &Value, profile: u8| {
        let ctx = Context {
            access_profile: Some(profile),
            ..Context::default()
        };
        rules_of(&check(body, &ctx, only_visibility))
    };
    // Capacities and equipment: not for profile 0; profile 5 sees installed ones only.
    let location = by_id("loc-3");
    assert!(rules(&location, 1).is_empty());
    assert!(rules(&location, 0).contains(&"VIS-04".to_owned()));
    assert!(rules(&location, 5).contains(&"VIS-04".to_owned()));
    // ORSAN level and drop zone: profile 1 only.
    let eg = by_id("eg-2");
    assert!(!rules(&eg, 1).contains(&"VIS-05".to_owned()));
    assert!(rules(&eg, 2).contains(&"VIS-05".to_owned()));
    // A PractitionerRole of a sensitive unit, of a non-ambulatory offer for profile 0.
    let bundle = |offer: &str, role: &str| {
        json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": by_id(offer), "search": {"mode": "match"}},
            {"resource": by_id(role), "search": {"mode": "include"}}
        ]})
    };
    assert!(rules(&bundle("hs-8", "prr-6"), 2).contains(&"VIS-06".to_owned()));
    assert!(rules(&bundle("hs-1", "prr-1"), 0).contains(&"VIS-06".to_owned()));
    assert!(!rules(&bundle("hs-1", "prr-1"), 2).contains(&"VIS-06".to_owned()));
    assert!(!rules(&bundle("hs-10", "prr-7"), 0).contains(&"VIS-06".to_owned()));
}

#[test]
fn a_generated_national_size_dataset_has_zero_structural_findings() {
    // 10,000 offers: every generator branch (every modulo of the offer and organisation
    // numbers, every region) many times over.
    let ds = rorcheck_mock::Dataset::generate(rorcheck_mock::GenerateOptions {
        offers: 10_000,
        ..rorcheck_mock::GenerateOptions::default()
    });
    let shapes = shapes::Shapes::shipped().expect("shapes");
    let rules = profiles::Rules::shipped();
    let mut count = 0;
    let mut first = Vec::new();
    for r in &ds.resources {
        let r = Tree::of(r);
        for f in shapes.check(&r).into_iter().chain(rules.check(&r)) {
            count += 1;
            if first.len() < 10 {
                first.push(f.to_string());
            }
        }
    }
    assert!(ds.resources.len() > 30_000, "{}", ds.resources.len());
    assert_eq!(count, 0, "{first:#?}");
}

#[test]
fn a_member_is_found_in_small_and_large_objects_alike() {
    for size in [0, 1, 5, 12, 13, 40] {
        let object: serde_json::Map<String, Value> = (0..size)
            .map(|i| (format!("k{i}"), Value::from(i)))
            .collect();
        let object = Value::Object(object);
        let tree = Tree::of(&object);
        let members = tree.as_object().expect("an object");
        for i in 0..size {
            let found = super::member(members, &format!("k{i}"));
            assert!(found.is_some_and(|v| v.same_as(&object[format!("k{i}")])));
        }
        assert_eq!(super::member(members, "absent"), None);
        assert_eq!(tree.get("k0").is_some(), size > 0);
    }
    assert_eq!(Tree::of(&json!([1])).get("k0"), None);
}

#[test]
fn a_place_is_written_as_the_indexed_path_it_was_found_at() {
    let v = json!({
        "a": [{"b": [1, {"c": 2}]}, {"b": {"c": 3}}, {"x": 0}],
        "one": {"two": {"three": [{"four": {"five": {"six": [7, {"seven": [8, 9]}]}}}]}}
    });
    let tree = Tree::of(&v);
    let found = |path| -> Vec<(String, Value)> {
        profiles::at(&tree, path)
            .into_iter()
            .map(|(p, v)| (p.to_string(), serde_json::to_value(v).expect("JSON")))
            .collect()
    };
    assert_eq!(
        found("a.b"),
        [
            ("a[0].b[0]".to_owned(), json!(1)),
            ("a[0].b[1]".to_owned(), json!({"c": 2})),
            ("a[1].b".to_owned(), json!({"c": 3})),
        ]
    );
    assert_eq!(
        found("a.b.c"),
        [
            ("a[0].b[1].c".to_owned(), json!(2)),
            ("a[1].b.c".to_owned(), json!(3))
        ]
    );
    assert_eq!(found("a.absent"), []);
    // Deeper than a place indexes: the value is still found, its deepest index unsaid.
    assert_eq!(
        found("one.two.three.four.five.six.seven"),
        [
            (
                "one.two.three[0].four.five.six[1].seven".to_owned(),
                json!(8)
            ),
            (
                "one.two.three[0].four.five.six[1].seven".to_owned(),
                json!(9)
            ),
        ]
    );
}

#[test]
fn every_shipped_path_is_indexed_whole() {
    // A place indexes its first segments: every path the shipped shapes and rules look up
    // fits.
    for data in [
        include_str!("data/profiles.yaml"),
        include_str!("data/shapes.yaml"),
    ] {
        for line in data.lines() {
            for key in ["path: ", "on: "] {
                if let Some((_, rest)) = line.split_once(key) {
                    let path = rest.split([',', ' ', '}']).next().unwrap_or("");
                    assert!(path.split('.').count() <= profiles::Place::DEPTH, "{path}");
                }
            }
        }
    }
}
