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
    /// The JSON each access profile (0 to 5) receives, serialised once on first use;
    /// `None` when the profile may not see the resource.
    rendered: [OnceLock<Option<Arc<str>>>; 6],
}

impl Stored {
    /// `Type/id`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.resource_type, self.id)
    }

    /// The resource as `profile` sees it, as JSON text.
    pub fn rendered(&self, profile: u8) -> Option<Arc<str>> {
        let slot = usize::from(profile.min(5));
        self.rendered[slot]
            .get_or_init(|| {
                visibility::visible(&self.resource, profile).map(|v| Arc::from(v.to_string()))
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
    /// PractitionerRoles pointing at each HealthcareService key.
    roles_by_service: HashMap<String, Vec<usize>>,
    /// HealthcareServices pointing at each Organization / Location key.
    services_by_org: HashMap<String, Vec<usize>>,
    services_by_location: HashMap<String, Vec<usize>>,
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
                rendered: Default::default(),
            };
            store.by_key.insert(stored.key(), index);
            store.by_type.entry(resource_type).or_default().push(index);
            store.all.push(stored);
        }
        for (index, s) in store.all.iter().enumerate() {
            let r = &s.resource;
            match s.resource_type.as_str() {
                "PractitionerRole" => {
                    for hs in r["healthcareService"].as_array().into_iter().flatten() {
                        if let Some(k) = reference_key(hs) {
                            store.roles_by_service.entry(k).or_default().push(index);
                        }
                    }
                }
                "HealthcareService" => {
                    if let Some(k) = reference_key(&r["providedBy"]) {
                        store.services_by_org.entry(k).or_default().push(index);
                    }
                    for loc in r["location"].as_array().into_iter().flatten() {
                        if let Some(k) = reference_key(loc) {
                            store.services_by_location.entry(k).or_default().push(index);
                        }
                    }
                }
                _ => {}
            }
        }
        store
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
        self.roles_by_service
            .get(service_key)
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn services_of_org(&self, org_key: &str) -> &[usize] {
        self.services_by_org.get(org_key).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn services_at_location(&self, location_key: &str) -> &[usize] {
        self.services_by_location
            .get(location_key)
            .map_or(&[], Vec::as_slice)
    }

    /// The organisation and every organisation above it through `partOf` (cycle-safe).
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
