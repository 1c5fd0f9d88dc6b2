//! FHIRPath benchmark (`cargo bench --bench fhirpath`): prints figures, asserts nothing.
//!
//! The cost of one catalogue-style assertion on a searchset of the default dataset's 64
//! offers (~0.5 MB), when each evaluation copies and converts the body (`evaluate`, what
//! every assertion did before) and when a step's assertions share one parsed body
//! (`evaluate_shared`, what they do now).

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

const EXPRESSIONS: [&str; 3] = [
    "entry.where(search.mode = 'match').resource.all(meta.lastUpdated.toDateTime() >= @2026-01-01T00:00:00Z or meta.lastUpdated.toDateTime() < @2026-01-01T00:00:00Z)",
    "entry.resource.ofType(HealthcareService).extension.where(url.endsWith('/ror-healthcareservice-sensitive-unit') and valueBoolean = true).exists()",
    "total = entry.where(search.mode = 'match').resource.count()",
];

fn bundle() -> Value {
    let ds = rorcheck::mock::Dataset::generate(rorcheck::mock::GenerateOptions::default());
    let entries: Vec<Value> = ds
        .resources
        .iter()
        .filter(|r| r["resourceType"] == "HealthcareService")
        .map(|r| json!({"fullUrl": format!("http://127.0.0.1/HealthcareService/{}", r["id"].as_str().unwrap_or("")), "resource": r, "search": {"mode": "match"}}))
        .collect();
    json!({"resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries})
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let fp = rorcheck::fhirpath::FhirPath::new().await.expect("engine");
        let body = bundle();
        let bytes = body.to_string().len();
        let shared = Arc::new(body.clone());
        let rounds = 200;
        println!("FHIRPath on a searchset of {} entries ({:.0} KB), {rounds} evaluations each:", body["entry"].as_array().map_or(0, Vec::len), bytes as f64 / 1024.0);
        for expr in EXPRESSIONS {
            let start = Instant::now();
            for _ in 0..rounds {
                let _ = fp.evaluate(expr, &body).await;
            }
            let copied = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
            let start = Instant::now();
            for _ in 0..rounds {
                let _ = fp.evaluate_shared(expr, &shared).await;
            }
            let kept = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
            let short: String = expr.chars().take(60).collect();
            println!(
                "  {short}…\n    copy per evaluation {copied:.3} ms, shared body {kept:.3} ms ({:.1}× faster)",
                copied / kept
            );
        }
    });
}
