//! Console output: one line per scenario as it finishes, then a summary.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use rorcheck_engine::run::{RunReport, ScenarioResult, Status};
use rorcheck_scenario::Priority;

fn mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "OK    ",
        Status::Warning => "AVERT.",
        Status::Failed => "ÉCHEC ",
        Status::Errored => "ERREUR",
        Status::Skipped => "IGNORÉ",
        Status::NotExercised => "NON EX",
        Status::NotApplicable => "N/A   ",
    }
}

/// One line for a finished scenario.
pub(crate) fn scenario_line(s: &ScenarioResult) -> String {
    let mut line = format!(
        "{} {:<12} P{} {:<55} {:>7.0} ms",
        mark(s.status),
        s.id,
        s.priority.number(),
        truncate(&s.title, 55),
        s.duration_ms
    );
    if let (
        Some(reason),
        Status::Failed | Status::Errored | Status::Skipped | Status::NotApplicable,
    ) = (&s.reason, s.status)
    {
        line.push_str(&format!("\n        ↳ {reason}"));
    }
    line
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Prints lines as scenarios finish; shows a progress bar only on a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `total` scenarios.
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} scénarios {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    /// One scenario finished: its line, and the bar moves on.
    pub fn finished(&self, s: &ScenarioResult) {
        let line = scenario_line(s);
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => println!("{line}"),
        }
    }

    /// The run ended: the bar goes away.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The closing summary.
pub fn summary(report: &RunReport) -> String {
    let c = report.counts();
    let mut out = format!(
        "\n{} passed, {} failed, {} errored, {} skipped — {} scénarios en {:.2} s{}\n",
        c.passed,
        c.failed,
        c.errored,
        c.skipped,
        c.total,
        report.duration_ms() / 1000.0,
        if c.not_applicable > 0 {
            format!(
                " ({} non applicable(s) au profil d'accès de la cible)",
                c.not_applicable
            )
        } else {
            String::new()
        }
    );
    if let Some(why) = &report.stopped_early {
        out.push_str(&format!("Arrêt anticipé : {why}\n"));
    }
    for p in Priority::ALL {
        let pc = report.counts_for(p);
        if pc.total > 0 {
            out.push_str(&format!(
                "  P{} {:<8} {:>3} réussis / {:>3} ({} échoués, {} en erreur, {} ignorés)\n",
                p.number(),
                p.label(),
                pc.passed,
                pc.total,
                pc.failed,
                pc.errored,
                pc.skipped
            ));
        }
    }
    if let Some(why) = &report.interrupted {
        out.push_str(&format!(
            "Exécution interrompue ({why}) : scénarios non terminés comptés en erreur\n"
        ));
    }
    out.push_str(&format!(
        "Verdict : {} — score pondéré {}/100\n",
        crate::json::verdict(report).to_uppercase(),
        report.score()
    ));
    out
}
