//! A larger target, started on first need. Some scenarios only mean something on a
//! national-size dataset (the 10 000-result cap, `_count` above 200): the embedded run
//! serves them from a second mock generated with enough offers, started when the first of
//! them runs (or at once, [`LargerTarget::begin`], when the run knows it will need it), so
//! that a run without them pays nothing.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::config::Target;

/// What keeps a started target alive (its server, its certificates); dropped with the run.
pub type Guard = Box<dyn Any + Send + Sync>;

/// Why the larger target did not start.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

/// Starting a target: the target and what keeps it alive, or why it did not start.
pub type Starting = Pin<Box<dyn Future<Output = Result<(Target, Guard), StartError>> + Send>>;

/// How a larger target is started.
type Start = Arc<dyn Fn() -> Starting + Send + Sync>;
/// Once started: the target and what keeps it alive, or why it did not start.
type Started = Arc<tokio::sync::OnceCell<Result<(Target, Guard), StartError>>>;

/// A target holding `offers` offers, started by `start` the first time a scenario needs it
/// (or earlier, [`LargerTarget::begin`]).
pub struct LargerTarget {
    offers: u64,
    start: Start,
    started: Started,
}

impl LargerTarget {
    /// A target of at least `offers` offers that `start` starts.
    pub fn new(offers: u64, start: impl Fn() -> Starting + Send + Sync + 'static) -> Self {
        LargerTarget {
            offers,
            start: Arc::new(start),
            started: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// How many offers it holds.
    pub fn offers(&self) -> u64 {
        self.offers
    }

    /// Starts it now, in the background, when a run knows from the outset that it will be
    /// needed: its dataset is then generated while the run's other targets start. Outside
    /// a Tokio runtime, nothing happens (it starts on first need).
    pub fn begin(&self) {
        let (start, started) = (Arc::clone(&self.start), Arc::clone(&self.started));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                started.get_or_init(|| start()).await;
            });
        }
    }

    /// The started target: started once, by whoever asks first, the others waiting.
    pub async fn target(&self) -> Result<&Target, StartError> {
        let started = self.started.get_or_init(|| (self.start)()).await;
        match started {
            Ok((target, _)) => Ok(target),
            Err(e) => Err(e.clone()),
        }
    }
}
