//! rorcheck's binary: parse arguments, run the command, map the outcome to an exit code
//! (0 all passed, 1 some failed or errored, 2 invalid scenarios, config or usage).

use clap::Parser;
use rorcheck::cli::{Cli, execute};

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RORCHECK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let code = match runtime.block_on(execute(cli)) {
        Ok(()) => 0,
        Err(e) => {
            let code = e.exit_code();
            if code != 2 {
                eprintln!("rorcheck: {e}");
            } else {
                eprintln!("error: {e}");
            }
            code
        }
    };
    std::process::exit(code);
}
