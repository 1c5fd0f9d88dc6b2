//! Choosing which scenarios run: by priority, tag, modality and id pattern.

use super::model::{Modality, Priority, Scenario};

/// Every non-empty criterion must hold; within one criterion any value may match.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub priorities: Vec<Priority>,
    pub tags: Vec<String>,
    pub modalities: Vec<Modality>,
    pub ids: Vec<glob::Pattern>,
}

impl Selection {
    pub fn matches(&self, s: &Scenario) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&s.priority))
            && (self.tags.is_empty() || self.tags.iter().any(|t| s.tags.contains(t)))
            && (self.modalities.is_empty() || self.modalities.contains(&s.modality))
            && (self.ids.is_empty() || self.ids.iter().any(|p| p.matches(s.id())))
    }

    pub fn apply(&self, scenarios: Vec<Scenario>) -> Vec<Scenario> {
        scenarios.into_iter().filter(|s| self.matches(s)).collect()
    }
}
