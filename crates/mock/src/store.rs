//! The dataset indexed for search: by type, by id, and the organisation hierarchy.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::dataset::Dataset;
use super::visibility;

/// One stored resource with what searches need precomputed.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The resource as served.
    pub resource: Arc<Value>,
    /// Its `resourceType`.
    pub resource_type: String,
    /// Its `id`.
    pub id: String,
    /// Its `meta.lastUpdated`, parsed.
    pub last_updated: Option<DateTime<FixedOffset>>,
    /// The offers it serves, as the access rules need them (`visibility::Offers`).
    pub offers: visibility::Offers,
    /// The JSON each access profile (0 to 5) receives, serialised once on first use;
    /// `None` when the profile may not see the resource.
    rendered: [OnceLock<Option<Arc<str>>>; 6],
}

impl Stored {
    /// Whether this access profile may not see it at all.
    pub fn hidden_from(&self, profile: u8) -> bool {
        visibility::is_hidden(&self.resource, profile, &self.offers)
    }

    /// `Type/id`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.resource_type, self.id)
    }

    /// The resource as `profile` sees it, as JSON text.
    pub fn rendered(&self, profile: u8) -> Option<Arc<str>> {
        let slot = usize::from(profile.min(5));
        self.rendered[slot]
            .get_or_init(|| {
                visibility::visible(&self.resource, profile, &self.offers)
                    .map(|v| Arc::from(v.to_string()))
            })
            .clone()
    }
}

/// The data a mock serves, indexed for its searches.
#[derive(Debug, Default)]
pub struct Store {
    /// All resources in dataset order (the order searches return them in).
    pub all: Vec<Stored>,
    by_key: HashMap<String, usize>,
    by_type: HashMap<String, Vec<usize>>,
    /// `(type, identifier value)` → resources, so that identifier searches need no scan.
    by_identifier: HashMap<(String, String), Vec<usize>>,
    /// `Source:param|Target/id` → the resources of type Source whose `param` points there
    /// (reverse includes, `_has`).
    referrers: HashMap<String, Vec<usize>>,
}

/// The references searches follow, as `Source:param` and the element that holds them
/// (includes one way, reverse includes the other).
pub(crate) const REFERENCES: &[(&str, &str)] = &[
    ("HealthcareService:organization", "providedBy"),
    ("HealthcareService:location", "location"),
    ("Organization:partof", "partOf"),
    ("PractitionerRole:practitioner", "practitioner"),
    ("PractitionerRole:service", "healthcareService"),
    ("PractitionerRole:organization", "organization"),
    ("PractitionerRole:location", "location"),
    ("Location:organization", "managingOrganization"),
    ("Location:partof", "partOf"),
    ("Task:focus", "focus"),
];

/// The element a `Source:param` reference is held in.
pub(crate) fn reference_element(param: &str) -> Option<&'static str> {
    REFERENCES
        .iter()
        .find(|(k, _)| *k == param)
        .map(|(_, e)| *e)
}

/// `Type/id` from a relative or absolute reference.
pub(crate) fn reference_key(reference: &Value) -> Option<String> {
    let r = reference.get("reference")?.as_str()?;
    let mut parts = r.rsplit('/');
    let id = parts.next()?;
    let ty = parts.next()?;
    Some(format!("{ty}/{id}"))
}

impl Store {
    /// The store of `dataset`, indexes built.
    pub fn new(dataset: Dataset) -> Self {
        let mut store = Store::default();
        for resource in dataset.resources {
            let resource_type = resource["resourceType"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let id = resource["id"].as_str().unwrap_or_default().to_owned();
            let last_updated = resource
                .pointer("/meta/lastUpdated")
                .and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
            let index = store.all.len();
            for ident in resource["identifier"].as_array().into_iter().flatten() {
                if let Some(value) = ident["value"].as_str() {
                    store
                        .by_identifier
                        .entry((resource_type.clone(), value.to_owned()))
                        .or_default()
                        .push(store.all.len());
                }
            }
            let stored = Stored {
                resource: Arc::new(resource),
                resource_type: resource_type.clone(),
                id,
                last_updated,
                offers: visibility::Offers::default(),
                rendered: Default::default(),
            };
            store.by_key.insert(stored.key(), index);
            store.by_type.entry(resource_type).or_default().push(index);
            store.all.push(stored);
        }
        for (index, s) in store.all.iter().enumerate() {
            for (param, element) in REFERENCES {
                if param.split(':').next() != Some(s.resource_type.as_str()) {
                    continue;
                }
                let targets: Vec<&Value> = match &s.resource[*element] {
                    Value::Array(refs) => refs.iter().collect(),
                    single => vec![single],
                };
                for k in targets.into_iter().filter_map(reference_key) {
                    store
                        .referrers
                        .entry(format!("{param}|{k}"))
                        .or_default()
                        .push(index);
                }
            }
        }
        store.offer_contexts();
        store
    }

    /// The offers each PractitionerRole and Location serves, for the access rules.
    fn offer_contexts(&mut self) {
        let offer = |store: &Store, i: usize| {
            let r = &store.all[i].resource;
            let field = visibility::field(r);
            visibility::Offers {
                sensitive: visibility::is_sensitive_unit(r),
                medico_social: field == Some("04"),
                ambulatory: field == Some("05"),
            }
        };
        let mut contexts = Vec::new();
        for (i, s) in self.all.iter().enumerate() {
            let served: Vec<usize> = match s.resource_type.as_str() {
                "PractitionerRole" => s.resource["healthcareService"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| self.resolve(r))
                    .collect(),
                "Location" => self
                    .referrers("HealthcareService:location", &s.key())
                    .to_vec(),
                "Task" => self.resolve(&s.resource["focus"]).into_iter().collect(),
                _ => continue,
            };
            let each: Vec<visibility::Offers> = served.iter().map(|o| offer(self, *o)).collect();
            contexts.push((
                i,
                visibility::Offers {
                    sensitive: !each.is_empty() && each.iter().all(|o| o.sensitive),
                    medico_social: each.iter().any(|o| o.medico_social),
                    ambulatory: each.iter().any(|o| o.ambulatory),
                },
            ));
        }
        for (i, context) in contexts {
            self.all[i].offers = context;
        }
    }

    /// Indexes (into `all`) of the resources of one type.
    pub fn of_type(&self, resource_type: &str) -> &[usize] {
        self.by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// Resources of a type carrying an identifier with this value (any system).
    pub(crate) fn with_identifier(&self, resource_type: &str, value: &str) -> &[usize] {
        self.by_identifier
            .get(&(resource_type.to_owned(), value.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn index_of(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The resource with key `Type/id`.
    pub fn get(&self, key: &str) -> Option<&Stored> {
        self.index_of(key).map(|i| &self.all[i])
    }

    /// The resource a reference points to, if it is in the store.
    pub fn resolve(&self, reference: &Value) -> Option<usize> {
        reference_key(reference).and_then(|k| self.index_of(&k))
    }

    pub(crate) fn roles_of_service(&self, service_key: &str) -> &[usize] {
        self.referrers("PractitionerRole:service", service_key)
    }

    /// The resources whose `param` (`Source:param`) points at `target_key`.
    pub(crate) fn referrers(&self, param: &str, target_key: &str) -> &[usize] {
        self.referrers
            .get(&format!("{param}|{target_key}"))
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn org_chain(&self, start: usize) -> Vec<usize> {
        let mut chain = vec![start];
        let mut current = start;
        while let Some(parent) = self.resolve(&self.all[current].resource["partOf"]) {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }
}
