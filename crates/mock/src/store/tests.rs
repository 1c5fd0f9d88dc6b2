//! The store: what it holds and serves, built every way.

use super::*;
use crate::dataset::GenerateOptions;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

#[test]
fn a_view_for_one_read_is_the_cached_view_and_is_not_kept() {
    let store = Store::new(Dataset::generate(GenerateOptions {
        offers: 30,
        ..GenerateOptions::default()
    }));
    for stored in &store.all {
        for profile in 0..=5 {
            let once = stored.rendered_once(profile).map(|v| v.to_string());
            assert!(!stored.is_rendered(profile), "{}", stored.key());
            let cached = stored.rendered(profile);
            assert_eq!(once.as_deref(), cached.as_deref(), "{}", stored.key());
            // From the cache, once it is there.
            assert_eq!(stored.rendered_once(profile).map(|v| v.to_string()), once);
        }
    }
}

#[test]
fn views_written_ahead_are_the_views_read_back() {
    let opts = GenerateOptions {
        offers: 120,
        ..GenerateOptions::default()
    };
    for (profile, regenerated) in (0..=6).flat_map(|p| [(p, false), (p, true)]) {
        let store = Store::collect_parts_ahead(
            Dataset::generate_parts(opts, 2),
            Building {
                ahead: Ahead(Some(profile)),
                regenerated,
            },
        );
        // Profile 1's view is the text: written ahead only when the text is not kept
        // (it is for the NOS cases, which no unit generates).
        let text_kept = |s: &Stored| matches!(s.body, Body::Packed { .. });
        let mut ahead = 0;
        for stored in &store.all {
            let offer = &*stored.resource_type == "HealthcareService";
            let expected =
                offer && (profile != 1 || !text_kept(stored)) && !stored.hidden_from(profile);
            assert_eq!(stored.is_rendered(profile), expected, "{}", stored.key());
            if expected {
                ahead += 1;
                let written = stored.rendered(profile).expect("visible");
                // Read back from the stored text, as without a view ahead.
                let read_back = match profile {
                    1 => stored.text(),
                    p => stored.visible_text(p.min(5)),
                };
                assert_eq!(*written, read_back, "{}", stored.key());
            }
        }
        let offers = store.of_type("HealthcareService").len();
        let generated_offers = store
            .of_type("HealthcareService")
            .iter()
            .filter(|i| !text_kept(&store.all[**i]))
            .count();
        match profile {
            1 if !regenerated => assert_eq!(ahead, 0),
            1 => assert!(ahead == generated_offers && ahead > offers / 2),
            // Sensitive units are hidden from profile 0: not written for it.
            0 => assert!(ahead > 0 && ahead < offers, "{ahead} of {offers}"),
            _ => assert_eq!(ahead, offers),
        }
    }
    // Without a profile ahead, nothing is written before it is read.
    let store = Store::collect_parts(Dataset::generate_parts(opts, 2));
    assert!(store.all.iter().all(|s| !s.is_rendered(0)));
}

#[test]
fn a_store_without_texts_serves_what_the_store_with_them_does() {
    // Every resource of a store that keeps no text is generated again when read: the
    // same text, facts and views as where it is compressed, whatever the order of the
    // reads (units kept, evicted, read again), and the NOS cases (which have no unit)
    // kept as text.
    let opts = GenerateOptions {
        offers: 260,
        ..GenerateOptions::default()
    };
    let packed = Store::collect_parts(Dataset::generate_parts(opts, 3));
    let regenerated = Store::collect_parts_ahead(
        Dataset::generate_parts(opts, 3),
        Building {
            ahead: Ahead(Some(0)),
            regenerated: true,
        },
    );
    same_store(&regenerated, &packed);
    let n = regenerated.all.len();
    // Backwards, then by a stride across units: each read misses the units kept.
    for i in (0..n).rev().chain((0..n).map(|i| (i * 37) % n)) {
        let (r, p) = (&regenerated.all[i], &packed.all[i]);
        assert_eq!(r.text(), p.text(), "{}", r.key());
        for profile in 0..=5 {
            assert_eq!(
                r.rendered(profile).as_deref(),
                p.rendered(profile).as_deref(),
                "{} for profile {profile}",
                r.key()
            );
        }
    }
    let held = |s: &Store| s.all.iter().map(|s| s.body.held()).sum::<usize>();
    let nos_cases = regenerated
        .all
        .iter()
        .filter(|s| matches!(s.body, Body::Packed { .. }))
        .count();
    assert!(nos_cases > 0 && nos_cases < 20, "{nos_cases} texts kept");
    assert!(held(&regenerated) * 20 < held(&packed));
}

#[test]
fn every_resource_reads_back_as_it_was_stored() {
    let dataset = Dataset::generate(GenerateOptions {
        offers: 40,
        ..GenerateOptions::default()
    });
    let store = Store::new(dataset.clone());
    assert_eq!(store.all.len(), dataset.resources.len());
    for (stored, original) in store.all.iter().zip(&dataset.resources) {
        assert_eq!(*stored.resource(), *original);
        assert_eq!(stored.text(), original.to_string());
        for profile in 0..=5 {
            let expected =
                visibility::visible(original, profile, &stored.offers).map(|v| v.to_string());
            assert_eq!(
                stored.rendered(profile).as_deref(),
                expected.as_deref(),
                "{} for profile {profile}",
                stored.key()
            );
            assert_eq!(
                stored.hidden_from(profile),
                visibility::is_hidden(original, profile, &stored.offers)
            );
        }
    }
    // The text is held compressed: a fraction of its size.
    let text: usize = dataset.resources.iter().map(|r| r.to_string().len()).sum();
    let held: usize = store.all.iter().map(|s| s.body.held()).sum();
    assert!(
        held * 4 < text,
        "{held} bytes held for {text} bytes of JSON"
    );
}

#[test]
fn a_generated_store_is_the_store_of_its_dataset() {
    // The mock stores the generator's trees as they come, on several threads; the same
    // dataset as `Value`s must give the same texts and the same facts.
    let opts = GenerateOptions {
        offers: 250,
        ..GenerateOptions::default()
    };
    let from_values = Store::new(Dataset::generate(opts));
    // More pieces than cores too: they are compacted a few at a time, finished in any
    // order, indexed in theirs.
    for pieces in [3, 7] {
        same_store(
            &Store::collect_parts(Dataset::generate_parts(opts, pieces)),
            &from_values,
        );
    }
}

fn same_store(generated: &Store, from_values: &Store) {
    assert_eq!(generated.all.len(), from_values.all.len());
    for (g, v) in generated.all.iter().zip(&from_values.all) {
        assert_eq!(g.text(), v.text());
        assert_eq!(
            (&g.resource_type, &g.id, g.last_updated, &g.refs),
            (&v.resource_type, &v.id, v.last_updated, &v.refs)
        );
        assert_eq!((g.own, g.offers), (v.own, v.offers), "{}", g.key());
    }
    assert_eq!(generated.by_identifier, from_values.by_identifier);
    assert_eq!(generated.referrers, from_values.referrers);
    assert!(generated.all.iter().any(|s| s.own.sensitive));
    assert!(generated.all.iter().any(|s| s.own.medico_social));
}

#[test]
fn references_are_resolved_both_ways() {
    let store = Store::new(Dataset::generate(GenerateOptions::default()));
    let mut followed = 0;
    for (i, s) in store.all.iter().enumerate() {
        let r = s.resource();
        for (param, element) in REFERENCES {
            if param.split(':').next() != Some(&*s.resource_type) {
                continue;
            }
            let expected: Vec<usize> = match &r[*element] {
                Value::Array(refs) => refs.iter().filter_map(|x| store.resolve(x)).collect(),
                single => store.resolve(single).into_iter().collect(),
            };
            assert_eq!(s.targets(param).collect::<Vec<_>>(), expected);
            for t in expected {
                assert!(store.referrers(param, &store.all[t].key()).contains(&i));
                followed += 1;
            }
        }
    }
    assert!(followed > 100, "{followed}");
}

/// Each resource's references, and each target's referrers.
type Resolved = (Vec<Vec<(u8, usize)>>, Vec<((u8, usize), Vec<usize>)>);

/// References resolved once every resource is in, a key naming its last resource.
fn resolved_at_the_end(resources: &[Value]) -> Resolved {
    let key = |r: &Value| {
        format!(
            "{}/{}",
            r["resourceType"].as_str().unwrap_or_default(),
            r["id"].as_str().unwrap_or_default()
        )
    };
    let last: HashMap<String, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (key(r), i))
        .collect();
    let mut refs = Vec::new();
    let mut referrers: BTreeMap<(u8, usize), Vec<usize>> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        let mut own = Vec::new();
        for (n, (param, element)) in REFERENCES.iter().enumerate() {
            if param.split(':').next() != r["resourceType"].as_str() {
                continue;
            }
            let held = match &r[*element] {
                Value::Array(all) => all.clone(),
                Value::Null => Vec::new(),
                one => vec![one.clone()],
            };
            for target in held
                .iter()
                .filter_map(reference_key)
                .filter_map(|k| last.get(&k))
            {
                own.push((n as u8, *target));
                referrers.entry((n as u8, *target)).or_default().push(i);
            }
        }
        refs.push(own);
    }
    (refs, referrers.into_iter().collect())
}

#[test]
fn references_resolve_as_if_every_resource_were_in() {
    // Most references are resolved as their resource comes in: forward ones, ones to
    // nothing, repeated ones and keys that come in twice must end as if all were
    // resolved at the end.
    let r = |reference: &str| json!({ "reference": reference });
    let org = |id: &str, part_of: Option<&str>| match part_of {
        Some(p) => json!({"resourceType": "Organization", "id": id, "partOf": r(p)}),
        None => json!({"resourceType": "Organization", "id": id}),
    };
    let offer = json!({"resourceType": "HealthcareService", "id": "hs1",
        "providedBy": r("Organization/o1"),
        "location": [r("Location/l1"), r("Location/gone"), r("Location/l1")]});
    let location = json!({"resourceType": "Location", "id": "l1", "managingOrganization": r("Organization/o0")});
    let role = json!({"resourceType": "PractitionerRole", "id": "r1",
        "healthcareService": [r("HealthcareService/hs1")], "organization": r("Organization/o1")});
    let looped = org("o2", Some("Organization/o2"));
    let datasets = [
        // Backward only: nothing left for the end.
        vec![
            org("o0", None),
            org("o1", Some("Organization/o0")),
            location.clone(),
            offer.clone(),
            role.clone(),
            looped.clone(),
        ],
        // Forward references, and one to nothing.
        vec![
            offer.clone(),
            role.clone(),
            org("o1", Some("Organization/o0")),
            location.clone(),
            org("o0", None),
        ],
        // `Organization/o1` twice: the second is the one it names, for references
        // before and after it.
        vec![
            org("o0", None),
            org("o1", None),
            offer.clone(),
            location.clone(),
            json!({"resourceType": "PractitionerRole", "id": "r0", "organization": r("Organization/o1")}),
            org("o1", Some("Organization/o0")),
            role.clone(),
            looped,
        ],
        // A target referred to by a resource resolved at the end, then by one resolved
        // at once: its referrers still in dataset order.
        vec![
            org("o1", None),
            role,
            json!({"resourceType": "PractitionerRole", "id": "r2", "organization": r("Organization/o1")}),
            offer,
        ],
    ];
    for (n, resources) in datasets.into_iter().enumerate() {
        let (refs, referrers) = resolved_at_the_end(&resources);
        let store = Store::new(Dataset {
            resources: resources.clone(),
        });
        let held: Vec<Vec<(u8, usize)>> = store.all.iter().map(|s| s.refs.to_vec()).collect();
        assert_eq!(held, refs, "dataset {n}");
        let mut held: Vec<_> = (store.referrers.iter())
            .map(|(target, by)| (*target, by.to_vec()))
            .collect();
        held.sort();
        assert_eq!(held, referrers, "dataset {n}");
    }
}

#[test]
fn a_store_larger_than_its_cache_still_serves_every_resource() {
    // A 64 KB cache holds a few parsed resources: the others are read back from their
    // compressed text, twice over.
    let dataset = Dataset::generate(GenerateOptions::default());
    let store = Store::collect_within(
        |sink| dataset.resources.iter().cloned().for_each(sink),
        64 * 1024,
    );
    for _ in 0..4 {
        for (stored, original) in store.all.iter().zip(&dataset.resources) {
            assert_eq!(*stored.resource(), *original);
            assert_eq!(
                stored.rendered(0).as_deref(),
                visibility::visible(original, 0, &stored.offers)
                    .map(|v| v.to_string())
                    .as_deref()
            );
        }
    }
    assert!(store.all[0].views.weight() <= 64 * 1024);
}

#[test]
fn reference_keys_and_sources_read_as_before() {
    let key = |r: &str| reference_key(&json!({ "reference": r }));
    for (reference, expected) in [
        ("Organization/o1", Some("Organization/o1")),
        (
            "https://ror.example/fhir/Organization/o1",
            Some("Organization/o1"),
        ),
        ("/Organization/o1", Some("Organization/o1")),
        ("Organization/o1/_history/2", Some("_history/2")),
        ("o1", None),
        ("Organization//o1", Some("/o1")),
    ] {
        assert_eq!(key(reference).as_deref(), expected, "{reference}");
    }
    assert_eq!(reference_key(&json!({ "display": "x" })), None);
    for (n, (param, _)) in REFERENCES.iter().enumerate() {
        for ty in [
            "HealthcareService",
            "Organization",
            "Location",
            "Loc",
            "Task",
            "",
        ] {
            let before = param.split(':').next() == Some(ty);
            assert_eq!(is_source(param, ty), before, "{n} {param} {ty}");
        }
    }
}
