//! Checks that talk to the environment: the `Ror-*` headers configured, both endpoints
//! reachable, a token obtained, `/metadata` answered and a first search accepted.

use std::time::Duration;

use super::{Diagnosis, Lang};
use rorcheck_engine::config::{Target, TargetAuth};
use rorcheck_http::client::chain;
use rorcheck_http::{Redactor, TransportError};

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
                d.lang.pick(
                    "Serveur d'autorisation joignable",
                    "Token endpoint reachable",
                ),
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
        d.lang
            .pick("Serveur FHIR joignable", "FHIR server reachable"),
        target.base_url.clone(),
    )
    .await;
    let token = token(d, target, token_reachable, redactor).await;
    let l = d.lang;
    if !fhir_reachable {
        for (id, label) in [
            ("metadata", "CapabilityStatement (/metadata)".to_owned()),
            ("search", l.pick("Première recherche", "First search")),
        ] {
            d.not_checked(
                id,
                label,
                l.pick("serveur FHIR injoignable", "FHIR server unreachable"),
            );
        }
        return;
    }
    metadata(d, target, token.as_deref()).await;
    match token {
        Some(t) => search(d, target, Some(&t)).await,
        None if matches!(target.auth, TargetAuth::None) => search(d, target, None).await,
        None => d.not_checked(
            "search",
            l.pick("Première recherche", "First search"),
            l.pick("pas de jeton", "no token"),
        ),
    }
}

const OID: &str = r"^[0-2](\.(0|[1-9][0-9]*))+$";

fn headers(d: &mut Diagnosis, target: &Target) {
    let l = d.lang;
    let label = l.pick("En-têtes Ror-*", "Ror-* headers");
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
                    problems.push(l.pick(
                        format!("{system} « {s} » n'est pas un OID"),
                        format!("{system} \"{s}\" is not an OID"),
                    ));
                }
                shown.push(format!("{c} ({s})"));
            }
            (c, s) => {
                if c.is_none() {
                    problems.push(l.pick(format!("{code} absent"), format!("{code} missing")));
                }
                if s.is_none() {
                    problems.push(l.pick(format!("{system} absent"), format!("{system} missing")));
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
            l.pick(
                "renseignez les quatre valeurs remises par l'équipe ROR (ror_headers dans rorcheck.toml ou ROR_PROFIL_UTILISATEUR_CODE...)",
                "set the four values the ROR team gave you (ror_headers in rorcheck.toml or ROR_PROFIL_UTILISATEUR_CODE...)",
            ),
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
                l.pick(
                    format!("{url} répond (HTTP {})", response.status().as_u16()),
                    format!("{url} answers (HTTP {})", response.status().as_u16()),
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
                l.pick(
                    "le certificat du serveur n'est pas reconnu : ajoutez la chaîne de son AC dans `ca` (ROR_CA_BUNDLE)",
                    "the server certificate is not trusted: add its CA chain to `ca` (ROR_CA_BUNDLE)",
                )
            } else if tls {
                l.pick(
                    "la poignée de main TLS échoue : le serveur exige-t-il un certificat client (profils 1 à 5) ? Est-il émis par l'IGC-Santé et valide ?",
                    "the TLS handshake fails: does the server require a client certificate (profiles 1 to 5)? Is it issued by IGC-Santé and valid?",
                )
            } else {
                l.pick(
                    "vérifiez l'URL, le réseau, le proxy (HTTPS_PROXY) et le pare-feu",
                    "check the URL, the network, the proxy (HTTPS_PROXY) and the firewall",
                )
            };
            d.fail(id, label, format!("{url} : {why}"), hint);
            false
        }
        Err(_) => {
            d.fail(
                id,
                label,
                l.pick(
                    format!("{url} : pas de réponse en {} s", CHECK_TIMEOUT.as_secs()),
                    format!("{url}: no answer within {} s", CHECK_TIMEOUT.as_secs()),
                ),
                l.pick(
                    "vérifiez le réseau, le proxy et le pare-feu",
                    "check the network, the proxy and the firewall",
                ),
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
    let label = l.pick("Jeton d'accès", "Access token");
    match &target.auth {
        TargetAuth::None => {
            d.not_checked(
                "token",
                label,
                l.pick(
                    "aucune authentification configurée (ROR_ACCESS_TOKEN pour une cible donnée par son URL, ou `auth` dans rorcheck.toml)",
                    "no authentication configured (ROR_ACCESS_TOKEN for a target given by its URL, or `auth` in rorcheck.toml)",
                ),
            );
            None
        }
        TargetAuth::Bearer(t) => {
            d.pass(
                "token",
                label,
                l.pick("jeton Bearer fourni", "bearer token given"),
            );
            Some(t.clone())
        }
        TargetAuth::ClientCredentials(_) if !reachable => {
            d.not_checked(
                "token",
                label,
                l.pick(
                    "serveur d'autorisation injoignable",
                    "token endpoint unreachable",
                ),
            );
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
                        l.pick(
                            format!(
                                "obtenu : token_type {}, expires_in {}{}",
                                grant.token_type.as_deref().unwrap_or("absent"),
                                grant
                                    .expires_in
                                    .map_or("absent".into(), |s| format!("{s} s")),
                                if no_store {
                                    ", Cache-Control no-store"
                                } else {
                                    ", sans Cache-Control no-store"
                                }
                            ),
                            format!(
                                "obtained: token_type {}, expires_in {}{}",
                                grant.token_type.as_deref().unwrap_or("missing"),
                                grant
                                    .expires_in
                                    .map_or("missing".into(), |s| format!("{s} s")),
                                if no_store {
                                    ", Cache-Control no-store"
                                } else {
                                    ", without Cache-Control no-store"
                                }
                            ),
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
                        l.pick(
                            format!("pas de réponse en {} s", CHECK_TIMEOUT.as_secs()),
                            format!("no answer within {} s", CHECK_TIMEOUT.as_secs()),
                        ),
                        l.pick("réessayez plus tard", "try again later"),
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
        OAuthError::Refused { .. } if with_secret => l.pick(
            "identifiant client ou secret refusé : vérifiez ROR_CLIENT_ID et ROR_CLIENT_SECRET (le profil 0 seul utilise un secret)",
            "client id or secret refused: check ROR_CLIENT_ID and ROR_CLIENT_SECRET (only profile 0 uses a secret)",
        ),
        OAuthError::Refused { .. } => l.pick(
            "client refusé : le certificat présenté est-il celui enregistré pour ce client id auprès de l'équipe ROR ?",
            "client refused: is the certificate presented the one registered for this client id with the ROR team?",
        ),
        OAuthError::Tls(_) => l.pick(
            "le serveur d'autorisation refuse la poignée de main : certificat client absent, expiré ou d'une autre AC que l'IGC-Santé",
            "the token endpoint refuses the handshake: client certificate missing, expired or not from IGC-Santé",
        ),
        OAuthError::Transport(_) => l.pick(
            "le serveur d'autorisation ne répond pas correctement : vérifiez l'URL et le certificat client",
            "the token endpoint does not answer properly: check the URL and the client certificate",
        ),
        OAuthError::Malformed(_) => l.pick(
            "la réponse n'est pas un jeton OAuth2 : l'URL est-elle bien celle du point de jeton ?",
            "the answer is not an OAuth2 token: is the URL the token endpoint?",
        ),
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
                    l.pick(
                        format!("FHIR {version}, {resources} type(s) de ressource"),
                        format!("FHIR {version}, {resources} resource type(s)"),
                    ),
                );
            } else {
                d.fail(
                    "metadata",
                    label,
                    format!("fhirVersion {version}"),
                    l.pick(
                        "le ROR expose FHIR R4 (4.0.1) : l'URL de base est-elle la bonne ?",
                        "the ROR serves FHIR R4 (4.0.1): is the base URL right?",
                    ),
                );
            }
        }
        Ok((status, json)) => d.fail(
            "metadata",
            label,
            l.pick(
                format!(
                    "HTTP {status}, pas de CapabilityStatement{}",
                    outcome_text(&json)
                ),
                format!(
                    "HTTP {status}, no CapabilityStatement{}",
                    outcome_text(&json)
                ),
            ),
            l.pick(
                "l'URL de base doit se terminer par /ws-diffusion-fhir (sans /metadata)",
                "the base URL must end with /ws-diffusion-fhir (without /metadata)",
            ),
        ),
        Err(why) => d.fail(
            "metadata",
            label,
            why,
            l.pick("vérifiez l'URL de base", "check the base URL"),
        ),
    }
}

async fn search(d: &mut Diagnosis, target: &Target, token: Option<&str>) {
    let l = d.lang;
    let label = l.pick("Première recherche", "First search");
    match fhir_get(target, "/HealthcareService?_count=1", token).await {
        Ok((200, json)) if json["resourceType"] == "Bundle" && json["type"] == "searchset" => {
            d.pass(
                "search",
                label,
                l.pick(
                    format!(
                        "HealthcareService?_count=1 : Bundle searchset, total {}",
                        json["total"]
                    ),
                    format!(
                        "HealthcareService?_count=1: searchset Bundle, total {}",
                        json["total"]
                    ),
                ),
            );
        }
        Ok((status, json)) => {
            let hint = match status {
                401 if token.is_none() => l.pick(
                    "aucun jeton envoyé : exportez ROR_ACCESS_TOKEN (cible donnée par son URL) ou configurez `auth` dans rorcheck.toml (client_credentials, mtls ou bearer)",
                    "no token sent: export ROR_ACCESS_TOKEN (target given by its URL) or configure `auth` in rorcheck.toml (client_credentials, mtls or bearer)",
                ),
                401 => l.pick(
                    "jeton refusé : expiré, d'un autre environnement, ou lié à un autre certificat",
                    "token refused: expired, from another environment, or bound to another certificate",
                ),
                400 | 403 => l.pick(
                    "vérifiez les quatre en-têtes Ror-* et le profil d'accès attribué à ce client",
                    "check the four Ror-* headers and the access profile granted to this client",
                ),
                _ => l.pick(
                    "le serveur ne répond pas comme le ROR : l'URL de base est-elle la bonne ?",
                    "the server does not answer like the ROR: is the base URL right?",
                ),
            };
            d.fail(
                "search",
                label,
                l.pick(
                    format!(
                        "HTTP {status}, pas de Bundle searchset{}",
                        outcome_text(&json)
                    ),
                    format!("HTTP {status}, no searchset Bundle{}", outcome_text(&json)),
                ),
                hint,
            );
        }
        Err(why) => d.fail(
            "search",
            label,
            why,
            l.pick("vérifiez l'URL de base", "check the base URL"),
        ),
    }
}
