//! What the console refuses to do or say, under attack or by mistake: forged or borrowed
//! anti-forgery tokens, a sibling site's form, a client error shown to a rep, an unlisted name in
//! the history, a short password. (tests/under_attack.rs: the network side.)

use reqwest::StatusCode;

use crate::console::{PASSWORD, REP, cheap_hash, form_token, parked_order, serve_console};
use crate::helpers::{Backend, TestApp};
use crate::operations::create_by_hand;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
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
