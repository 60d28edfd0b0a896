//! Safe under attack: the HTTP endpoint and the console hold against a hostile network (a flood
//! of password guesses, another host name that resolves here, slow and greedy clients).
//! tests/console_refusals.rs has what the console refuses to do or say.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::console::{PASSWORD, REP, cheap_hash, parked_order, serve_console};
use crate::helpers::{Backend, TestApp, serve_http, shipped_limits};
use crate::operations::{readiness, serve};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn overview(base: &str, user: &str, password: &str) -> reqwest::Response {
    client()
        .get(format!("{base}/"))
        .basic_auth(user, Some(password))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_passwords_is_turned_away_and_a_signed_in_rep_is_still_served() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let signed_in = overview(&base, REP, PASSWORD).await.status();

    let guesses = (0..64).map(|i| {
        let base = base.clone();
        tokio::spawn(async move { overview(&base, REP, &format!("guess {i}")).await })
    });
    let answers: Vec<reqwest::Response> = futures_util::future::join_all(guesses)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let started = Instant::now();
    let same_rep_again = overview(&base, REP, PASSWORD).await.status();
    let served_in = started.elapsed();
    let not_remembered = overview(&base, "someone else", PASSWORD).await;

    let checked = answers
        .iter()
        .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
        .count();
    let turned_away: Vec<_> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(signed_in, StatusCode::OK);
    assert_eq!(checked + turned_away.len(), 64, "only 401s and 429s");
    assert!(
        checked <= 2,
        "{checked} guesses were hashed, not at most two"
    );
    assert!(
        turned_away
            .iter()
            .all(|r| r.headers().contains_key("retry-after"))
    );
    assert_eq!(same_rep_again, StatusCode::OK, "remembered, not hashed");
    assert!(served_in < Duration::from_secs(1), "{served_in:?}");
    assert_eq!(
        not_remembered.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a credential not checked before waits out the lockout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_host_name_that_resolves_here_is_refused_on_metrics_and_on_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (id, number) = parked_order(&app, "Rebind").await;
    let ops = serve(readiness(&app, vec![])).await;
    let console = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let port = console.rsplit(':').next().unwrap().to_string();

    let metrics = client()
        .get(format!("{ops}/metrics"))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    let retry = |host: String| {
        client()
            .post(format!("{console}/orders/{number}/retry"))
            .header("Host", host)
            .basic_auth(REP, Some(PASSWORD))
            .header("Accept", "application/json")
            .json(&serde_json::json!({}))
            .send()
    };
    let rebound = retry(format!("evil.example:{port}")).await.unwrap();
    let state_after = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .sync_state;
    let own = retry(format!("localhost:{port}")).await.unwrap();

    assert_eq!(metrics.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(state_after.as_deref(), Some("parked"));
    assert_eq!(own.status(), StatusCode::OK, "localhost is ours");
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_line_is_disconnected_within_the_timeout() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let mut limits = shipped_limits();
    limits.header_read_timeout = Duration::from_millis(500);
    let base = serve_http(order_sync::http::router(readiness(&app, vec![])), limits).await;
    let addr = base.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();

    slow.write_all(b"GET /hea").await.unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;

    assert!(closed.is_ok(), "still connected after 5 s");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_answer_that_takes_longer_than_the_request_timeout_is_a_503() {
    let slow = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "too late"
        }),
    );
    let mut limits = shipped_limits();
    limits.request_timeout = Duration::from_millis(300);
    let base = serve_http(slow, limits).await;

    let started = Instant::now();
    let answer = client().get(format!("{base}/slow")).send().await.unwrap();

    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_beyond_the_connection_cap_waits_until_a_slot_frees() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let mut limits = shipped_limits();
    limits.max_connections = 1;
    limits.header_read_timeout = Duration::from_millis(800);
    let base = serve_http(order_sync::http::router(readiness(&app, vec![])), limits).await;
    let _idle = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    let healthz = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();

    assert_eq!(healthz.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "served beside the idle connection: {:?}",
        started.elapsed()
    );
}

/// The process's resident memory, in MiB (Linux).
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kib.unwrap_or(0) / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_guesses_against_the_shipped_hash_parameters_keeps_memory_bounded() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    // The parameters `--hash-password` uses: 19 MiB per check.
    let hash = order_sync::console::hash_password(PASSWORD).expect("hash");
    let base = serve_console(&app, Some(&hash)).await;
    let before = rss_mib();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let watch = tokio::spawn({
        let peak = peak.clone();
        async move {
            loop {
                peak.fetch_max(rss_mib(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });

    let guesses = (0..32).map(|i| {
        let base = base.clone();
        tokio::spawn(async move { overview(&base, REP, &format!("guess {i}")).await.status() })
    });
    futures_util::future::join_all(guesses).await;
    watch.abort();

    let grew = peak.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(grew < 150, "memory grew by {grew} MiB for 32 guesses");
}
