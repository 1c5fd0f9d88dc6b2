//! The embedded mock ROR: a real HTTP server on loopback that behaves like the documented
//! ROR FHIR API and its authorisation server. It never imports the runner.

// JSON literals of the dataset generator nest deep (`dataset::build::obj!`).
#![recursion_limit = "512"]

// The public face: what a caller starts ([`MockServer`], [`MockOptions`]), the data it
// serves ([`dataset`], [`store`], [`story`], [`visibility`]), the faults it can inject and
// the request log observer mode judges ([`log`]). Handlers and search stay inside.
mod auth;
pub mod capability;
mod clients;
mod criterion;
pub mod dataset;
mod export;
pub mod faults;
mod filter;
mod ig_params;
pub mod log;
mod matcher;
pub mod pki;
mod search;
mod server;
pub mod store;
pub mod story;
mod tls;
pub mod visibility;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use auth::{Client, Issuer};
pub use dataset::{Dataset, DatasetError, GenerateOptions, Part as DatasetPart};
pub use export::Format as ExportFormat;
pub use faults::{Fault, Faults};
pub use search::{MAX_PAGE, SYNC_CAP};
use server::MockState;
pub use server::STORY_PATH;

/// Offers below which a dataset is generated on one thread (a thread costs more than it
/// saves on the default 60).
const PARALLEL_FROM_OFFERS: usize = 1_000;

/// The mock's certificates (TLS modes), made on a blocking thread while the dataset is
/// generated: the first key drawn in a process seeds the crypto library's generator from
/// CPU timing jitter (tens of milliseconds on one core), and the dataset need not wait.
fn making_pki(
    tls: TlsMode,
    subjects: Vec<(String, u8, String)>,
) -> Option<tokio::task::JoinHandle<Result<pki::MockPki, pki::PkiError>>> {
    match tls {
        TlsMode::Off => None,
        TlsMode::Tls | TlsMode::Mtls => Some(tokio::task::spawn_blocking(move || {
            pki::MockPki::generate(&subjects)
        })),
    }
}

/// Pieces a dataset of `offers` offers is generated in: one for a small one; for a large
/// one, four a core, so that the store indexes each piece while the next are generated and
/// only the last piece's indexing is left once the generation ends.
fn generation_pieces(offers: usize) -> usize {
    if offers < PARALLEL_FROM_OFFERS {
        1
    } else {
        4 * std::thread::available_parallelism().map_or(1, usize::from)
    }
}

/// Default base path, as on the real ROR.
pub(crate) const BASE_PATH: &str = ror::FHIR_BASE_PATH;

/// How the mock is reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP.
    #[default]
    Off,
    /// HTTPS with the mock's server certificate (signed by its test CA).
    Tls,
    /// HTTPS requiring a client certificate signed by the test CA (RFC 8705): a connection
    /// without one is refused at the handshake.
    Mtls,
}

/// How to start a mock; `MockOptions::default()` is the faithful mock on a free loopback port.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// `127.0.0.1:0` picks a free port.
    pub addr: SocketAddr,
    /// Path of the FHIR API (`/ws-diffusion-fhir`, as on the ROR).
    pub base_path: String,
    /// Generated data (the default), unless `dataset_dir` is given.
    pub dataset: GenerateOptions,
    /// A directory of `*.ndjson` files to serve instead of generated data.
    pub dataset_dir: Option<std::path::PathBuf>,
    /// How long its tokens live, in seconds.
    pub token_lifetime_secs: i64,
    /// Misbehaviours to inject (none by default).
    pub faults: Faults,
    /// Synchronous searches serve at most this many matches (10,000 on the ROR).
    pub sync_cap: usize,
    /// How long an `$export` job runs before its manifest is ready.
    pub export_delay: std::time::Duration,
    /// Plain HTTP, TLS, or mutual TLS.
    pub tls: TlsMode,
    /// Clients file (TOML) adding clients to the demo ones.
    pub clients_file: Option<std::path::PathBuf>,
    /// A fixed secret for the profile-0 demo client (random at every start otherwise), so
    /// that an application can be configured once for scripted sessions.
    pub demo_secret: Option<String>,
    /// Log the keys of every resource served (observer mode judges what the consumer
    /// fetched; off by default to keep large exports cheap).
    pub record_served: bool,
    /// Play the day-by-day story (observer mode): days move on when asked.
    pub story: bool,
    /// An access profile whose views of the generated offers are written as they are
    /// generated (none by default): for a mock whose every offer will be read, as the
    /// run's larger mock's are by a scenario paging through 10,000 of them.
    pub views_ahead: Option<u8>,
    /// Keep no text of the generated resources: each is generated again (with the dozen
    /// offers of its unit) when read. For a mock read through the views written ahead
    /// ([`MockOptions::views_ahead`]), as the run's larger mock is: it starts in half the
    /// time; what it serves is the same, a resource read otherwise (an include, an
    /// `$export`) costs the generation of its unit.
    pub regenerated: bool,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            base_path: BASE_PATH.to_owned(),
            dataset: GenerateOptions::default(),
            dataset_dir: None,
            token_lifetime_secs: 300,
            faults: Faults::default(),
            sync_cap: search::SYNC_CAP,
            export_delay: std::time::Duration::from_millis(1500),
            tls: TlsMode::Off,
            clients_file: None,
            demo_secret: None,
            record_served: false,
            story: false,
            views_ahead: None,
            regenerated: false,
        }
    }
}

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The dataset could not be read.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The test PKI could not be generated.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// The clients file is invalid.
    #[error(transparent)]
    Clients(#[from] clients::ClientsError),
    /// The TLS configuration was refused.
    #[error("invalid TLS configuration: {0}")]
    Tls(String),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running mock; it stops when dropped.
pub struct MockServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its FHIR base URL.
    pub base_url: String,
    /// Its token endpoint.
    pub token_url: String,
    state: Arc<MockState>,
    task: JoinHandle<()>,
    /// The test PKI when TLS is on.
    pub pki: Option<Arc<pki::MockPki>>,
}

/// The store the mock serves: its dataset loaded from files, or generated.
async fn build_store(opts: &MockOptions) -> Result<store::Store, MockError> {
    // Generating and indexing a large dataset takes seconds: off the async workers, so
    // that a mock started during a run does not stall the scenarios already running.
    let dataset_dir = opts.dataset_dir.clone();
    let generate = opts.dataset;
    let building = store::Building {
        ahead: store::Ahead(opts.views_ahead),
        regenerated: opts.regenerated,
    };
    tokio::task::spawn_blocking(move || {
        Ok::<_, DatasetError>(match &dataset_dir {
            Some(dir) => store::Store::new(Dataset::load(dir)?),
            // Stored as generated, pieces on every core: the dataset is never held
            // whole as parsed JSON.
            None => store::Store::collect_parts_ahead(
                Dataset::generate_parts(generate, generation_pieces(generate.offers)),
                building,
            ),
        })
    })
    .await
    .map_err(|e| MockError::Dataset(DatasetError::Interrupted(e.to_string())))?
    .map_err(MockError::from)
}

impl MockServer {
    /// Starts a mock and serves until it is dropped.
    pub async fn start(opts: MockOptions) -> Result<Self, MockError> {
        let listener = TcpListener::bind(opts.addr)
            .await
            .map_err(|source| MockError::Bind {
                addr: opts.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: opts.addr,
            source,
        })?;
        let scheme = if opts.tls == TlsMode::Off {
            "http"
        } else {
            "https"
        };
        let origin = format!("{scheme}://{addr}");
        let base_path = opts.base_path.trim_end_matches('/').to_owned();
        let base_url = format!("{origin}{base_path}");
        let token_url = format!("{origin}{}", ror::TOKEN_PATH);
        let configured = match &opts.clients_file {
            Some(path) => clients::load(path)?,
            None => Vec::new(),
        };
        // Certificates for the configured mTLS clients are issued by the mock's CA.
        let subjects = configured
            .iter()
            .filter_map(|c| {
                c.cert_subject
                    .clone()
                    .map(|s| (c.client_id.clone(), c.access_profile, s))
            })
            .collect();
        let pki = making_pki(opts.tls, subjects);
        let store = build_store(&opts).await?;
        let pki = match pki {
            None => None,
            Some(making) => Some(Arc::new(making.await.map_err(pki::interrupted)??)),
        };
        let mut issuer = Issuer::new(origin.clone(), opts.token_lifetime_secs);
        if let Some(secret) = &opts.demo_secret {
            issuer.set_demo_secret(secret);
        }
        issuer.clients.extend(configured);
        for (client_id, profile, identity) in pki.iter().flat_map(|p| &p.clients) {
            issuer.clients.push(Client {
                client_id: client_id.clone(),
                secret: String::new(),
                cert_thumbprint: Some(identity.thumbprint()),
                cert_subject: None,
                access_profile: *profile,
            });
        }
        let mut state = MockState::new(store, issuer, base_url.clone(), opts.faults, opts.sync_cap);
        state.export_delay = opts.export_delay;
        state.record_served = opts.record_served;
        if opts.story {
            state.story = Some(story::Story::new(log::now()));
        }
        let state = Arc::new(state);
        let app = server::router(state.clone(), &base_path);
        let task = match &pki {
            None => tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!("mock ROR stopped: {e}");
                }
            }),
            Some(pki) => {
                let acceptor = tls::acceptor(pki, opts.tls == TlsMode::Mtls)?;
                tokio::spawn(tls::serve(listener, acceptor, app, state.clone()))
            }
        };
        Ok(MockServer {
            addr,
            base_url,
            token_url,
            state,
            task,
            pki,
        })
    }

    /// How many offers (HealthcareService) a client of access `profile` can find (sensitive
    /// units, for one, are hidden from profile 0).
    pub fn offers_for(&self, profile: u8) -> usize {
        let store = self.state.store();
        store
            .of_type("HealthcareService")
            .iter()
            .filter(|i| !store.all[**i].hidden_from(profile))
            .count()
    }

    /// The demo client of access profile 0 (id and secret).
    pub fn demo_client(&self) -> &Client {
        self.state.issuer.demo_client()
    }

    /// A token for the demo client, as the token endpoint would issue it.
    pub fn demo_token(&self) -> String {
        self.state.issuer.issue(self.state.issuer.demo_client())
    }

    /// A valid demo token whose payload was edited to claim access profile 1, keeping the
    /// original signature: what an attacker would try. Only a server that skips the
    /// signature check accepts it.
    pub fn tampered_demo_token(&self) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let token = self.demo_token();
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts[..] else {
            return token;
        };
        let Some(mut claims) = b64
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
        else {
            return token;
        };
        claims["access_profile"] = serde_json::json!(1);
        format!("{header}.{}.{signature}", b64.encode(claims.to_string()))
    }

    /// A correctly signed token that expired a minute ago, for expiry scenarios.
    pub fn expired_demo_token(&self) -> String {
        let now = chrono::Utc::now().timestamp();
        self.state.issuer.issue_with_times(
            self.state.issuer.demo_client(),
            now - 3600,
            now - 60,
            None,
        )
    }

    /// Every request received so far, oldest first (secrets masked).
    pub fn requests(&self) -> Vec<log::LoggedRequest> {
        self.state.log.snapshot()
    }

    /// Moves the day-by-day story to its next day (`None` without a story).
    pub fn next_day(&self) -> Option<story::Day> {
        self.state.advance_story()
    }

    /// The story's days so far (empty without a story).
    pub fn story_days(&self) -> Vec<story::Day> {
        self.state
            .story
            .as_ref()
            .map(story::Story::days)
            .unwrap_or_default()
    }

    /// Whether the day-by-day story is played.
    pub fn plays_story(&self) -> bool {
        self.state.story.is_some()
    }

    /// The data as served now (judging the story needs the offers a consumer may see).
    pub fn store_snapshot(&self) -> std::sync::Arc<store::Store> {
        self.state.store()
    }

    /// Requests received after the one numbered `seq`.
    pub fn requests_since(&self, seq: u64) -> Vec<log::LoggedRequest> {
        self.state.log.since(seq)
    }

    /// Runs until the task ends (used by `rorcheck serve`).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }

    /// Stops listening and frees the data before returning, off the async workers. Dropping
    /// a mock frees a large store on whichever task lets go of it last, beside what runs
    /// next: a benchmark starting mocks one after another would time each start with the
    /// previous store's freeing in it. A connection still open keeps the data until it ends.
    pub async fn stop(mut self) {
        self.task.abort();
        // Aborted, the task ends at its next await: the router and its hold on the state go.
        let _ = (&mut self.task).await;
        let store = self.state.store();
        drop(self);
        let _ = tokio::task::spawn_blocking(move || drop(store)).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
