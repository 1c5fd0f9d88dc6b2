//! The command line: argument definitions and one function a command. Everything here is
//! the edge: it reads flags and files, calls the library and turns errors into exit codes.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "rorcheck",
    version,
    about = "Banc de conformité des consommateurs du ROR (API FHIR R4)",
    long_about = "rorcheck runs YAML test scenarios against the ROR FHIR API (the embedded mock \
                  by default, or a real environment) and writes JUnit, HTML and JSON reports."
)]
pub struct Cli {
    /// Config file declaring targets (default: ./rorcheck.toml when it exists).
    #[arg(long, global = true, env = "RORCHECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Language of everything rorcheck writes for people — console, reports, doctor, verdict
    /// reasons (default: the locale's when French or English, `LC_ALL`/`LC_MESSAGES`/`LANG`,
    /// else French, the ROR programme team's language).
    #[arg(long, global = true, value_enum, env = "RORCHECK_LANG")]
    pub lang: Option<LangChoice>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Only these priorities (1 = CRITIQUE, 2 = MAJEUR, 3 = MINEUR), e.g. `--priority 1,2`.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=3))]
    pub priority: Vec<u8>,
    /// Only scenarios with this tag (repeatable).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Only this modality (repeatable): extraction, mise-a-jour, mise-a-jour-oi, recherche,
    /// auth, securite, nomenclature, profils-acces, erreurs, capacites.
    #[arg(long)]
    pub modality: Vec<String>,
    /// Only ids matching this glob (repeatable, any case), e.g. `--id 'EXT-*'`.
    #[arg(long)]
    pub id: Vec<String>,
    /// Only shard K of N (`2/4`): disjoint, complete and stable across machines (by id).
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Only the scenarios that failed or errored in this earlier report.json.
    #[arg(long, value_name = "REPORT.json")]
    pub rerun_failed: Option<PathBuf>,
    /// The scenario directory to read instead of `./scenarios` or the embedded catalogue
    /// (e.g. a catalogue exported with `rorcheck scenarios export` and extended); PATHS,
    /// when given, are read as well.
    #[arg(long, value_name = "DIR", env = "RORCHECK_SCENARIOS_DIR")]
    pub scenarios_dir: Option<PathBuf>,
    /// Scenario files or directories (default: `./scenarios` if present, else the catalogue
    /// embedded in the binary).
    pub paths: Vec<PathBuf>,
}

impl Filters {
    /// Where the scenarios are read from: `--scenarios-dir` then PATHS (none: the default
    /// catalogue).
    pub fn sources(&self) -> Vec<PathBuf> {
        self.scenarios_dir
            .iter()
            .chain(&self.paths)
            .cloned()
            .collect()
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` or `CI` is set.
    Auto,
    /// Always (a CI log viewer that renders ANSI colours).
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// As `--color` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangChoice {
    /// Français.
    Fr,
    /// English.
    En,
}

impl Cli {
    /// The run's language: `--lang` (or `RORCHECK_LANG`), else the locale's.
    pub fn language(&self) -> rorcheck_i18n::Lang {
        match self.lang {
            Some(LangChoice::Fr) => rorcheck_i18n::Lang::Fr,
            Some(LangChoice::En) => rorcheck_i18n::Lang::En,
            None => rorcheck_i18n::Lang::from_locale(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write the reports.
    Run(RunArgs),
    /// List scenarios.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        #[command(flatten)]
        filters: Filters,
    },
    /// Pre-flight of an environment: certificate, password, chain, endpoints, token,
    /// /metadata, Ror-* headers — each check with a fix hint. Exit 0 only if all pass.
    Doctor {
        /// `mock`, `bac-a-sable`, `production`, a target from the config file, or a URL.
        #[arg(long, visible_alias = "target", default_value = "mock")]
        env: String,
    },
    /// Check scenario files without sending any request.
    Validate {
        /// Scenario files or directories (default: `./scenarios` if present, else the
        /// embedded catalogue).
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Run the mock ROR standalone, for a vendor's application or for curl.
    Serve(ServeArgs),
    /// Observer mode: play the ROR for the vendor's application, record what it sends and
    /// judge it scenario by scenario (reports as for `run`).
    Observe(ObserveArgs),
    /// The NOS snapshot used by the nomenclature checks.
    Nos {
        #[command(subcommand)]
        command: NosCommand,
    },
    /// Synthetic ROR datasets.
    Fixtures {
        #[command(subcommand)]
        command: FixturesCommand,
    },
    /// The scenario catalogue embedded in the binary.
    Scenarios {
        #[command(subcommand)]
        command: ScenariosCommand,
    },
}

/// `rorcheck scenarios ...`
#[derive(Debug, clap::Subcommand)]
pub enum ScenariosCommand {
    /// Write the embedded catalogue under DIR (one YAML file a scenario, by modality), to
    /// read, adapt or extend; `rorcheck run DIR` then runs it.
    Export {
        /// Directory to write into (created if missing).
        dir: PathBuf,
        /// Replace files already there.
        #[arg(long)]
        force: bool,
    },
}

/// Options of `rorcheck run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// `mock` (the embedded mock ROR, the default), `bac-a-sable`, `production`, a
    /// target from the config file, or a FHIR base URL.
    #[arg(long, visible_alias = "env", default_value = "mock")]
    pub target: String,
    /// Run scenarios tagged `lourd` (full extractions) even on a production environment.
    #[arg(long)]
    pub allow_heavy: bool,
    /// Apply the ROR conformance checks (profiles, NOS, search graph, access-profile
    /// visibility) to every Bundle or resource received.
    #[arg(long)]
    pub check_all: bool,
    /// Conformance: a NOS code unknown to the snapshot is an error, not a warning.
    #[arg(long)]
    pub strict: bool,
    /// Scenarios run at once (default: number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Per-request timeout in seconds (overrides the target's).
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Where junit.xml, report.html and report.json are written.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Also write the readiness dossier to this zip: the three reports, the exchanges as
    /// `session.har` (HAR 1.2, masked) and `manifest.json` (SHA-256 of every file, tool
    /// version, scenario-set hash, target, times).
    #[arg(long, value_name = "FILE.zip")]
    pub evidence: Option<PathBuf>,
    /// Stop starting scenarios after the first failure or error (the reports say which were
    /// not run).
    #[arg(long)]
    pub fail_fast: bool,
    /// The lowest priority whose failure fails the build: `1` only CRITIQUE, `2` CRITIQUE
    /// and MAJEUR, `3` all (default).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub fail_on: u8,
    /// A scenario variable for this run (repeatable), as Hurl's `--variable`: `offer_id=11/1`.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Print only the summary, not a line per scenario.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step and assertion of every scenario, not only why one failed.
    #[arg(long, short)]
    pub verbose: bool,
    /// Colours on the console: `auto` on a terminal without `NO_COLOR` or `CI`.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Make the embedded mock misbehave (repeatable), to see scenarios fail; every mode and
    /// its effect is listed by `--help` (docs/mock.md says which scenarios each one breaks).
    #[arg(long = "mock-fault", value_name = "MODE", value_parser = fault_parser())]
    pub mock_faults: Vec<rorcheck_mock::Fault>,
    #[command(flatten)]
    pub filters: Filters,
}

/// Options of `rorcheck serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of offers in the generated dataset.
    #[arg(long, default_value_t = 60)]
    pub offers: usize,
    /// Misbehaviour to inject (repeatable); each mode and its effect is listed by `--help`.
    #[arg(long = "fault", value_name = "MODE", value_parser = fault_parser())]
    pub faults: Vec<rorcheck_mock::Fault>,
    /// Serve this dataset (a directory of `*.ndjson` files) instead of generated data.
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// HTTPS with a test CA generated at start-up.
    #[arg(long, conflicts_with = "mtls")]
    pub tls: bool,
    /// HTTPS requiring a client certificate (RFC 8705 mutual TLS, access profiles 1 to 5).
    #[arg(long)]
    pub mtls: bool,
    /// Write the test CA, server and client certificates (PEM) into this directory.
    #[arg(long)]
    pub write_certs: Option<PathBuf>,
    /// Clients file (TOML): client id, access profile, secret or certificate subject.
    #[arg(long)]
    pub clients: Option<PathBuf>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 300)]
    pub token_lifetime: i64,
}

impl ServeArgs {
    pub fn tls_mode(&self) -> rorcheck_mock::TlsMode {
        tls_mode(self.tls, self.mtls)
    }
}

/// The mock's transport from the `--tls` / `--mtls` flags.
fn tls_mode(tls: bool, mtls: bool) -> rorcheck_mock::TlsMode {
    use rorcheck_mock::TlsMode;
    match (tls, mtls) {
        (_, true) => TlsMode::Mtls,
        (true, false) => TlsMode::Tls,
        (false, false) => TlsMode::Off,
    }
}

/// Options of `rorcheck observe`.
#[derive(Debug, clap::Args)]
pub struct ObserveArgs {
    /// Where the simulated ROR listens (loopback by default; `127.0.0.1:0` picks a port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// HTTPS with a test CA generated at start-up.
    #[arg(long, conflicts_with = "mtls")]
    pub tls: bool,
    /// HTTPS requiring a client certificate (RFC 8705, access profiles 1 to 5): the session
    /// is judged for the profile-1 demo client. Needs `--write-certs`, unless a COMMAND or
    /// `--env-file` is given (the certificates then go to a temporary directory named in
    /// the settings).
    #[arg(long)]
    pub mtls: bool,
    /// Write the test CA and the demo client certificates (PEM) into this directory, for
    /// the application to trust and present.
    #[arg(long)]
    pub write_certs: Option<PathBuf>,
    /// Stop after this long (`90s`, `30m`, `2h`); without it, Ctrl-C stops the session.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Lifetime of issued access tokens, in seconds (short to see renewals).
    #[arg(long, default_value_t = 300)]
    pub token_lifetime: i64,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of offers in the generated dataset.
    #[arg(long, default_value_t = 60)]
    pub offers: usize,
    /// Play the day-by-day story of the update modality: day 0 is the initial data, then
    /// creations, changes, a closure and an empty day. Days move on with
    /// `POST <origin>/_rorcheck/story/next-day` or every `--day-length`.
    #[arg(long)]
    pub story: bool,
    /// With `--story`, move to the next day this often (`30s`, `5m`).
    #[arg(long, value_parser = parse_duration, requires = "story")]
    pub day_length: Option<std::time::Duration>,
    /// Do not print each request as it arrives.
    #[arg(long)]
    pub quiet: bool,
    /// Where junit.xml, report.html and report.json are written.
    #[arg(long, default_value = "reports/observe")]
    pub report_dir: PathBuf,
    /// Also write the readiness dossier to this zip: the three reports, `session.har` and a
    /// `manifest.json` with the SHA-256 of every file.
    #[arg(long, value_name = "FILE.zip")]
    pub evidence: Option<PathBuf>,
    /// Clients file (TOML) adding clients to the demo ones (`docs/mock.md`).
    #[arg(long)]
    pub clients: Option<PathBuf>,
    /// A fixed secret for the profile-0 demo client instead of a random one; give it
    /// through the environment variable rather than the command line.
    #[arg(long, env = "RORCHECK_DEMO_SECRET", hide_env_values = true)]
    pub demo_secret: Option<String>,
    /// Write the connection settings (the `ROR_*` variables given to COMMAND) to this file,
    /// `NAME=value` per line, for an application started separately.
    #[arg(long)]
    pub env_file: Option<PathBuf>,
    /// With `--story` and a COMMAND: run the command once per story day (J0 to J4), moving
    /// the story on between runs, as a daily scheduled job would.
    #[arg(long, requires = "story")]
    pub per_day: bool,
    #[command(flatten)]
    pub filters: Filters,
    /// The application to observe: started with the connection settings in its environment
    /// (`ROR_FHIR_BASE_URL`, `ROR_TOKEN_URL`, `ROR_CLIENT_ID`, `ROR_CLIENT_SECRET`, the four
    /// `ROR_*` header values, and under TLS the CA bundle and client certificate); the
    /// session ends when it exits.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

impl ObserveArgs {
    pub fn tls_mode(&self) -> rorcheck_mock::TlsMode {
        tls_mode(self.tls, self.mtls)
    }
}

/// Every fault mode with its effect, for `--help`.
fn fault_parser() -> impl clap::builder::TypedValueParser<Value = rorcheck_mock::Fault> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(
        rorcheck_mock::Fault::ALL.map(|f| PossibleValue::new(f.key()).help(f.effect())),
    )
    .try_map(|key| key.parse::<rorcheck_mock::Fault>())
}

/// `K/N` with 1 ≤ K ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}`: K/N expected, e.g. 1/4"))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("`{text}`: K/N expected"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("`{text}`: K/N expected"))?;
    if k == 0 || n == 0 || k > n {
        return Err(format!("`{text}`: 1 ≤ K ≤ N expected"));
    }
    Ok((k, n))
}

/// `name=value`.
fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(n, v)| (n.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{text}`: NAME=VALUE expected"))
}

/// `90`, `90s`, `30m`, `2h`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}`: a whole number followed by s, m or h is expected"))?;
    let secs = match unit {
        "s" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        other => return Err(format!("`{other}`: unit s, m or h expected")),
    };
    if secs == 0 {
        return Err("the duration must be positive".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[derive(Debug, Subcommand)]
pub enum NosCommand {
    /// Build the snapshot from a directory of NOS CodeSystem/ValueSet JSON files (ANS).
    Import {
        /// Directory of `CodeSystem-TRE-*.json` and `ValueSet-JDV-*.json`.
        dir: PathBuf,
        #[arg(long, default_value = "src/conformance/data/nos-snapshot.json")]
        out: PathBuf,
        /// Provenance written into the snapshot.
        #[arg(long, default_value = "NOS (ANS), ../shared/nos")]
        source: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Generate a deterministic dataset (one NDJSON file per resource type).
    Generate {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 60)]
        offers: usize,
        #[arg(long, default_value = "fixtures/dataset")]
        out: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_read_seconds_minutes_and_hours() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("3d").is_err());
        assert!(parse_duration("abc").is_err());
    }
}
