//! report.html in a real browser (headless Chromium, as a reviewer opens it): a failing run's
//! page, every `<details>` opened, fits a 1,400 px window without scrolling sideways, raises
//! no script error or CSP violation, and shows the word differences and the FHIRPath
//! sub-expression values of its failures. Chromium comes from Debian's `chromium` package
//! (`.ci/run` installs it); `RORCHECK_CHROMIUM` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{rorcheck, text};

const WIDTH: u32 = 1400;

/// Measures the page after it ran: its scroll width with everything open, the elements
/// that stick out, and the script errors and CSP violations caught from the first byte.
const PROBE_HEAD: &str = r#"<script>window.__errors=[];addEventListener("error",function(e){__errors.push(String(e.message||e))});addEventListener("securitypolicyviolation",function(e){__errors.push("CSP "+e.violatedDirective)});</script>"#;
const PROBE_TAIL: &str = r#"<script>document.querySelectorAll("details").forEach(function(d){d.open=true});var wide=[];document.querySelectorAll("body *").forEach(function(e){var r=e.getBoundingClientRect();if(r.right>innerWidth+1&&wide.length<5)wide.push(e.tagName+"."+e.className+" "+Math.round(r.right))});document.body.setAttribute("data-probe",JSON.stringify({scroll:document.documentElement.scrollWidth,viewport:innerWidth,errors:__errors,wide:wide}));</script>"#;

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("RORCHECK_CHROMIUM") {
        return PathBuf::from(path);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "headless Chromium is needed for this test: `apt-get install chromium` (.ci/run \
                 does it), or RORCHECK_CHROMIUM=/path/to/chrome"
            )
        })
}

/// Chromium as the environment's probe starts it: no sandbox (root), no network of its own.
fn headless(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        &format!("--window-size={WIDTH},900"),
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The probe's measurements of `page` (a copy with the probe's two scripts added).
fn probe(page: &str, dir: &Path) -> Value {
    let with_head = page.replacen("<head>", &format!("<head>{PROBE_HEAD}"), 1);
    let end = with_head.rfind("</body>").expect("a closing body tag");
    let probed = format!("{}{PROBE_TAIL}{}", &with_head[..end], &with_head[end..]);
    let file = dir.join("probed.html");
    std::fs::write(&file, probed).expect("probed copy");
    let out = headless(&dir.join("profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("data-probe=\"")
        .unwrap_or_else(|| panic!("the probe ran: {}", String::from_utf8_lossy(&out.stderr)))
        + "data-probe=\"".len();
    let len = dom[start..].find('"').expect("attribute end");
    let json = dom[start..start + len]
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("probe JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_report_fits_1400_px_without_script_errors_and_explains_its_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("r");
    // Failures with long URLs, long expected/obtained sentences and FHIRPath `all()`s.
    let mut args: Vec<String> = [
        "run",
        "--mock-fault",
        "ignore-search-criteria",
        "--mock-fault",
        "nos-value-set-systems",
        "--mock-fault",
        "no-total",
        "--report-dir",
    ]
    .map(String::from)
    .to_vec();
    args.push(reports.display().to_string());
    for id in ["RCH-001", "EXT-003", "NOS-001", "EXT-006", "MAJ-001"] {
        args.extend(["--id".into(), id.into()]);
    }
    let out = rorcheck(args, vec![]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let page = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    assert!(
        page.contains("<mark class=\"got\">"),
        "obtained differences marked"
    );
    assert!(
        page.contains("<mark class=\"miss\">"),
        "expected differences marked"
    );
    assert!(
        page.contains("<ul class=\"explain\"") && page.contains(".where(("),
        "FHIRPath sub-expressions and the items failing all() shown"
    );

    let measured = probe(&page, dir.path());
    assert_eq!(measured["viewport"], WIDTH, "{measured}");
    assert!(
        measured["scroll"]
            .as_u64()
            .is_some_and(|w| w <= u64::from(WIDTH)),
        "no horizontal scrolling at {WIDTH} px: {measured}"
    );
    assert_eq!(measured["errors"], serde_json::json!([]), "{measured}");

    // The probe sees overflow when there is some: the same page with one wide element.
    let widened = page.replacen("<main>", "<main><div style=\"width:2600px\">large</div>", 1);
    let control = probe(&widened, dir.path());
    assert!(
        control["scroll"].as_u64().is_some_and(|w| w >= 2600),
        "{control}"
    );

    // The page as a reviewer sees it: a screenshot of the window's width.
    let shot = dir.path().join("report.png");
    let out = headless(&dir.path().join("profile"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", reports.join("report.html").display()))
        .output()
        .expect("chromium runs");
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(&png[1..4], b"PNG");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(width, WIDTH);
}
