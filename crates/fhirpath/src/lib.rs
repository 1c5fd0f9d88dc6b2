//! The one door to the FHIRPath engine (octofhir-fhirpath 0.4).
//!
//! Everything else in rorcheck sees `FhirPath::parse` and `FhirPath::evaluate` over
//! `serde_json::Value`, so swapping the engine later touches this file only.

mod document;
mod explain;
mod lex;
mod reach;

use std::sync::Arc;

use async_trait::async_trait;
use octofhir_fhir_model::provider::{ElementInfo, ModelProvider, TypeInfo};
use octofhir_fhirpath::{Collection, EvaluationContext, FhirPathEngine};
use serde_json::Value;

pub use document::Document;
pub use explain::sub_expressions;
pub use reach::Reach;

/// Why an expression could not be parsed or evaluated.
#[derive(Debug, thiserror::Error)]
pub enum FhirPathError {
    /// The expression does not parse.
    #[error("invalid FHIRPath expression `{expr}`: {message}")]
    Syntax {
        /// The expression.
        expr: String,
        /// What the parser said.
        message: String,
    },
    /// Refused before the engine sees it: its parser recurses on nesting, so a hostile
    /// scenario file could exhaust memory or the stack.
    #[error("FHIRPath expression `{shown}` refused: {reason}")]
    TooComplex {
        /// Its start, cut to a readable length.
        shown: String,
        /// The limit it passes.
        reason: String,
    },
    /// The expression parses but fails on this body.
    #[error("cannot evaluate FHIRPath `{expr}`: {message}")]
    Evaluation {
        /// The expression.
        expr: String,
        /// What the engine said.
        message: String,
    },
    /// The engine could not be built (a defect, not an input).
    #[error("FHIRPath engine unavailable: {0}")]
    Engine(String),
}

/// A shareable FHIRPath engine that knows the FHIR R4 type names (needed by `ofType()`).
#[derive(Clone)]
pub struct FhirPath {
    engine: Arc<FhirPathEngine>,
    model: Arc<dyn ModelProvider + Send + Sync>,
}

impl FhirPath {
    /// The engine with the FHIR R4 model; build it once and clone it.
    pub async fn new() -> Result<Self, FhirPathError> {
        let registry = Arc::new(octofhir_fhirpath::create_function_registry());
        let model: Arc<dyn ModelProvider + Send + Sync> = Arc::new(R4Types);
        let engine = FhirPathEngine::new(registry, model.clone())
            .await
            .map_err(|e| FhirPathError::Engine(e.to_string()))?;
        Ok(FhirPath {
            engine: Arc::new(engine),
            model,
        })
    }

    /// Checks the syntax only (used when scenarios are loaded, before any request).
    pub fn parse(expr: &str) -> Result<(), FhirPathError> {
        check_size(expr)?;
        octofhir_fhirpath::parse_expression(expr)
            .map(|_| ())
            .map_err(|e| FhirPathError::Syntax {
                expr: expr.to_owned(),
                message: e.to_string(),
            })
    }

    /// Evaluates `expr` on a JSON document; the result is the collection as JSON values.
    /// (Copies the document: [`FhirPath::evaluate_shared`] does not.)
    pub async fn evaluate(&self, expr: &str, input: &Value) -> Result<Vec<Value>, FhirPathError> {
        self.evaluate_shared(expr, &Arc::new(input.clone())).await
    }

    /// Evaluates `expr` on a shared JSON document (the engine's tree is built from it
    /// for this evaluation: [`FhirPath::evaluate_document`] shares one between several).
    pub async fn evaluate_shared(
        &self,
        expr: &str,
        input: &Arc<Value>,
    ) -> Result<Vec<Value>, FhirPathError> {
        self.evaluate_document(expr, &Document::from_value(input))
            .await
    }

    /// Evaluates `expr` on a document built once: a step's assertions and captures share
    /// it, none copies the body.
    pub async fn evaluate_document(
        &self,
        expr: &str,
        input: &Document,
    ) -> Result<Vec<Value>, FhirPathError> {
        check_size(expr)?;
        let root = Collection::single(input.value());
        let ctx = EvaluationContext::new(root, self.model.clone(), None, None, None);
        let result =
            self.engine
                .evaluate(expr, &ctx)
                .await
                .map_err(|e| FhirPathError::Evaluation {
                    expr: expr.to_owned(),
                    message: e.to_string(),
                })?;
        Ok(result.value.iter().map(|v| v.to_json_value()).collect())
    }
}

/// Longest expression accepted; the catalogue's longest is under 300 characters.
pub(crate) const MAX_EXPRESSION_LENGTH: usize = 4096;
/// Deepest nesting of parentheses, brackets and braces accepted.
pub(crate) const MAX_EXPRESSION_DEPTH: usize = 32;

/// Refuses an expression too long or too deeply nested for the engine's recursive parser,
/// without parsing it. Nesting is counted outside string literals and quoted identifiers.
fn check_size(expr: &str) -> Result<(), FhirPathError> {
    let refuse = |reason: String| {
        let shown: String = expr.chars().take(60).collect();
        let shown = if shown.len() < expr.len() {
            format!("{shown}…")
        } else {
            shown
        };
        Err(FhirPathError::TooComplex { shown, reason })
    };
    if expr.len() > MAX_EXPRESSION_LENGTH {
        return refuse(format!(
            "{} characters, at most {MAX_EXPRESSION_LENGTH}",
            expr.len()
        ));
    }
    if lex::walk(expr).any(|p| p.depth > MAX_EXPRESSION_DEPTH) {
        return refuse(format!(
            "nested more than {MAX_EXPRESSION_DEPTH} levels deep"
        ));
    }
    Ok(())
}

/// The FHIR R4 resource, complex and primitive type names. The engine navigates the JSON
/// itself; it only asks the model whether a type name exists (for `ofType`, `is`, `as`).
#[derive(Debug)]
struct R4Types;

const R4_RESOURCES: &[&str] = &[
    "Account",
    "ActivityDefinition",
    "AdverseEvent",
    "AllergyIntolerance",
    "Appointment",
    "AppointmentResponse",
    "AuditEvent",
    "Basic",
    "Binary",
    "BiologicallyDerivedProduct",
    "BodyStructure",
    "Bundle",
    "CapabilityStatement",
    "CarePlan",
    "CareTeam",
    "CatalogEntry",
    "ChargeItem",
    "ChargeItemDefinition",
    "Claim",
    "ClaimResponse",
    "ClinicalImpression",
    "CodeSystem",
    "Communication",
    "CommunicationRequest",
    "CompartmentDefinition",
    "Composition",
    "ConceptMap",
    "Condition",
    "Consent",
    "Contract",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "DetectedIssue",
    "Device",
    "DeviceDefinition",
    "DeviceMetric",
    "DeviceRequest",
    "DeviceUseStatement",
    "DiagnosticReport",
    "DocumentManifest",
    "DocumentReference",
    "DomainResource",
    "EffectEvidenceSynthesis",
    "Encounter",
    "Endpoint",
    "EnrollmentRequest",
    "EnrollmentResponse",
    "EpisodeOfCare",
    "EventDefinition",
    "Evidence",
    "EvidenceVariable",
    "ExampleScenario",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Flag",
    "Goal",
    "GraphDefinition",
    "Group",
    "GuidanceResponse",
    "HealthcareService",
    "ImagingStudy",
    "Immunization",
    "ImmunizationEvaluation",
    "ImmunizationRecommendation",
    "ImplementationGuide",
    "InsurancePlan",
    "Invoice",
    "Library",
    "Linkage",
    "List",
    "Location",
    "Measure",
    "MeasureReport",
    "Media",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationKnowledge",
    "MedicationRequest",
    "MedicationStatement",
    "MedicinalProduct",
    "MedicinalProductAuthorization",
    "MedicinalProductContraindication",
    "MedicinalProductIndication",
    "MedicinalProductIngredient",
    "MedicinalProductInteraction",
    "MedicinalProductManufactured",
    "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect",
    "MessageDefinition",
    "MessageHeader",
    "MolecularSequence",
    "NamingSystem",
    "NutritionOrder",
    "Observation",
    "ObservationDefinition",
    "OperationDefinition",
    "OperationOutcome",
    "Organization",
    "OrganizationAffiliation",
    "Parameters",
    "Patient",
    "PaymentNotice",
    "PaymentReconciliation",
    "Person",
    "PlanDefinition",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "Questionnaire",
    "QuestionnaireResponse",
    "RelatedPerson",
    "RequestGroup",
    "ResearchDefinition",
    "ResearchElementDefinition",
    "ResearchStudy",
    "ResearchSubject",
    "Resource",
    "RiskAssessment",
    "RiskEvidenceSynthesis",
    "Schedule",
    "SearchParameter",
    "ServiceRequest",
    "Slot",
    "Specimen",
    "SpecimenDefinition",
    "StructureDefinition",
    "StructureMap",
    "Subscription",
    "Substance",
    "SubstanceNucleicAcid",
    "SubstancePolymer",
    "SubstanceProtein",
    "SubstanceReferenceInformation",
    "SubstanceSourceMaterial",
    "SubstanceSpecification",
    "SupplyDelivery",
    "SupplyRequest",
    "Task",
    "TerminologyCapabilities",
    "TestReport",
    "TestScript",
    "ValueSet",
    "VerificationResult",
    "VisionPrescription",
];

const R4_COMPLEX: &[&str] = &[
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "BackboneElement",
    "CodeableConcept",
    "Coding",
    "ContactDetail",
    "ContactPoint",
    "Contributor",
    "Count",
    "DataRequirement",
    "Distance",
    "Dosage",
    "Duration",
    "Element",
    "ElementDefinition",
    "Expression",
    "Extension",
    "HumanName",
    "Identifier",
    "MarketingStatus",
    "Meta",
    "Money",
    "Narrative",
    "ParameterDefinition",
    "Period",
    "Population",
    "ProdCharacteristic",
    "ProductShelfLife",
    "Quantity",
    "Range",
    "Ratio",
    "Reference",
    "RelatedArtifact",
    "SampledData",
    "Signature",
    "SubstanceAmount",
    "Timing",
    "TriggerDefinition",
    "UsageContext",
];

const R4_PRIMITIVES: &[&str] = &[
    "base64Binary",
    "boolean",
    "canonical",
    "code",
    "date",
    "dateTime",
    "decimal",
    "id",
    "instant",
    "integer",
    "markdown",
    "oid",
    "positiveInt",
    "string",
    "time",
    "unsignedInt",
    "uri",
    "url",
    "uuid",
    "xhtml",
    "Boolean",
    "String",
    "Integer",
    "Decimal",
    "Date",
    "DateTime",
    "Time",
    "Quantity",
];

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[async_trait]
impl ModelProvider for R4Types {
    async fn get_type(&self, name: &str) -> octofhir_fhir_model::Result<Option<TypeInfo>> {
        let base = name.rsplit('.').next().unwrap_or(name);
        if R4_RESOURCES.contains(&base) || R4_COMPLEX.contains(&base) {
            return Ok(Some(TypeInfo::new_complex(base)));
        }
        if R4_PRIMITIVES.contains(&base) {
            return Ok(Some(TypeInfo::system_type(base.to_owned(), true)));
        }
        Ok(None)
    }

    async fn get_element_type(
        &self,
        _parent: &TypeInfo,
        _property: &str,
    ) -> octofhir_fhir_model::Result<Option<TypeInfo>> {
        Ok(None)
    }

    fn of_type(&self, type_info: &TypeInfo, target: &str) -> Option<TypeInfo> {
        let name = type_info.name.as_deref().unwrap_or(&type_info.type_name);
        self.is_type_derived_from(name, target)
            .then(|| type_info.clone())
    }

    fn get_element_names(&self, _parent: &TypeInfo) -> Vec<String> {
        Vec::new()
    }

    async fn get_children_type(
        &self,
        _parent: &TypeInfo,
    ) -> octofhir_fhir_model::Result<Option<TypeInfo>> {
        Ok(None)
    }

    async fn get_elements(&self, _name: &str) -> octofhir_fhir_model::Result<Vec<ElementInfo>> {
        Ok(Vec::new())
    }

    async fn get_resource_types(&self) -> octofhir_fhir_model::Result<Vec<String>> {
        Ok(owned(R4_RESOURCES))
    }

    async fn get_complex_types(&self) -> octofhir_fhir_model::Result<Vec<String>> {
        Ok(owned(R4_COMPLEX))
    }

    async fn get_primitive_types(&self) -> octofhir_fhir_model::Result<Vec<String>> {
        Ok(owned(R4_PRIMITIVES))
    }

    fn is_type_derived_from(&self, derived: &str, base: &str) -> bool {
        let base = base.rsplit('.').next().unwrap_or(base);
        derived == base
            || (base == "Resource" && R4_RESOURCES.contains(&derived))
            || (base == "DomainResource"
                && R4_RESOURCES.contains(&derived)
                && !matches!(derived, "Bundle" | "Binary" | "Parameters" | "Resource"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expressions_too_long_or_too_deep_are_refused_before_parsing() {
        let deep = format!("{}true{}", "(".repeat(150_000), ")".repeat(150_000));
        let err = FhirPath::parse(&deep).expect_err("too long");
        assert!(err.to_string().contains("characters, at most"), "{err}");
        assert!(err.to_string().len() < 300, "not echoed whole: {err}");
        let nested = format!("{}true{}", "(".repeat(40), ")".repeat(40));
        let err = FhirPath::parse(&nested).expect_err("too deep");
        assert!(err.to_string().contains("nested more than 32"), "{err}");
        // Brackets inside strings do not count; ordinary nesting is fine.
        FhirPath::parse("name.where(value = '((((((((((((((((((((((((((((((((((((').exists()")
            .expect("quoted brackets");
        FhirPath::parse(&format!("{}true{}", "(".repeat(10), ")".repeat(10)))
            .expect("moderate nesting");
    }

    fn bundle() -> Value {
        json!({
            "resourceType": "Bundle", "type": "searchset", "total": 2,
            "link": [{"relation": "self", "url": "http://x/HealthcareService"},
                     {"relation": "next", "url": "http://x/p2"}],
            "entry": [
                {"fullUrl": "http://x/HealthcareService/hs1", "search": {"mode": "match"},
                 "resource": {"resourceType": "HealthcareService", "id": "hs1",
                              "providedBy": {"reference": "Organization/org1"}}},
                {"fullUrl": "http://x/HealthcareService/hs2", "search": {"mode": "match"},
                 "resource": {"resourceType": "HealthcareService", "id": "hs2"}},
                {"fullUrl": "http://x/Organization/org1", "search": {"mode": "include"},
                 "resource": {"resourceType": "Organization", "id": "org1", "name": "CHU Exemple"}}
            ]
        })
    }

    /// A document built with only what an expression reaches gives that expression (and
    /// each sub-expression a failure shows) what the whole document gives it.
    #[tokio::test]
    async fn an_expression_gives_the_same_on_the_members_it_reaches_as_on_the_whole() {
        let fp = FhirPath::new().await.expect("engine");
        let mut body = bundle();
        body["meta"] = json!({"lastUpdated": "2024-01-01T00:00:00Z"});
        body["valueString"] = json!("a choice");
        body["_total"] = json!({"extension": [{"url": "x", "valueCode": "c"}]});
        let text = body.to_string();
        let whole = Document::parse(text.as_bytes()).expect("parses");
        let mut pruned_some = false;
        for expr in [
            "total = 2",
            "total < 30 and link.where(relation = 'next').exists()",
            "resourceType = 'Bundle'",
            "Bundle.total",
            "entry.where(search.mode = 'match').count() = 2",
            "entry.resource.ofType(Organization).name",
            "value.exists() and valueString = 'a choice'",
            "total.extension.valueCode",
            "meta.lastUpdated > @2023-01-01",
            "type = 'searchset' and entry.all(fullUrl.exists())",
            "Bundle.entry.resource.where(id = 'hs1').providedBy.reference",
            "$this.total",
            "children().count()",
            "Bundle",
        ] {
            let reach = Reach::of(
                std::iter::once(expr).chain(sub_expressions(expr).iter().map(String::as_str)),
            );
            pruned_some |= !reach.is_whole();
            let reaching = Document::parse_reaching(text.as_bytes(), &reach).expect("parses");
            for e in std::iter::once(expr.to_owned()).chain(sub_expressions(expr)) {
                assert_eq!(
                    fp.evaluate_document(&e, &reaching)
                        .await
                        .expect("evaluates"),
                    fp.evaluate_document(&e, &whole).await.expect("evaluates"),
                    "{e} (of {expr})"
                );
            }
        }
        assert!(pruned_some);
        let reach = Reach::of(["total"]);
        let only = Document::parse_reaching(text.as_bytes(), &reach).expect("parses");
        assert_eq!(
            only.to_json(),
            json!({"resourceType": "Bundle", "total": 2, "_total": body["_total"]})
        );
    }

    #[test]
    fn a_text_is_refused_with_or_without_a_reach_alike() {
        let reach = Reach::of(["total"]);
        let deep = format!(
            r#"{{"total": 1, "entry": {}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let mut not_utf8 = br#"{"total": 1, "entry": "caf"#.to_vec();
        not_utf8.extend_from_slice(b"\xe9\"}");
        for bad in [
            deep.as_bytes(),
            &not_utf8,
            br#"{"total": 1, "entry": [1,]}"#,
            br#"{"total": 1} 2"#,
            b"",
        ] {
            let whole = Document::parse(bad).expect_err("refused").to_string();
            let reaching = Document::parse_reaching(bad, &reach)
                .expect_err("refused")
                .to_string();
            assert_eq!(reaching, whole);
        }
        // Nested deep but within the full parse's limit: accepted both ways.
        let nested = format!(
            r#"{{"total": 1, "entry": {}{}}}"#,
            "[".repeat(110),
            "]".repeat(110)
        );
        Document::parse(nested.as_bytes()).expect("accepted");
        Document::parse_reaching(nested.as_bytes(), &reach).expect("accepted");
    }

    #[test]
    fn a_root_that_is_not_an_object_is_built_whole() {
        let reach = Reach::of(["total"]);
        for text in [r#"[{"total": 1}, 2]"#, r#""text""#, "42", "null"] {
            assert_eq!(
                Document::parse_reaching(text.as_bytes(), &reach)
                    .expect("parses")
                    .to_json(),
                Document::parse(text.as_bytes()).expect("parses").to_json(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_root_shaped_like_a_quantity_is_built_whole() {
        let text = br#"{"value": 3, "unit": "mg", "code": "mg"}"#;
        let reach = Reach::of(["unit"]);
        assert_eq!(
            Document::parse_reaching(text, &reach)
                .expect("parses")
                .to_json(),
            Document::parse(text).expect("parses").to_json()
        );
    }

    #[tokio::test]
    async fn of_type_filters_bundle_entries() {
        let fp = FhirPath::new().await.expect("engine");
        let out = fp
            .evaluate(
                "Bundle.entry.resource.ofType(HealthcareService).count()",
                &bundle(),
            )
            .await
            .expect("evaluates");
        assert_eq!(out, vec![json!(2)]);
        let out = fp
            .evaluate("Bundle.entry.resource.ofType(Organization).name", &bundle())
            .await
            .expect("evaluates");
        assert_eq!(out, vec![json!("CHU Exemple")]);
    }

    #[tokio::test]
    async fn where_and_links() {
        let fp = FhirPath::new().await.expect("engine");
        let out = fp
            .evaluate("Bundle.link.where(relation='next').url", &bundle())
            .await
            .expect("evaluates");
        assert_eq!(out, vec![json!("http://x/p2")]);
        let out = fp
            .evaluate(
                "Bundle.total = Bundle.entry.where(search.mode='match').count()",
                &bundle(),
            )
            .await
            .expect("evaluates");
        assert_eq!(out, vec![json!(true)]);
    }

    #[tokio::test]
    async fn unknown_type_name_is_an_error() {
        let fp = FhirPath::new().await.expect("engine");
        assert!(
            fp.evaluate("Bundle.entry.resource.ofType(Nonsense)", &bundle())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn instants_compare_after_conversion_and_references_resolve_in_the_bundle() {
        let fp = FhirPath::new().await.expect("engine");
        let r = json!({"resourceType": "HealthcareService",
                       "meta": {"lastUpdated": "2026-04-12T19:10:00.000+00:00"}});
        let eval = |e: &'static str| {
            let (fp, r) = (fp.clone(), r.clone());
            async move { fp.evaluate(e, &r).await.expect("evaluates") }
        };
        assert_eq!(
            eval("meta.lastUpdated.toDateTime() >= @2026-01-01T00:00:00Z").await,
            vec![json!(true)]
        );
        assert_eq!(
            eval("meta.lastUpdated.toDateTime() >= @2027-01-01T00:00:00Z").await,
            vec![json!(false)]
        );
        let out = fp
            .evaluate(
                "Bundle.entry.resource.ofType(HealthcareService).providedBy.resolve().name",
                &bundle(),
            )
            .await
            .expect("evaluates");
        assert_eq!(out, vec![json!("CHU Exemple")]);
        let out = fp
            .evaluate("Bundle.entry.resource.ofType(HealthcareService).where(id = 'hs2').providedBy.resolve()", &bundle())
            .await
            .expect("evaluates");
        assert!(
            out.is_empty(),
            "an offer without providedBy resolves to nothing"
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        let err = FhirPath::parse("Bundle.entry.where(").expect_err("must fail");
        assert!(err.to_string().contains("Bundle.entry.where("), "{err}");
        assert!(FhirPath::parse("Bundle.entry.count() > 1").is_ok());
    }
}
