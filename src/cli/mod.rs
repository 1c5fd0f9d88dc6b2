//! The command line: arguments ([`args`]), one module a command (run, list, doctor, serve,
//! observe), and what they share (errors, signals, selection).
//! The language is set here, once (`--lang`); every sentence comes from the catalogue
//! (`rorcheck-i18n`); the crates below return typed values.

/// Prints a message of the catalogue in the run's language: `say!` takes what `t!` takes
/// after the language (the id, then named arguments).
macro_rules! say {
    ($($message:tt)*) => {
        println!("{}", rorcheck_i18n::t!(rorcheck_i18n::Lang::current(), $($message)*))
    };
}

mod application;
mod args;
mod doctor;
mod error;
mod list;
mod observe;
mod run;
mod selection;
mod serve;
mod signal;
mod tools;

pub use args::*;
pub use error::CliError;
pub use list::{list_markdown, schema};
pub use rorcheck_embedded::MOCK_MTLS;
pub use signal::{Signal, next_signal};

/// Runs the command.
pub async fn execute(cli: Cli) -> Result<(), CliError> {
    let lang = cli.language();
    // One language per run: verdict reasons composed by the library follow it too.
    rorcheck_i18n::Lang::set_current(lang);
    let config = cli.config.as_deref();
    match cli.command {
        Command::Run(args) => run::run(config, args).await,
        Command::List { format, filters } => list::list(format, &filters),
        Command::Doctor { env } => doctor::doctor(config, &env, lang).await,
        Command::Validate { paths } => list::validate(&paths),
        Command::Schema => {
            print!("{}", schema());
            Ok(())
        }
        Command::Serve(args) => serve::serve(args).await,
        Command::Observe(args) => observe::observe(args).await,
        Command::Nos {
            command: NosCommand::Import { dir, out, source },
        } => tools::import_nos(&dir, &out, &source),
        Command::Fixtures {
            command: FixturesCommand::Generate { seed, offers, out },
        } => tools::generate_fixtures(seed, offers, &out),
        Command::Scenarios {
            command: ScenariosCommand::Export { dir, force },
        } => tools::export_scenarios(&dir, force),
    }
}
