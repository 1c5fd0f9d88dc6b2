//! The console: colours only when asked for or on a terminal, and `--verbose` showing every
//! step and assertion.

use std::process::Output;

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = crate::common::rorcheck_command();
    cmd.args(["run", "--id", "EXT-009", "--report-dir"])
        .arg(dir.path().join("r"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CI");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("rorcheck runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colours_follow_the_color_option_and_never_reach_a_pipe_by_default() {
    let always = stdout(&run(&["--color", "always"], &[]));
    assert!(always.contains("\u{1b}[32mOK"), "{always}");
    // Standard output is a pipe here: auto is plain, and so is never.
    for args in [&["--color", "auto"][..], &["--color", "never"], &[]] {
        let plain = stdout(&run(args, &[]));
        assert!(!plain.contains('\u{1b}'), "{args:?}: {plain}");
        assert!(plain.contains("OK     EXT-009"), "{plain}");
    }
    assert!(!stdout(&run(&["--color", "auto"], &[("NO_COLOR", "1")])).contains('\u{1b}'));
}

#[test]
fn verbose_shows_each_step_and_assertion_and_quiet_conflicts_with_it() {
    let verbose = stdout(&run(&["--verbose"], &[]));
    assert!(
        verbose.contains("étape « Lecture de HealthcareService/hs-2 »"),
        "{verbose}"
    );
    assert!(
        verbose.contains("OK status : attendu statut HTTP 200"),
        "{verbose}"
    );
    let failing = stdout(&run(&["-v", "--mock-fault", "nos-value-set-systems"], &[]));
    assert!(failing.contains("ÉCHEC fhirpath"), "{failing}");
    assert!(failing.contains("obtenu résultat [false]"), "{failing}");
    let plain = stdout(&run(&[], &[]));
    assert!(!plain.contains("étape «"), "{plain}");
    let both = run(&["--quiet", "--verbose"], &[]);
    assert_eq!(both.status.code(), Some(2));
}
