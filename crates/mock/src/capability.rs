//! The CapabilityStatement the mock serves: what it really supports, nothing more.

use serde_json::{Value, json};

fn params(names: &[(&str, &str)]) -> Vec<Value> {
    names
        .iter()
        .map(|(name, ty)| json!({ "name": name, "type": ty }))
        .collect()
}

const COMMON: &[(&str, &str)] = &[
    ("_id", "token"),
    ("_lastUpdated", "date"),
    ("_tag", "token"),
    ("identifier", "token"),
    ("_filter", "special"),
];

/// The mock's CapabilityStatement at `base_url`: what it serves and supports.
pub fn statement(base_url: &str) -> Value {
    let resource = |ty: &str, extra: &[(&str, &str)], includes: &[&str], revincludes: &[&str]| {
        let mut search = params(COMMON);
        search.extend(params(extra));
        // The IG's own SearchParameters this resource type supports.
        search.extend(
            super::ig_params::declared()
                .filter(|(r, _, _)| *r == ty)
                .map(|(_, name, kind)| json!({ "name": name, "type": kind })),
        );
        json!({
            "type": ty,
            "profile": format!("https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-{}", ty.to_lowercase()),
            "interaction": [{ "code": "read" }, { "code": "search-type" }],
            "searchInclude": includes,
            "searchRevInclude": revincludes,
            "searchParam": search
        })
    };
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "kind": "instance",
        "software": { "name": "rorcheck mock ROR", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "Simulateur du ROR (rorcheck)", "url": base_url },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "instantiates": ["https://interop.esante.gouv.fr/ig/fhir/ror/CapabilityStatement/ror-serveur"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": false,
                "service": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "OAuth" }] }]
            },
            "resource": [
                resource("HealthcareService", &[
                    ("name", "string"), ("service-category", "token"), ("service-type", "token"),
                    ("characteristic", "token"), ("specialty", "token"),
                    ("organization.identifier:above", "token"), ("organization._lastUpdated:above", "date"),
                    ("organization.identifier", "token"), ("organization.type", "token"),
                    ("organization._lastUpdated", "date"),
                    ("location.address-postalcode", "string"), ("location.commune-cog", "token"),
                    ("_has:PractitionerRole:service:practitioner.identifier", "token")
                ], &["HealthcareService:organization", "HealthcareService:location", "Organization:partof", "PractitionerRole:practitioner"],
                   &["PractitionerRole:service", "Task:focus"]),
                resource("Organization", &[("name", "string"), ("type", "token"), ("partof", "reference"), ("_content", "string")],
                   &["Organization:partof"], &["HealthcareService:organization", "PractitionerRole:organization", "Organization:partof", "Location:organization"]),
                resource("Location", &[("name", "string"), ("type", "token"), ("status", "token"), ("address-postalcode", "string"), ("near", "special")],
                   &["Location:organization", "Location:partof"], &["HealthcareService:location", "PractitionerRole:location"]),
                resource("Practitioner", &[], &[], &["PractitionerRole:practitioner"]),
                resource("PractitionerRole", &[("practitioner.identifier", "token"), ("service", "reference")],
                   &["PractitionerRole:practitioner", "PractitionerRole:service", "PractitionerRole:organization", "PractitionerRole:location"], &[]),
                resource("Task", &[("_content", "string")], &[], &[])
            ],
            "operation": [
                { "name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export" },
                { "name": "export-poll-status", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export-poll-status" },
                { "name": "export-get-file", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export-get-file" }
            ],
            "searchParam": [
                { "name": "_count", "type": "number" },
                { "name": "_sort", "type": "string" },
                { "name": "_summary", "type": "token" },
                { "name": "_total", "type": "token" },
                { "name": "_elements", "type": "special" },
                { "name": "_include", "type": "special" },
                { "name": "_revinclude", "type": "special" }
            ]
        }]
    })
}
