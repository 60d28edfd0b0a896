//! Starting during an outage: `run` answers /healthz, /readyz and /metrics before the store or
//! Salesforce answer, waits for them as long as it takes, and becomes ready (and tells systemd)
//! only when the loops run; bad credentials or a bad mapping still stop it at once.

use std::os::unix::net::UnixDatagram;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestApp};

/// A TCP port in front of `target` that, while down, drops every connection (or, `with_503`,
/// answers each with an HTML 503 maintenance page), and forwards them once open: a service
/// that is unreachable or failing, then comes back.
struct Gate {
    port: u16,
    down: Arc<AtomicBool>,
}

const MAINTENANCE: &str = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\n\
    content-length: 33\r\nconnection: close\r\n\r\n<html>Down for maintenance</html>";

impl Gate {
    async fn to(target: String, with_503: bool) -> Gate {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(true));
        let is_down = down.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (target, down) = (target.clone(), is_down.load(Ordering::SeqCst));
                tokio::spawn(async move {
                    if down && with_503 {
                        let _ = inbound.read(&mut [0u8; 4096]).await;
                        let _ = inbound.write_all(MAINTENANCE.as_bytes()).await;
                    } else if down {
                        drop(inbound); // closed at once
                    } else if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Gate { port, down }
    }

    fn open(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

/// `host:port` of an `http://host:port...` or `postgres://user@host:port/db` URL.
fn authority(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap().to_string()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `run` with the ops endpoint on, telling systemd through a socket the test reads.
struct Daemon {
    /// Taken by `stop`; killed on drop otherwise, so a failed test leaves no daemon behind.
    child: Option<std::process::Child>,
    base: String,
    /// Set once READY=1 arrives; the socket is drained all along (the push loop's watchdog
    /// pings would otherwise fill it and block the sender).
    ready: Arc<AtomicBool>,
    stop_listening: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop_listening.store(true, Ordering::SeqCst);
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
        }
    }
}

/// Reads the notify socket until `stop`, setting `ready` on READY=1.
fn listen_for_ready(socket: UnixDatagram, ready: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        if let Ok(n) = socket.recv(&mut buf)
            && String::from_utf8_lossy(&buf[..n]).contains("READY=1")
        {
            ready.store(true, Ordering::SeqCst);
        }
    }
}

impl Daemon {
    fn start(app: &TestApp, env: &[(&str, &str)]) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("notify.sock");
        let (ready, stop_listening) = Default::default();
        let notify = UnixDatagram::bind(&socket).unwrap();
        std::thread::spawn({
            let (ready, stop) = (Arc::clone(&ready), Arc::clone(&stop_listening));
            move || listen_for_ready(notify, ready, stop)
        });
        let port = free_port();
        let mut cmd = app.cli_command(&["run"]);
        cmd.env("ORDER_SYNC__HTTP__ENABLED", "true")
            .env("ORDER_SYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("ORDER_SYNC__SYNC__POLL_INTERVAL", "50ms")
            .env("NOTIFY_SOCKET", &socket)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start order-sync run");
        Daemon {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            ready,
            stop_listening,
            _dir: dir,
        }
    }

    /// Status and body of `path`, once the endpoint answers (within `within`).
    async fn get(&self, path: &str, within: Duration) -> (u16, String) {
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{}{path}", self.base)).await {
                return (r.status().as_u16(), r.text().await.unwrap());
            }
            assert!(
                started.elapsed() < within,
                "{path} did not answer within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether READY=1 was sent to the notify socket so far.
    fn told_systemd_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// SIGTERM, then the exit code and everything it printed.
    async fn stop(self) -> (Option<i32>, String) {
        let pid = self.child.as_ref().expect("running").id();
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        self.exit(Duration::from_secs(15)).await
    }

    /// The exit code and everything it printed, once it exits by itself within `within`
    /// (else it is killed and the test fails).
    async fn exit(mut self, within: Duration) -> (Option<i32>, String) {
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        while child.try_wait().expect("try_wait").is_none() {
            if started.elapsed() > within {
                let _ = child.kill();
                panic!("run did not exit within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let out = child.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    }
}

/// Polls `/readyz` until it answers 200 (within `within`).
async fn until_ready(daemon: &Daemon, within: Duration) {
    let started = Instant::now();
    loop {
        let (status, body) = daemon.get("/readyz", within).await;
        if status == 200 {
            return;
        }
        assert!(started.elapsed() < within, "never ready: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn until_status(app: &TestApp, id: i64, status: &str, within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if app.status_of(id).await == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_started_while_the_token_endpoint_answers_503_answers_at_once_and_sends_once_it_is_back()
 {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Outage").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let gate = Gate::to(authority(&app.fake.url()), true).await;
    let login = format!("http://127.0.0.1:{}", gate.port);
    let started = Instant::now();
    let daemon = Daemon::start(&app, &[("ORDER_SYNC__SALESFORCE__LOGIN_URL", &login)]);

    let (alive, _) = daemon.get("/healthz", Duration::from_secs(5)).await;
    let answered_in = started.elapsed();
    tokio::time::sleep(Duration::from_millis(3500)).await; // a few failed attempts
    let (waiting, why) = daemon.get("/readyz", Duration::from_secs(1)).await;
    let (metrics, _) = daemon.get("/metrics", Duration::from_secs(1)).await;
    let ready_too_soon = daemon.told_systemd_ready();
    let sent_too_soon = app.status_of(id).await != "Order Placed";
    gate.open();
    until_ready(&daemon, Duration::from_secs(40)).await;
    let moved = until_status(&app, id, "In Process", Duration::from_secs(10)).await;
    let ready_told = daemon.told_systemd_ready();
    let (code, output) = daemon.stop().await;

    assert_eq!(alive, 200, "/healthz answers while Salesforce is down");
    assert!(answered_in < Duration::from_secs(3), "{answered_in:?}");
    assert_eq!(waiting, 503, "{why}");
    assert!(why.starts_with("waiting for Salesforce: "), "{why}");
    assert!(why.contains("503"), "{why}");
    assert_eq!(why.trim_end().lines().count(), 1, "one plain line: {why}");
    assert_eq!(metrics, 200);
    assert!(!ready_too_soon, "READY=1 only once the loops run");
    assert!(!sent_too_soon);
    assert!(moved, "the order is sent once Salesforce answers");
    assert!(ready_told, "READY=1 once ready");
    assert_eq!(code, Some(0), "{output}");
    let failures: u32 = output
        .split("Salesforce answers again failures=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the recovery is logged with the count of failures");
    assert!(failures >= 3, "{output}");
    assert_eq!(
        output.matches("waiting for Salesforce").count(),
        1,
        "the same cause is logged once, not per attempt: {output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_started_while_the_token_endpoint_drops_connections_waits_instead_of_giving_up() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let gate = Gate::to(authority(&app.fake.url()), false).await;
    let login = format!("http://127.0.0.1:{}", gate.port);
    let daemon = Daemon::start(&app, &[("ORDER_SYNC__SALESFORCE__LOGIN_URL", &login)]);

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (waiting, why) = daemon.get("/readyz", Duration::from_secs(5)).await;
    gate.open();
    until_ready(&daemon, Duration::from_secs(40)).await;
    let (code, output) = daemon.stop().await;

    assert_eq!(waiting, 503, "{why}");
    assert!(why.starts_with("waiting for Salesforce: "), "{why}");
    assert!(why.contains("the request to Salesforce failed"), "{why}"); // closed or reset
    assert_eq!(code, Some(0), "{output}");
}

async fn run_started_while_the_store_is_unreachable_waits_for_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let url = app.settings.database.url.clone();
    let real = authority(&url);
    let gate = Gate::to(real.clone(), false).await;
    let gated = url.replacen(&real, &format!("127.0.0.1:{}", gate.port), 1);
    let daemon = Daemon::start(&app, &[("ORDER_SYNC__DATABASE__URL", &gated)]);

    let (alive, _) = daemon.get("/healthz", Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (waiting, why) = daemon.get("/readyz", Duration::from_secs(1)).await;
    gate.open();
    until_ready(&daemon, Duration::from_secs(40)).await;
    let (code, output) = daemon.stop().await;

    assert_eq!(alive, 200);
    assert_eq!(waiting, 503, "{why}");
    assert!(why.starts_with("waiting for the store: "), "{why}");
    assert_eq!(code, Some(0), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_POSTGRES_URL to run"
)]
async fn run_started_while_postgres_is_unreachable_waits_for_it() {
    run_started_while_the_store_is_unreachable_waits_for_it(Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mysql_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_MYSQL_URL to run"
)]
async fn run_started_while_mysql_is_unreachable_waits_for_it() {
    run_started_while_the_store_is_unreachable_waits_for_it(Backend::Mysql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_bad_credentials_stops_at_once_with_one_message() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let daemon = Daemon::start(&app, &[("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "wrong")]);

    let (code, output) = daemon.exit(Duration::from_secs(10)).await;

    assert_eq!(code, Some(1), "{output}");
    let refused = "Salesforce refused the credentials: invalid_client";
    assert_eq!(output.matches(refused).count(), 1, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_a_store_mapping_that_names_a_missing_table_stops_at_once() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let daemon = Daemon::start(
        &app,
        &[("ORDER_SYNC__STORE__ORDERS__TABLE", "no_such_orders")],
    );

    let (code, output) = daemon.exit(Duration::from_secs(10)).await;

    assert_eq!(code, Some(1), "{output}");
    assert!(output.contains("no_such_orders"), "{output}");
}
