//! Starting during an outage: `run` answers /healthz, /readyz and /metrics before the store or
//! Salesforce answer, waits for them as long as it takes, and becomes ready (and tells systemd)
//! only when the loops run; bad credentials or a bad mapping still stop it at once.

use std::time::{Duration, Instant};

use crate::daemon_process::{Daemon, Gate, authority, until_ready};
use crate::helpers::{Backend, TestApp};

/// Waits until the order reaches `status` (within `within`).
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
