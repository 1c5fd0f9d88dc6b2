//! What an export's files held, tallied resource by resource: counts per type, duplicates,
//! references left dangling, conformance findings; judged against an `exported` assertion.

use rorcheck_i18n::{Lang, t};
use std::collections::{BTreeMap, HashSet};

use crate::assert::{FindingCounts, Verdict, findings_verdict};
use rorcheck_conformance::{self as conformance, Aspects, Finding, Severity, Tree};
use rorcheck_scenario::ExportedSpec;

/// Findings kept in full for the report; the others are only counted.
pub(crate) const KEPT_FINDINGS: usize = 50;

/// Duplicates and dangling references named in the report.
pub(super) const NAMED: usize = 5;

/// How an output file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// One resource per line (`application/fhir+ndjson`).
    Ndjson,
    /// A Bundle whose entries hold the resources (`application/fhir+json`, what the real
    /// ROR serves).
    Bundle,
}

impl FileFormat {
    pub(crate) fn from_content_type(ct: &str) -> Option<FileFormat> {
        let media = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/fhir+ndjson" | "application/ndjson" | "application/x-ndjson" => {
                Some(FileFormat::Ndjson)
            }
            "application/fhir+json" | "application/json" => Some(FileFormat::Bundle),
            _ => None,
        }
    }
}

/// One output file as read.
#[derive(Debug, Clone, Default)]
pub struct FileTally {
    /// The type the manifest gives the file.
    pub resource_type: String,
    /// The manifest's `count`, if it gives one.
    pub declared: Option<u64>,
    /// Resources read.
    pub read: u64,
    /// Resources of another type than the manifest's.
    pub foreign: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Why the file could not be read to the end.
    pub error: Option<String>,
}

/// The references `_myCompleteExtract` promises to make resolvable: (source type, element).
pub(super) const PROMISED: &[(&str, &str)] = &[
    ("HealthcareService", "providedBy"),
    ("HealthcareService", "location"),
    ("Organization", "partOf"),
    ("PractitionerRole", "practitioner"),
    ("PractitionerRole", "healthcareService"),
];

/// What one resource of a file showed, before it is counted.
#[derive(Debug)]
pub(super) struct Examined {
    resource_type: String,
    label: String,
    /// The promised references it makes: (element, target).
    references: Vec<(&'static str, String)>,
    findings: Vec<Finding>,
}

/// Works out what a resource shows: the per-resource half of the tally, which needs nothing
/// of the resources before it, so that several threads can do it.
#[derive(Debug, Clone)]
pub(super) struct Examiner {
    aspects: Option<Aspects>,
    context: conformance::Context,
}

impl Examiner {
    pub(super) fn examine(&self, resource: &Tree) -> Examined {
        let resource_type = resource["resourceType"].as_str().unwrap_or("?").to_owned();
        let mut references = Vec::new();
        for (source, element) in PROMISED {
            if *source != resource_type {
                continue;
            }
            let refs: Vec<&Tree> = match &resource[*element] {
                Tree::Array(items) => items.iter().collect(),
                Tree::Null => Vec::new(),
                one => vec![one],
            };
            for r in refs {
                if let Some(target) = r["reference"].as_str() {
                    references.push((*element, target.to_owned()));
                }
            }
        }
        let findings = match self.aspects {
            // Search-graph rules judge a search response, not a file: not applied here.
            Some(aspects) => conformance::check_resource(
                resource,
                &self.context,
                Aspects {
                    graph: false,
                    capability: false,
                    ..aspects
                },
            ),
            None => Vec::new(),
        };
        Examined {
            label: conformance::label_of(resource),
            resource_type,
            references,
            findings,
        }
    }
}

/// Everything learnt from the files of one export.
#[derive(Debug, Default)]
pub struct ExportTally {
    /// The types the manifest lists.
    pub manifest_types: Vec<String>,
    /// One tally a file.
    pub files: Vec<FileTally>,
    /// Resources read, by type.
    pub per_type: BTreeMap<String, u64>,
    ids: HashSet<String>,
    /// `Type/id` of resources exported more than once (a sample).
    pub duplicates: Vec<String>,
    /// How many were.
    pub duplicate_count: usize,
    /// (from, element, to) for the promised references.
    references: Vec<(String, &'static str, String)>,
    /// Conformance findings (a sample).
    pub findings: Vec<Finding>,
    /// Counts of all findings.
    pub finding_counts: FindingCounts,
    /// Counts per rule and severity, all findings included (the kept ones are a sample).
    pub rules: BTreeMap<(String, Severity), usize>,
    aspects: Option<Aspects>,
    context: conformance::Context,
}

impl ExportTally {
    /// `aspects`: the conformance checks to apply to each resource, if any.
    pub fn new(aspects: Option<Aspects>, context: conformance::Context) -> Self {
        ExportTally {
            aspects,
            context,
            ..ExportTally::default()
        }
    }

    /// What works a resource out apart from the tally (on any thread).
    pub(super) fn examiner(&self) -> Examiner {
        Examiner {
            aspects: self.aspects,
            context: self.context.clone(),
        }
    }

    /// Counts one examined resource into the file being read (the last one pushed to
    /// `files`), in file order.
    pub(super) fn record(&mut self, examined: Examined) {
        let Some(file) = self.files.last_mut() else {
            return;
        };
        file.read += 1;
        if examined.resource_type != file.resource_type {
            file.foreign += 1;
        }
        let Examined {
            resource_type,
            label,
            references,
            findings,
        } = examined;
        *self.per_type.entry(resource_type).or_default() += 1;
        for (element, target) in references {
            self.references.push((label.clone(), element, target));
        }
        if !self.ids.insert(label.clone()) {
            self.duplicate_count += 1;
            if self.duplicates.len() < NAMED {
                self.duplicates.push(label);
            }
        }
        for f in findings {
            *self.rules.entry((f.rule.clone(), f.severity)).or_default() += 1;
            match f.severity {
                Severity::Error => self.finding_counts.errors += 1,
                Severity::Warning => self.finding_counts.warnings += 1,
            }
            if self.findings.len() < KEPT_FINDINGS {
                self.findings.push(f);
            }
        }
    }

    fn resources_read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }

    /// References among the promised ones whose target type was exported but whose target
    /// was not.
    pub fn dangling(&self) -> Vec<&(String, &'static str, String)> {
        let exported: HashSet<&str> = self.manifest_types.iter().map(String::as_str).collect();
        self.references
            .iter()
            .filter(|(_, _, to)| {
                let ty = to.split('/').next().unwrap_or("");
                exported.contains(ty) && !self.ids.contains(to)
            })
            .collect()
    }

    /// Judges the files against an `exported` assertion.
    pub fn judge(&self, spec: &ExportedSpec) -> Verdict {
        let mut problems = Vec::new();
        for f in &self.files {
            if let Some(e) = &f.error {
                problems.push(format!("fichier {} illisible : {e}", f.resource_type));
            }
        }
        if let Some(types) = &spec.types {
            let mut want: Vec<&str> = types.iter().map(String::as_str).collect();
            let mut got: Vec<&str> = self.manifest_types.iter().map(String::as_str).collect();
            want.sort_unstable();
            got.sort_unstable();
            got.dedup();
            if want != got {
                problems.push(t!(
                    Lang::current(),
                    "x-types",
                    got = got.join(", "),
                    want = want.join(", ")
                ));
            }
        }
        for (ty, cmp) in &spec.resources {
            let n = self.per_type.get(ty).copied().unwrap_or(0);
            if !cmp.holds(n) {
                problems.push(t!(
                    Lang::current(),
                    "x-count-of-type",
                    n = n,
                    ty = ty,
                    cmp = cmp
                ));
            }
        }
        if spec.counts_match {
            for f in &self.files {
                if let Some(d) = f.declared
                    && d != f.read
                    && f.error.is_none()
                {
                    problems.push(format!(
                        "fichier {} : {} ressource(s) lue(s), le manifeste en annonce {d}",
                        f.resource_type, f.read
                    ));
                }
                if f.foreign > 0 {
                    problems.push(format!(
                        "fichier {} : {} ressource(s) d'un autre type",
                        f.resource_type, f.foreign
                    ));
                }
            }
        }
        if spec.unique && self.duplicate_count > 0 {
            problems.push(t!(
                Lang::current(),
                "x-duplicates",
                duplicate_count = self.duplicate_count,
                duplicates = self.duplicates.join(", ")
            ));
        }
        if spec.references_resolve {
            let dangling = self.dangling();
            if !dangling.is_empty() {
                let named: Vec<String> = dangling
                    .iter()
                    .take(NAMED)
                    .map(|(from, element, to)| format!("{from}.{element} → {to}"))
                    .collect();
                problems.push(t!(
                    Lang::current(),
                    "x-dangling",
                    dangling_count = dangling.len(),
                    named = named.join(", ")
                ));
            }
        }
        let summary = format!(
            "{} fichier(s), {} ressource(s) lue(s) ({})",
            self.files.len(),
            self.resources_read(),
            self.per_type
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let expected = t!(Lang::current(), "x-files-ok");
        let actual = if problems.is_empty() {
            summary
        } else {
            format!("{summary} ; {}", problems.join(" ; "))
        };
        Verdict::new(problems.is_empty(), expected, actual)
    }

    /// The conformance verdict over every exported resource, for the aspects asked.
    pub(crate) fn conformance_verdict(&self, aspects: Aspects) -> Verdict {
        let keep = |rule: &str| {
            let family = rule.split('-').next().unwrap_or("");
            match family {
                "ROR" => aspects.profiles,
                "NOS" => aspects.nomenclatures,
                "VIS" => aspects.visibility,
                _ => true,
            }
        };
        let shown: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| keep(&f.rule))
            .cloned()
            .collect();
        let mut counts = FindingCounts::default();
        for ((rule, severity), n) in &self.rules {
            if keep(rule) {
                match severity {
                    Severity::Error => counts.errors += n,
                    Severity::Warning => counts.warnings += n,
                }
            }
        }
        findings_verdict(
            &shown,
            counts,
            &t!(Lang::current(), "x-exported", count = self.resources_read()),
        )
    }
}
