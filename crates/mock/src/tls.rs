//! Serving the mock over TLS: a rustls accept loop that hands each connection's client
//! certificate to the handlers (the token endpoint binds tokens to it, RFC 8705).

use std::sync::Arc;

use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::MockError;
use super::pki::{self, MockPki};
use super::server::{MockState, Peer};

pub use rorcheck_http::tls::install_crypto_provider;

/// The TLS acceptor: server certificate, and with `require_client_cert` a verifier that
/// refuses any connection without a certificate signed by the test CA.
pub(crate) fn acceptor(pki: &MockPki, require_client_cert: bool) -> Result<TlsAcceptor, MockError> {
    install_crypto_provider();
    let tls_err = |e: &dyn std::fmt::Display| MockError::Tls(e.to_string());
    let builder = rustls::ServerConfig::builder();
    let builder = if require_client_cert {
        let mut roots = RootCertStore::empty();
        roots
            .add(pki.ca.cert_der.clone())
            .map_err(|e| tls_err(&e))?;
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .map_err(|e| tls_err(&e))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder
        .with_single_cert(vec![pki.server.cert_der.clone()], pki.server.key_der())
        .map_err(|e| tls_err(&e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts connections until the task is aborted; a failed handshake only ends its own
/// connection.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    state: Arc<MockState>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, app, state) = (acceptor.clone(), app.clone(), state.clone());
        tokio::spawn(async move {
            let stream = match acceptor.accept(tcp).await {
                Ok(stream) => stream,
                Err(e) => {
                    // Recorded: observer mode reports clients that present no valid certificate.
                    state.log.push_handshake_failure(e.to_string());
                    return;
                }
            };
            let cert = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|c| c.as_ref().to_vec());
            let peer = Peer {
                thumbprint: cert.as_deref().map(pki::thumbprint),
                subject: cert.as_deref().and_then(pki::subject_cn),
            };
            let service = TowerToHyperService::new(app.layer(Extension(peer)));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
