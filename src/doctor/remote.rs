//! Checks that talk to the environment: the `Ror-*` headers configured, both endpoints
//! reachable, a token obtained, `/metadata` answered and a first search accepted.

use std::time::Duration;

use super::{Diagnosis, Lang};
use rorcheck_engine::config::{Target, TargetAuth};
use rorcheck_http::client::chain;
use rorcheck_http::{Redactor, TransportError};
use rorcheck_i18n::t;

/// Each remote check waits at most this long.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

pub(super) async fn check(d: &mut Diagnosis, target: &Target, redactor: &mut Redactor) {
    headers(d, target);
    let token_reachable = match target.oauth_client() {
        Some((url, _)) => {
            reachable(
                d,
                target,
                "token-endpoint",
                t!(d.lang, "doctor-token-endpoint-reachable"),
                url.clone(),
            )
            .await
        }
        None => true,
    };
    let fhir_reachable = reachable(
        d,
        target,
        "fhir-endpoint",
        t!(d.lang, "doctor-fhir-server-reachable"),
        target.base_url.clone(),
    )
    .await;
    let token = token(d, target, token_reachable, redactor).await;
    let l = d.lang;
    if !fhir_reachable {
        for (id, label) in [
            ("metadata", "CapabilityStatement (/metadata)".to_owned()),
            ("search", t!(l, "doctor-first-search")),
        ] {
            d.not_checked(id, label, t!(l, "doctor-fhir-server-unreachable"));
        }
        return;
    }
    metadata(d, target, token.as_deref()).await;
    match token {
        Some(t) => search(d, target, Some(&t)).await,
        None if matches!(target.auth, TargetAuth::None) => search(d, target, None).await,
        None => d.not_checked(
            "search",
            t!(l, "doctor-first-search"),
            t!(l, "doctor-no-token"),
        ),
    }
}

const OID: &str = r"^[0-2](\.(0|[1-9][0-9]*))+$";

fn headers(d: &mut Diagnosis, target: &Target) {
    let l = d.lang;
    let label = t!(l, "doctor-ror-headers");
    let get = |name: &str| {
        target
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let oid = regex::Regex::new(OID).ok();
    let mut problems = Vec::new();
    let mut shown = Vec::new();
    for (code, system) in [
        (
            "Ror-Profil-Utilisateur-Code",
            "Ror-Profil-Utilisateur-System",
        ),
        ("Ror-Role-Metier-Code", "Ror-Role-Metier-System"),
    ] {
        match (get(code), get(system)) {
            (Some(c), Some(s)) => {
                if oid.as_ref().is_some_and(|re| !re.is_match(&s)) {
                    problems.push(t!(l, "doctor-not-oid", system = system, s = &s));
                }
                shown.push(format!("{c} ({s})"));
            }
            (c, s) => {
                if c.is_none() {
                    problems.push(t!(l, "doctor-code-missing", code = code));
                }
                if s.is_none() {
                    problems.push(t!(l, "doctor-system-missing", system = system));
                }
            }
        }
    }
    if problems.is_empty() {
        d.pass("ror-headers", label, shown.join(", "));
    } else {
        d.fail(
            "ror-headers",
            label,
            problems.join(" ; "),
            t!(l, "doctor-set-four-values-ror-team"),
        );
    }
}

/// Any HTTP answer proves the endpoint reachable (a token endpoint answers GET with 405).
async fn reachable(
    d: &mut Diagnosis,
    target: &Target,
    id: &'static str,
    label: String,
    url: url::Url,
) -> bool {
    let l = d.lang;
    let sent = tokio::time::timeout(CHECK_TIMEOUT, target.http.get(url.clone()).send()).await;
    match sent {
        Ok(Ok(response)) => {
            d.pass(
                id,
                label,
                t!(
                    l,
                    "doctor-answers-http",
                    url = url.as_str(),
                    status = response.status().as_u16()
                ),
            );
            true
        }
        Ok(Err(e)) => {
            let why = chain(&e);
            let tls = matches!(
                rorcheck_http::client::classify(&e, 0),
                TransportError::Tls(_)
            );
            let hint = if why.contains("UnknownIssuer") {
                t!(l, "doctor-server-certificate-not-trusted-add")
            } else if tls {
                t!(l, "doctor-tls-handshake-fails-does-server")
            } else {
                t!(l, "doctor-check-url-network-proxy-https")
            };
            d.fail(id, label, format!("{url} : {why}"), hint);
            false
        }
        Err(_) => {
            d.fail(
                id,
                label,
                t!(
                    l,
                    "doctor-url-no-answer",
                    url = url.as_str(),
                    seconds = CHECK_TIMEOUT.as_secs()
                ),
                t!(l, "doctor-check-network-proxy-firewall"),
            );
            false
        }
    }
}

async fn token(
    d: &mut Diagnosis,
    target: &Target,
    reachable: bool,
    redactor: &mut Redactor,
) -> Option<String> {
    let l = d.lang;
    let label = t!(l, "doctor-access-token");
    match &target.auth {
        TargetAuth::None => {
            d.not_checked(
                "token",
                label,
                t!(l, "doctor-no-authentication-configured-ror-access"),
            );
            None
        }
        TargetAuth::Bearer(t) => {
            d.pass("token", label, t!(l, "doctor-bearer-token-given"));
            Some(t.clone())
        }
        TargetAuth::ClientCredentials(_) if !reachable => {
            d.not_checked("token", label, t!(l, "doctor-token-endpoint-unreachable"));
            None
        }
        TargetAuth::ClientCredentials(source) => {
            match tokio::time::timeout(CHECK_TIMEOUT, source.request()).await {
                Ok(Ok(grant)) => {
                    redactor.add_secret(&grant.access_token);
                    let no_store = grant
                        .cache_control
                        .as_deref()
                        .is_some_and(|c| c.to_ascii_lowercase().contains("no-store"));
                    d.pass(
                        "token",
                        label,
                        t!(
                            l,
                            "doctor-token-obtained",
                            token_type = grant
                                .token_type
                                .clone()
                                .unwrap_or_else(|| t!(l, "doctor-absent")),
                            expires_in = grant
                                .expires_in
                                .map_or_else(|| t!(l, "doctor-absent"), |s| format!("{s} s")),
                            no_store = if no_store { "yes" } else { "no" }
                        ),
                    );
                    Some(grant.access_token)
                }
                Ok(Err(e)) => {
                    let hint = token_hint(&e, source.secret().is_some(), l);
                    d.fail("token", label, e.to_string(), hint);
                    None
                }
                Err(_) => {
                    d.fail(
                        "token",
                        label,
                        t!(l, "doctor-no-answer", seconds = CHECK_TIMEOUT.as_secs()),
                        t!(l, "doctor-try-again-later"),
                    );
                    None
                }
            }
        }
    }
}

fn token_hint(e: &rorcheck_http::oauth::OAuthError, with_secret: bool, l: Lang) -> String {
    use rorcheck_http::oauth::OAuthError;
    match e {
        OAuthError::Refused { .. } if with_secret => t!(l, "doctor-client-id-secret-refused-check"),
        OAuthError::Refused { .. } => t!(l, "doctor-client-refused-certificate-presented-one"),
        OAuthError::Tls(_) => t!(l, "doctor-token-endpoint-refuses-handshake-client"),
        OAuthError::Transport(_) => t!(l, "doctor-token-endpoint-does-not-answer"),
        OAuthError::Malformed(_) => t!(l, "doctor-answer-not-oauth2-token-url"),
    }
}

/// A GET on the FHIR API with the target's headers and the token.
async fn fhir_get(
    target: &Target,
    path_and_query: &str,
    token: Option<&str>,
) -> Result<(u16, serde_json::Value), String> {
    let url = format!(
        "{}{path_and_query}",
        target.base_url.as_str().trim_end_matches('/')
    );
    let url = url::Url::parse(&url).map_err(|e| e.to_string())?;
    // The same rule as a run: the token goes to the FHIR API's origin only (redirects are
    // not followed by the client either).
    target
        .credential_scope()
        .check(&url, "l'URL de vérification")
        .map_err(|e| e.to_string())?;
    let mut request = target.http.get(url);
    for (k, v) in &target.headers {
        request = request.header(k, v);
    }
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let mut response = tokio::time::timeout(CHECK_TIMEOUT, request.send())
        .await
        .map_err(|_| format!("> {} s", CHECK_TIMEOUT.as_secs()))?
        .map_err(|e| chain(&e))?;
    let status = response.status().as_u16();
    let body = tokio::time::timeout(
        CHECK_TIMEOUT,
        rorcheck_http::client::read_capped(&mut response, target.limits.max_body),
    )
    .await
    .map_err(|_| format!("> {} s", CHECK_TIMEOUT.as_secs()))?
    .map_err(|e| e.into_transport(CHECK_TIMEOUT.as_millis()).to_string())?;
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    Ok((status, json))
}

/// The diagnostics of an OperationOutcome, to explain a refusal.
fn outcome_text(json: &serde_json::Value) -> String {
    json.pointer("/issue/0/diagnostics")
        .or_else(|| json.pointer("/issue/0/details/text"))
        .and_then(|v| v.as_str())
        .map(|s| format!(" — {s}"))
        .unwrap_or_default()
}

async fn metadata(d: &mut Diagnosis, target: &Target, token: Option<&str>) {
    let l = d.lang;
    let label = "CapabilityStatement (/metadata)".to_owned();
    match fhir_get(target, "/metadata", token).await {
        Ok((200, json)) if json["resourceType"] == "CapabilityStatement" => {
            let version = json["fhirVersion"].as_str().unwrap_or("?");
            let resources = json
                .pointer("/rest/0/resource")
                .and_then(|r| r.as_array())
                .map_or(0, Vec::len);
            if version.starts_with("4.0") {
                d.pass(
                    "metadata",
                    label,
                    t!(
                        l,
                        "doctor-fhir-resource-types",
                        version = version,
                        resources = resources
                    ),
                );
            } else {
                d.fail(
                    "metadata",
                    label,
                    format!("fhirVersion {version}"),
                    t!(l, "doctor-ror-serves-r4"),
                );
            }
        }
        Ok((status, json)) => d.fail(
            "metadata",
            label,
            t!(
                l,
                "doctor-http-no-capabilitystatement",
                status = status,
                outcome = outcome_text(&json)
            ),
            t!(l, "doctor-base-url-must-end-with"),
        ),
        Err(why) => d.fail("metadata", label, why, t!(l, "doctor-check-base-url")),
    }
}

async fn search(d: &mut Diagnosis, target: &Target, token: Option<&str>) {
    let l = d.lang;
    let label = t!(l, "doctor-first-search");
    match fhir_get(target, "/HealthcareService?_count=1", token).await {
        Ok((200, json)) if json["resourceType"] == "Bundle" && json["type"] == "searchset" => {
            d.pass(
                "search",
                label,
                t!(
                    l,
                    "doctor-first-search-ok",
                    total = json["total"].to_string()
                ),
            );
        }
        Ok((status, json)) => {
            let hint = match status {
                401 if token.is_none() => t!(l, "doctor-no-token-sent-export-ror"),
                401 => t!(l, "doctor-token-refused-expired-from-another"),
                400 | 403 => t!(l, "doctor-check-four-ror-headers-access"),
                _ => t!(l, "doctor-server-does-not-answer-like"),
            };
            d.fail(
                "search",
                label,
                t!(
                    l,
                    "doctor-http-no-searchset-bundle",
                    status = status,
                    outcome = outcome_text(&json)
                ),
                hint,
            );
        }
        Err(why) => d.fail("search", label, why, t!(l, "doctor-check-base-url")),
    }
}
