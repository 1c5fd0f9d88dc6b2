//! SIGINT and SIGTERM: the first stops the run and keeps what finished, the second exits.

use rorcheck_i18n::{Lang, t};
/// The signals that stop a run cleanly: Ctrl-C, and what CI systems send to cancel a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// The conventional exit status, 128 + the signal number.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Waits for SIGINT or SIGTERM (Ctrl-C only where there is no SIGTERM).
pub async fn next_signal() -> Signal {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                Signal::Interrupt
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        Signal::Interrupt
    }
}

/// The first signal stops the run (the reports are still written); a second one exits at
/// once, for a user who does not want to wait.
pub(super) async fn stop_on_signal(caught: std::sync::Arc<std::sync::OnceLock<Signal>>) -> String {
    let first = next_signal().await;
    let _ = caught.set(first);
    eprintln!();
    eprintln!("{}", t!(Lang::current(), "signal-first", first = first));
    tokio::spawn(async move {
        next_signal().await;
        eprintln!("{}", t!(Lang::current(), "signal-second"));
        std::process::exit(first.exit_code());
    });
    first.name().to_owned()
}
