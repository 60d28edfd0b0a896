//! Safe under attack: the HTTP endpoint and the console hold against a hostile network (a flood
//! of password guesses, another host name that resolves here, slow clients, forged tokens).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::console::{PASSWORD, REP, cheap_hash, form_token, parked_order, serve_console};
use crate::helpers::{Backend, TestApp, serve_http, shipped_limits};
use crate::operations::{create_by_hand, readiness, serve};

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

/// The order page's Retry form as `user` sends it: `token` in the cookie and the form.
async fn retry_form(
    base: &str,
    number: &str,
    user: &str,
    token: &str,
    site: &str,
) -> reqwest::Response {
    client()
        .post(format!("{base}/orders/{number}/retry"))
        .basic_auth(user, Some(PASSWORD))
        .header("Cookie", format!("order_sync_csrf={token}"))
        .header("Sec-Fetch-Site", site)
        .form(&[("csrf", token)])
        .send()
        .await
        .unwrap()
}

async fn sync_state(app: &TestApp, id: i64) -> Option<String> {
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    detail.sync_state
}

#[tokio::test]
async fn a_made_up_or_borrowed_anti_forgery_token_is_refused_and_the_order_stays_parked() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (id, number) = parked_order(&app, "Forger").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let issued_to_ana = form_token(&base, &number).await;

    let made_up = retry_form(&base, &number, REP, &"ab".repeat(32), "same-origin").await;
    let borrowed = retry_form(&base, &number, "mallory", &issued_to_ana, "same-origin").await;
    let parked_still = sync_state(&app, id).await;
    let own = retry_form(&base, &number, REP, &issued_to_ana, "same-origin").await;

    assert_eq!(made_up.status(), StatusCode::FORBIDDEN);
    assert_eq!(borrowed.status(), StatusCode::FORBIDDEN);
    assert_eq!(parked_still.as_deref(), Some("parked"));
    assert_eq!(
        own.status(),
        StatusCode::SEE_OTHER,
        "the token issued to ana works"
    );
}

#[tokio::test]
async fn a_form_post_from_a_sibling_site_is_refused_even_with_a_valid_token() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (id, number) = parked_order(&app, "Sibling").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let token = form_token(&base, &number).await;

    let same_site = retry_form(&base, &number, REP, &token, "same-site").await;

    assert_eq!(same_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(sync_state(&app, id).await.as_deref(), Some("parked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_link_shows_the_rep_one_short_sentence_and_leaves_the_client_error_to_the_log() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (_, number) = parked_order(&app, "Offline").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    app.fake.shutdown();

    let answer = client()
        .post(format!("{base}/orders/{number}/link"))
        .basic_auth(REP, Some(PASSWORD))
        .header("Accept", "application/json")
        .json(&serde_json::json!({ "opportunity": "006000000000001AAA" }))
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = answer.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert_eq!(error, "Salesforce did not answer; try again shortly.");
}

/// `order-sync console --hash-password` given `password` on standard input.
fn hash_password(app: &TestApp, password: &str) -> std::process::Output {
    use std::io::Write;
    let mut cmd = app.cli_command(&["console", "--hash-password"]);
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run order-sync");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn hash_password_refuses_a_password_shorter_than_twelve_characters() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let short = hash_password(&app, "elevenchars");
    let long = hash_password(&app, "twelve chars");

    assert!(!short.status.success());
    assert!(short.stdout.is_empty(), "no hash printed");
    assert!(String::from_utf8_lossy(&short.stderr).contains("shorter than 12 characters"));
    assert!(
        long.status.success(),
        "{}",
        String::from_utf8_lossy(&long.stderr)
    );
    assert!(String::from_utf8_lossy(&long.stdout).starts_with("$argon2id$"));
}

/// Links parked order `number` to a new hand-entered Opportunity, signed in as `user`.
async fn link_as(app: &TestApp, base: &str, number: &str, user: &str) -> StatusCode {
    let opportunity = create_by_hand(
        app,
        "Opportunity",
        serde_json::json!({"Name": "By hand", "StageName": "Prospecting", "CloseDate": "2026-11-26"}),
    )
    .await;
    client()
        .post(format!("{base}/orders/{number}/link"))
        .basic_auth(user, Some(PASSWORD))
        .header("Accept", "application/json")
        .json(&serde_json::json!({ "opportunity": opportunity }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_names_a_configured_rep_and_records_any_other_name_as_the_console() {
    let mut app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    app.settings.console.reps = "bo, ana".into();
    let (by_ana, ana_number) = parked_order(&app, "Named").await;
    let (by_other, other_number) = parked_order(&app, "Unnamed").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;

    let ana = link_as(&app, &base, &ana_number, REP).await;
    let other = link_as(&app, &base, &other_number, "Head of Sales").await;

    assert_eq!((ana, other), (StatusCode::OK, StatusCode::OK));
    let actor = |rows: Vec<order_sync::store::HistoryRow>| rows[0].actor.clone();
    assert_eq!(
        actor(app.history(by_ana).await).as_deref(),
        Some("link by ana (console)")
    );
    assert_eq!(
        actor(app.history(by_other).await).as_deref(),
        Some("link by console")
    );
}
