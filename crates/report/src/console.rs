//! Console output: one line per scenario as it finishes (with its steps and assertions when
//! verbose), then a summary; coloured on a terminal, plain in CI and files.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};

use rorcheck_engine::run::{RunReport, ScenarioResult, Status};
use rorcheck_i18n::{Lang, t};
use rorcheck_scenario::Priority;

/// The status mark at the start of a line, padded to one width.
fn mark(status: Status) -> String {
    let l = Lang::current();
    let text = match status {
        Status::Passed => t!(l, "mark-passed"),
        Status::Warning => t!(l, "mark-warning"),
        Status::Failed => t!(l, "mark-failed"),
        Status::Errored => t!(l, "mark-errored"),
        Status::Skipped => t!(l, "mark-skipped"),
        Status::NotExercised => t!(l, "mark-not-exercised"),
        Status::NotApplicable => t!(l, "mark-not-applicable"),
    };
    format!("{text:<6}")
}

/// How the console writes: colours, and how much.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    /// ANSI colours on the status marks and the verdict.
    pub color: bool,
    /// Every step and assertion of every scenario, not only the reason of a failure.
    pub verbose: bool,
}

/// `--color`: `auto` colours when standard output is a terminal, `NO_COLOR` is unset and no
/// CI is detected (`CI`), as most command-line tools do.
pub fn color_wanted(choice: &str) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("CI").is_none()
        }
    }
}

fn style_of(status: Status) -> Style {
    let color = match status {
        Status::Passed => AnsiColor::Green,
        Status::Warning => AnsiColor::Yellow,
        Status::Failed | Status::Errored => AnsiColor::Red,
        Status::Skipped | Status::NotExercised | Status::NotApplicable => AnsiColor::BrightBlack,
    };
    let style = Style::new().fg_color(Some(color.into()));
    if matches!(status, Status::Failed | Status::Errored) {
        style.bold()
    } else {
        style
    }
}

fn paint(text: &str, style: Style, look: Look) -> String {
    if look.color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// One line for a finished scenario (and, verbose, its steps and assertions).
pub(crate) fn scenario_line(s: &ScenarioResult, look: Look) -> String {
    let mut line = format!(
        "{} {:<12} P{} {:<55} {:>7.0} ms",
        paint(&mark(s.status), style_of(s.status), look),
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
    if look.verbose {
        for step in &s.steps {
            line.push_str(&format!(
                "\n    {} {}",
                paint(mark(step.status).trim_end(), style_of(step.status), look),
                t!(
                    Lang::current(),
                    "console-step",
                    name = &step.name,
                    line = step.line,
                    ms = format!("{:.0}", step.duration_ms)
                )
            ));
            for a in &step.assertions {
                line.push_str(&format!(
                    "\n        {} {}{}",
                    paint(mark(a.status).trim_end(), style_of(a.status), look),
                    t!(
                        Lang::current(),
                        "console-assertion",
                        kind = &a.kind,
                        expected = &a.expected
                    ),
                    if a.status.is_problem() {
                        t!(Lang::current(), "console-obtained", actual = &a.actual)
                    } else {
                        String::new()
                    }
                ));
            }
        }
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
    look: Look,
}

impl Progress {
    /// Progress over `total` scenarios.
    pub fn new(total: usize, look: Look) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {} {{elapsed}}",
                t!(Lang::current(), "progress-scenarios")
            )) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, look }
    }

    /// One scenario finished: its line, and the bar moves on.
    pub fn finished(&self, s: &ScenarioResult) {
        let line = scenario_line(s, self.look);
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
pub fn summary(report: &RunReport, look: Look) -> String {
    let c = report.counts();
    let mut out = format!(
        "\n{}\n",
        t!(
            Lang::current(),
            "console-summary",
            passed = c.passed,
            failed = c.failed,
            errored = c.errored,
            skipped = c.skipped,
            total = c.total,
            seconds = format!("{:.2}", report.duration_ms() / 1000.0),
            not_applicable_note = if c.not_applicable > 0 {
                t!(
                    Lang::current(),
                    "console-not-applicable",
                    count = c.not_applicable
                )
            } else {
                String::new()
            }
        )
    );
    if let Some(why) = &report.stopped_early {
        out.push_str(&t!(Lang::current(), "console-stopped-early", why = why));
        out.push('\n');
    }
    for p in Priority::ALL {
        let pc = report.counts_for(p);
        if pc.total > 0 {
            out.push_str(&format!(
                "  {}\n",
                t!(
                    Lang::current(),
                    "console-priority",
                    priority = p.number(),
                    label = format!("{:<8}", p.label()),
                    passed = format!("{:>3}", pc.passed),
                    total = format!("{:>3}", pc.total),
                    failed = pc.failed,
                    errored = pc.errored,
                    skipped = pc.skipped
                )
            ));
        }
    }
    if let Some(why) = &report.interrupted {
        out.push_str(&t!(Lang::current(), "console-interrupted", why = why));
        out.push('\n');
    }
    let verdict = crate::verdict_label(report).to_uppercase();
    let verdict_style = match report.counts() {
        c if c.failed > 0 || c.errored > 0 => style_of(Status::Failed),
        _ => style_of(Status::Passed),
    };
    out.push_str(&t!(
        Lang::current(),
        "console-verdict",
        verdict = paint(&verdict, verdict_style, look),
        score = report.score()
    ));
    out.push('\n');
    out
}
