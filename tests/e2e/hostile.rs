//! End-to-end against hostile servers on loopback: the real binary, a raw HTTP server that
//! answers what an attacker (or a badly broken deployment) would, and a second "foreign"
//! server on another origin that must never receive a request carrying the token. Where
//! memory is the point, the child's peak RSS is read from `wait4`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "Hostile-S3cr3t /+=\"x<&>";
const SECRET_VAR: &str = "RORCHECK_HOSTILE_SECRET";
/// An opaque (non-JWT) token: nothing but its registration masks it.
const TOKEN: &str = "opaque-tok-7f3a9c0d1e2b4a65";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
enum Reply {
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A chunked body that never ends: `head` once, then `filler` forever.
    Endless {
        content_type: &'static str,
        head: Vec<u8>,
        filler: Vec<u8>,
    },
    /// `Content-Length` announced, then zeros for as long as the client reads.
    Announced(u64),
    /// Headers never come.
    Stall,
}

fn json_reply(status: u16, body: &Value) -> Reply {
    Reply::Fixed {
        status,
        headers: vec![("Content-Type".into(), "application/fhir+json".into())],
        body: body.to_string().into_bytes(),
    }
}

type Route = Arc<dyn Fn(&Seen, &Urls) -> Reply + Send + Sync>;

/// The two origins: the target and the foreign host its answers point to.
#[derive(Clone)]
struct Urls {
    own: String,
    foreign: String,
}

struct Hostile {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    async fn start(route: Route, urls: Arc<Mutex<Option<Urls>>>) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (route, log, urls) = (route.clone(), log.clone(), urls.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, route, log, urls).await;
                });
            }
        });
        Hostile { url, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    route: Route,
    log: Arc<Mutex<Vec<Seen>>>,
    urls: Arc<Mutex<Option<Urls>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Ok(());
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let seen = Seen {
        method,
        path,
        headers,
        at: Instant::now(),
    };
    if let Some(len) = seen
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await?;
    }
    log.lock().expect("lock").push(seen.clone());
    let urls = urls.lock().expect("lock").clone().expect("urls set");
    match route(&seen, &urls) {
        Reply::Fixed {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("Connection: close\r\n\r\n");
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Reply::Endless {
            content_type,
            head,
            filler,
        } => {
            stream
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await?;
            // An empty chunk would end the body: start with the filler then.
            let mut chunk = if head.is_empty() {
                filler.clone()
            } else {
                head
            };
            loop {
                stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .await?;
                stream.write_all(&chunk).await?;
                stream.write_all(b"\r\n").await?;
                chunk = filler.clone();
            }
        }
        Reply::Announced(len) => {
            stream
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: {len}\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await?;
            let zeros = vec![b' '; 64 * 1024];
            let mut sent = 0u64;
            while sent < len {
                stream.write_all(&zeros).await?;
                sent += zeros.len() as u64;
            }
        }
        Reply::Stall => tokio::time::sleep(Duration::from_secs(600)).await,
    }
    stream.flush().await
}

fn manifest(file_url: &str) -> Value {
    json!({"transactionTime": "2026-11-30T10:00:00Z", "request": "x", "requiresAccessToken": true,
           "output": [{"type": "HealthcareService", "url": file_url}], "error": []})
}

fn accepted(status_url: &str) -> Reply {
    Reply::Fixed {
        status: 202,
        headers: vec![("Content-Location".into(), status_url.to_owned())],
        body: Vec::new(),
    }
}

/// The target server's answers.
fn target_route(seen: &Seen, urls: &Urls) -> Reply {
    let own = &urls.own;
    let foreign = &urls.foreign;
    let path = seen.path.split('?').next().unwrap_or_default();
    match path {
        "/token" => Reply::Fixed {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Cache-Control".into(), "no-store".into()),
            ],
            body: json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300})
                .to_string()
                .into_bytes(),
        },
        "/fhir/ok" => json_reply(
            200,
            &json!({"resourceType": "Bundle", "type": "searchset", "total": 0}),
        ),
        "/fhir/paged" => json_reply(
            200,
            &json!({"resourceType": "Bundle", "type": "searchset", "total": 2,
                    "link": [{"relation": "next", "url": format!("{foreign}/fhir/paged?page=2")}],
                    "entry": [{"resource": {"resourceType": "HealthcareService", "id": "hs-1"},
                               "search": {"mode": "match"}}]}),
        ),
        "/fhir/export-foreign-status/$export" => accepted(&format!("{foreign}/fhir/status/1")),
        "/fhir/export-foreign-file/$export" => accepted(&format!("{own}/fhir/status/foreign-file")),
        "/fhir/status/foreign-file" => {
            json_reply(200, &manifest(&format!("{foreign}/files/hs.ndjson")))
        }
        "/fhir/export-endless-line/$export" => accepted(&format!("{own}/fhir/status/endless-line")),
        "/fhir/status/endless-line" => {
            json_reply(200, &manifest(&format!("{own}/files/line.ndjson")))
        }
        "/files/line.ndjson" => Reply::Endless {
            content_type: "application/fhir+ndjson",
            head: br#"{"resourceType":"HealthcareService","id":""#.to_vec(),
            filler: vec![b'a'; 64 * 1024],
        },
        "/fhir/export-endless-file/$export" => accepted(&format!("{own}/fhir/status/endless-file")),
        "/fhir/status/endless-file" => {
            json_reply(200, &manifest(&format!("{own}/files/file.ndjson")))
        }
        "/files/file.ndjson" => Reply::Endless {
            content_type: "application/fhir+ndjson",
            head: Vec::new(),
            filler: "{\"resourceType\":\"HealthcareService\",\"id\":\"hs-x\"}\n"
                .repeat(1000)
                .into_bytes(),
        },
        "/fhir/endless" => Reply::Endless {
            content_type: "application/fhir+json",
            head: b"{\"resourceType\":\"Bundle\",\"entry\":[".to_vec(),
            filler: vec![b' '; 64 * 1024],
        },
        "/fhir/huge" => Reply::Announced(1 << 30),
        "/fhir/busy-date" => {
            // The first request is told to come back at a date 3 s ahead.
            if BUSY_SERVED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                json_reply(
                    200,
                    &json!({"resourceType": "Bundle", "type": "searchset", "total": 0}),
                )
            } else {
                let at = SystemTime::now() + Duration::from_secs(3);
                Reply::Fixed {
                    status: 503,
                    headers: vec![("Retry-After".into(), httpdate::fmt_http_date(at))],
                    body: Vec::new(),
                }
            }
        }
        "/fhir/echo" => {
            let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
            let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("editeur:{SECRET}"));
            let html = SECRET
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            json_reply(
                200,
                &json!({"resourceType": "Basic", "text": format!(
                    "lower={} b64={b64} basic=Basic {basic} html={html} token={TOKEN} tb64={}",
                    lowercase_escapes(&form),
                    base64::engine::general_purpose::STANDARD.encode(TOKEN),
                )}),
            )
        }
        "/fhir/stall" => Reply::Stall,
        _ => json_reply(404, &json!({"resourceType": "OperationOutcome"})),
    }
}

/// `%2f` for `%2F`: percent-encoding with lowercase hex digits, the rest untouched.
fn lowercase_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        out.push_str(&rest[at..at + 3].to_ascii_lowercase());
        rest = &rest[at + 3..];
    }
    out + rest
}

static BUSY_SERVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The foreign origin: serves a valid export file to whoever asks (the trusted case).
fn foreign_route(_: &Seen, _: &Urls) -> Reply {
    Reply::Fixed {
        status: 200,
        headers: vec![("Content-Type".into(), "application/fhir+ndjson".into())],
        body: b"{\"resourceType\":\"HealthcareService\",\"id\":\"hs-f\"}\n".to_vec(),
    }
}

struct Servers {
    target: Hostile,
    foreign: Hostile,
    dir: tempfile::TempDir,
}

async fn servers() -> Servers {
    let urls = Arc::new(Mutex::new(None));
    let target = Hostile::start(Arc::new(target_route), urls.clone()).await;
    let foreign = Hostile::start(Arc::new(foreign_route), urls.clone()).await;
    *urls.lock().expect("lock") = Some(Urls {
        own: target.url.clone(),
        foreign: foreign.url.clone(),
    });
    Servers {
        target,
        foreign,
        dir: tempfile::tempdir().expect("tempdir"),
    }
}

impl Servers {
    /// A config file for the target, with extra TOML lines.
    fn config(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("hostile.toml");
        std::fs::write(
            &path,
            format!(
                "[targets.hostile]\nbase_url = \"{0}/fhir\"\ntoken_url = \"{0}/token\"\naccess_profile = 0\n\
                 timeout_secs = 20\n\
                 auth = {{ kind = \"client_credentials\", client_id = \"editeur\", secret = {{ env = \"{SECRET_VAR}\" }} }}\n{extra}\n",
                self.target.url
            ),
        )
        .expect("config");
        path
    }
}

/// How a child run ended.
struct Finished {
    code: Option<i32>,
    signal: Option<i32>,
    peak_rss_kib: i64,
    console: String,
    report: Value,
    reports: PathBuf,
}

fn scenario<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["scenarios"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("{id} in report"))
}

fn spawn(cfg: &Path, reports: &Path, files: &[&str], extra: &[&str]) -> std::process::Child {
    let log = std::fs::File::create(reports.with_extension("log")).expect("log");
    let mut args: Vec<String> = vec![
        "--config".into(),
        cfg.display().to_string(),
        "run".into(),
        "--target".into(),
        "hostile".into(),
        "--report-dir".into(),
        reports.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.extend(files.iter().map(|f| format!("tests/data/hostile/{f}")));
    let mut cmd = crate::common::rorcheck_command();
    cmd.args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env(SECRET_VAR, SECRET)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
    for (k, _) in std::env::vars() {
        if k.starts_with("ROR_") {
            cmd.env_remove(k);
        }
    }
    cmd.spawn().expect("rorcheck starts")
}

/// The high-water mark of a live process's own memory (`VmHWM`), if it is still running.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Waits for the child with `wait4`, watching its peak resident memory meanwhile.
///
/// `ru_maxrss` of a child is not its own peak: exec records the RSS of the process image it
/// replaces, which after a fork is this test binary's (hundreds of MiB once the in-process
/// mocks of other tests are up). `VmHWM` belongs to the new image only; polled every 2 ms it
/// is monotonic, so the last reading is the peak up to the last 2 ms of the run.
async fn finish(child: std::process::Child, reports: PathBuf) -> Finished {
    let pid = child.id() as libc::pid_t;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watching = done.clone();
    let watcher = std::thread::spawn(move || {
        let mut peak = 0;
        while !watching.load(std::sync::atomic::Ordering::Relaxed) {
            if let Some(kib) = vm_hwm_kib(pid) {
                peak = peak.max(kib);
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        peak
    });
    let status = tokio::task::spawn_blocking(move || {
        let mut status = 0;
        // SAFETY: plain FFI calls on zeroed out-parameters of the right types.
        let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
        assert_eq!(r, pid, "wait4");
        status
    })
    .await
    .expect("joined");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak_rss_kib = watcher.join().expect("watcher");
    drop(child);
    let exited = libc::WIFEXITED(status);
    let console = std::fs::read_to_string(reports.with_extension("log")).unwrap_or_default();
    let report = std::fs::read_to_string(reports.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Finished {
        code: exited.then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        peak_rss_kib,
        console,
        report,
        reports,
    }
}

async fn run(s: &Servers, extra_config: &str, name: &str, files: &[&str]) -> Finished {
    let cfg = s.config(extra_config);
    let reports = s.dir.path().join(name);
    finish(spawn(&cfg, &reports, files, &["--jobs", "4"]), reports).await
}

fn reason(report: &Value, id: &str) -> String {
    scenario(report, id)["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn all_reports_written(f: &Finished) {
    for name in ["report.html", "junit.xml", "report.json"] {
        let path = f.reports.join(name);
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "{name} written; console:\n{}",
            f.console
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_to_another_origin_are_not_followed_and_never_get_the_token() {
    let s = servers().await;
    let f = run(
        &s,
        "",
        "origins",
        &["HOS-001.yaml", "HOS-002.yaml", "HOS-003.yaml"],
    )
    .await;
    assert_eq!(f.code, Some(1), "{}", f.console);
    all_reports_written(&f);
    for (id, what) in [
        ("HOS-001", "le lien next de la page 1"),
        ("HOS-002", "le Content-Location de l'export"),
        ("HOS-003", "l'URL du fichier HealthcareService"),
    ] {
        let sc = scenario(&f.report, id);
        assert_eq!(sc["status"], "failed", "{id}: {sc}");
        let text = sc.to_string();
        assert!(text.contains(what), "{id} names {what}: {text}");
        assert!(
            text.contains(&format!("autre origine ({})", s.foreign.url)),
            "{id} names the foreign origin: {text}"
        );
        assert!(
            text.contains("trusted_origins"),
            "{id} says how to allow it"
        );
    }
    assert!(
        s.foreign.requests().is_empty(),
        "the foreign origin received {:?}",
        s.foreign.requests()
    );
    // The target itself did receive the token: the rule is about where, not whether.
    assert!(
        s.target
            .requests()
            .iter()
            .any(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_origin_receives_the_export_file_request_with_the_token() {
    let s = servers().await;
    let trusted = format!("trusted_origins = [\"{}\"]", s.foreign.url);
    let f = run(&s, &trusted, "trusted", &["HOS-003.yaml"]).await;
    assert_eq!(f.code, Some(0), "{}", f.console);
    let seen = s.foreign.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_and_oversized_bodies_fail_their_step_with_bounded_memory() {
    let s = servers().await;
    let f = run(&s, "", "bodies", &["HOS-004.yaml", "HOS-005.yaml"]).await;
    // Errored, nothing failed: the verdict is incomplete.
    assert_eq!(f.code, Some(3), "{}", f.console);
    all_reports_written(&f);
    for id in ["HOS-004", "HOS-005"] {
        assert_eq!(scenario(&f.report, id)["status"], "errored", "{id}");
        assert!(
            reason(&f.report, id).contains("au-delà de la limite de 64 Mio"),
            "{id}: {}",
            reason(&f.report, id)
        );
    }
    assert!(reason(&f.report, "HOS-005").contains("1024 Mio annoncés"));
    let peak_mib = f.peak_rss_kib / 1024;
    eprintln!("peak RSS under an endless body and a 1 GiB one: {peak_mib} MiB");
    assert!(f.peak_rss_kib > 0, "the child's memory was read");
    assert!(peak_mib < 300, "peak RSS {peak_mib} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_that_never_ends_stops_at_its_limits() {
    let s = servers().await;
    let f = run(
        &s,
        "max_record_mib = 1\nexport_deadline_secs = 3",
        "export",
        &["HOS-007.yaml", "HOS-008.yaml"],
    )
    .await;
    assert_eq!(f.code, Some(1), "{}", f.console);
    all_reports_written(&f);
    let line = scenario(&f.report, "HOS-007").to_string();
    assert!(
        line.contains("une ressource dépasse la limite de 1 Mio"),
        "{line}"
    );
    let file = scenario(&f.report, "HOS-008").to_string();
    assert!(
        file.contains("export non terminé dans le délai de 3 s"),
        "{file}"
    );
    let peak_mib = f.peak_rss_kib / 1024;
    eprintln!("peak RSS under an endless export line and file: {peak_mib} MiB");
    assert!(peak_mib < 300, "peak RSS {peak_mib} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_an_http_date_is_honoured() {
    let s = servers().await;
    let f = run(&s, "", "busy", &["HOS-006.yaml"]).await;
    assert_eq!(f.code, Some(0), "{}", f.console);
    let times: Vec<Instant> = s
        .target
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/fhir/busy-date"))
        .map(|r| r.at)
        .collect();
    assert_eq!(times.len(), 2, "asked again once");
    let waited = times[1] - times[0];
    // The date was 3 s ahead at second precision: between 2 and 3 s, not the 1 s default.
    assert!(
        waited >= Duration::from_millis(1900),
        "waited {waited:?} for a Retry-After date 3 s ahead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_secrets_and_an_opaque_token_are_masked_in_every_output() {
    let s = servers().await;
    let f = run(&s, "", "echo", &["HOS-009.yaml"]).await;
    all_reports_written(&f);
    // Both steps' assertions fail, quoting what the server sent.
    assert_eq!(f.code, Some(1), "{}", f.console);
    let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    let mut forbidden = vec![
        SECRET.to_owned(),
        lowercase_escapes(&form),
        base64::engine::general_purpose::STANDARD.encode(SECRET),
        SECRET.replace('"', "&quot;").replace('<', "&lt;"),
        TOKEN.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(TOKEN),
    ];
    // The tail of each is enough to leak it.
    forbidden.extend(["S3cr3t".to_owned(), "7f3a9c0d1e2b4a65".to_owned()]);
    let mut outputs = vec![("console".to_owned(), f.console.clone())];
    for name in ["report.html", "junit.xml", "report.json"] {
        outputs.push((
            name.to_owned(),
            std::fs::read_to_string(f.reports.join(name)).expect("report"),
        ));
    }
    for (name, body) in &outputs {
        for leaked in &forbidden {
            assert!(!body.contains(leaked.as_str()), "`{leaked}` in {name}");
        }
    }
    // The assertion still says what it saw, masked.
    let echo = scenario(&f.report, "HOS-009").to_string();
    assert!(echo.contains("«masqué»"), "{echo}");
}

async fn interrupt(signal: libc::c_int, expected_code: i32, name: &str) {
    let s = servers().await;
    let cfg = s.config("");
    let reports = s.dir.path().join(name);
    let child = spawn(
        &cfg,
        &reports,
        &["HOS-010.yaml", "HOS-011.yaml"],
        &["--jobs", "2"],
    );
    // Wait until the quick scenario was answered and the other one hangs.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = s.target.requests();
        let answered = seen.iter().any(|r| r.path == "/fhir/ok");
        let stalled = seen.iter().any(|r| r.path == "/fhir/stall");
        if answered && stalled {
            break;
        }
        assert!(Instant::now() < deadline, "requests never came: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = Instant::now();
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let f = finish(child, reports).await;
    let took = sent.elapsed();
    eprintln!("{name}: exited {took:?} after the signal, reports written");
    assert_eq!(f.signal, None, "killed by the signal itself: {}", f.console);
    assert_eq!(f.code, Some(expected_code), "{}", f.console);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    all_reports_written(&f);
    assert_eq!(scenario(&f.report, "HOS-011")["status"], "passed");
    assert_eq!(scenario(&f.report, "HOS-010")["status"], "errored");
    assert!(
        reason(&f.report, "HOS-010").contains("exécution interrompue"),
        "{}",
        reason(&f.report, "HOS-010")
    );
    assert!(f.report["interrupted"].is_string(), "{}", f.report);
    assert_eq!(f.report["summary"]["verdict"], "interrompu");
    let junit = std::fs::read_to_string(f.reports.join("junit.xml")).expect("junit");
    assert!(junit.contains("HOS-010") && junit.contains("HOS-011"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_keeps_finished_results_and_writes_the_reports() {
    interrupt(libc::SIGINT, 130, "sigint").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_from_ci_does_the_same() {
    interrupt(libc::SIGTERM, 143, "sigterm").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_filter_is_refused_and_the_mock_keeps_serving() {
    use rorcheck::mock::{MockOptions, MockServer};
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    let http = reqwest::Client::new();
    let get = |url: String| {
        let mut req = http.get(url).bearer_auth(mock.demo_token());
        for (k, v) in [
            ("Ror-Profil-Utilisateur-Code", "CU22"),
            ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
            ("Ror-Role-Metier-Code", "AUTOMATE"),
            ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
        ] {
            req = req.header(k, v);
        }
        req
    };
    // ~700 parentheses once overflowed the stack and took the process down.
    for depth in [700usize, 5_000] {
        let filter = format!(
            "{}_lastUpdated ge 2026-01-01{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let resp = get(format!("{}/HealthcareService", mock.base_url))
            .query(&[("_filter", filter.as_str())])
            .send()
            .await
            .expect("answered");
        assert_eq!(resp.status(), 400, "depth {depth}");
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["resourceType"], "OperationOutcome");
    }
    let resp = get(format!("{}/HealthcareService?_count=1", mock.base_url))
        .send()
        .await
        .expect("still serving");
    assert_eq!(resp.status(), 200);
}
