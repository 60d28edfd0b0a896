//! Degradation: Salesforce down, the daily API limit, a store restart — order-sync waits without
//! a hot loop, says so, and recovers by itself.

use std::time::{Duration, Instant};

use fake_salesforce::{FaultKind, Faults};

use crate::helpers::{Backend, TestApp, on_every_backend};

const BREAKER: &[(&str, &str)] = &[
    ("ORDER_SYNC__SALESFORCE__CIRCUIT_MIN_COOLDOWN", "100ms"),
    ("ORDER_SYNC__SALESFORCE__CIRCUIT_MAX_COOLDOWN", "400ms"),
];

/// Runs passes for `for_how_long`, as the daemon would (it sleeps its poll interval when idle).
async fn keep_running(app: &TestApp, worker: &order_sync::sync::Worker, for_how_long: Duration) {
    let until = Instant::now() + for_how_long;
    while Instant::now() < until {
        let r = worker.run_pass().await.expect("no fatal error");
        if r.claimed == 0 {
            tokio::time::sleep(app.settings.sync.poll_interval).await;
        }
    }
}

async fn salesforce_down_opens_the_circuit_and_the_backlog_drains_when_it_returns(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn_with(backend, BREAKER).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Outage").await;
    for _ in 0..20 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    let worker = app.worker();
    app.fake.set_faults(Faults::always(FaultKind::Html503));

    keep_running(&app, &worker, Duration::from_millis(1500)).await;
    let calls_while_down = app.fake.api_calls();
    let paused = app.salesforce.paused_for();
    app.fake.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_millis(450)).await;
    let after = app.drain(&worker, 50).await;

    assert!(
        calls_while_down <= 15,
        "no hot loop: {calls_while_down} calls in 1.5 s of outage"
    );
    assert!(
        paused.is_some(),
        "the circuit was open at the end of the outage"
    );
    assert_eq!(after.sent.len(), 20, "the backlog drained by itself");
    assert_eq!(app.fake.count("Opportunity"), 20);
}
on_every_backend!(salesforce_down_opens_the_circuit_and_the_backlog_drains_when_it_returns);

async fn the_daily_api_limit_pauses_calls_instead_of_burning_retries(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, BREAKER).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Budget").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let worker = app.worker();
    app.fake.set_api_limit(5000, 5000);

    let first = worker.run_pass().await.expect("pass");
    let calls_at_limit = app.fake.api_calls();
    let during = worker.run_pass().await.expect("pass");
    let calls_after_pause = app.fake.api_calls();
    let watchdog = order_sync::sync::Watchdog::new(
        app.store.clone(),
        Some(app.salesforce.clone()),
        app.settings.alerts.clone(),
    );
    watchdog.run_pass().await.expect("watchdog");
    let said = order_sync::report::salesforce_pause(&app.store)
        .await
        .unwrap();
    app.fake.set_api_limit(100, 5000);
    tokio::time::sleep(Duration::from_millis(450)).await;
    app.drain(&worker, 20).await;

    assert_eq!(first.retrying.len(), 1);
    let detail_code = app.store.order_attempts(id).await.unwrap()[0]
        .error_code
        .clone();
    assert_eq!(detail_code.as_deref(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert!(
        during.paused && during.claimed == 0,
        "paused, nothing claimed"
    );
    assert_eq!(
        calls_after_pause, calls_at_limit,
        "no call spent while paused"
    );
    assert!(
        said.as_deref()
            .unwrap_or("")
            .contains("daily API limit is spent"),
        "status and orders stuck say why: {said:?}"
    );
    assert_eq!(
        app.status_of(id).await,
        "In Process",
        "resumed once usage fell"
    );
}
on_every_backend!(the_daily_api_limit_pauses_calls_instead_of_burning_retries);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_POSTGRES_URL to run"
)]
async fn a_postgresql_restart_is_survived_without_help() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Restart").await;
    let worker = app.worker();
    app.order(customer).line(widget, 1, "1.00").place().await;
    app.drain(&worker, 5).await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;

    // What a server restart does to the pool: every connection is cut.
    let (admin, db) = postgres_admin(&app).await;
    cut_connections(&admin, &db).await;
    let after = app.drain(&worker, 20).await;

    assert_eq!(after.sent.len(), 1);
    assert_eq!(app.status_of(id).await, "In Process");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_POSTGRES_URL to run"
)]
async fn the_wake_up_trigger_is_added_to_the_store_only_when_configured() {
    let plain = TestApp::spawn(Backend::Postgres).await.expect("postgres");
    let woken = TestApp::spawn_with(
        Backend::Postgres,
        &[("ORDER_SYNC__STORE__NOTIFY_TRIGGER", "true")],
    )
    .await
    .expect("postgres");
    let cancel = tokio_util::sync::CancellationToken::new();

    assert_eq!(plain.store.trigger_installed().await.unwrap(), Some(false));
    assert!(
        plain
            .store
            .listen_for_placed_orders(cancel.clone())
            .is_none(),
        "without it, the poll finds orders"
    );
    assert_eq!(woken.store.trigger_installed().await.unwrap(), Some(true));
    let wake = woken
        .store
        .listen_for_placed_orders(cancel.clone())
        .expect("a listener");
    wake.notified().await; // the first wake-up says "listening now"
    let customer = woken.customer("Notify").await;
    woken.order(customer).place().await;
    let notified = tokio::time::timeout(std::time::Duration::from_secs(5), wake.notified()).await;
    cancel.cancel();
    assert!(notified.is_ok(), "a new order wakes the push loop at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_stays_ready_while_the_circuit_is_open_and_healthz_says_salesforce_is_down() {
    let long_pause = [
        ("ORDER_SYNC__SALESFORCE__CIRCUIT_MIN_COOLDOWN", "60s"),
        ("ORDER_SYNC__SALESFORCE__CIRCUIT_MAX_COOLDOWN", "60s"),
    ];
    let app = TestApp::spawn_with(Backend::Sqlite, &long_pause)
        .await
        .expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Outage").await;
    for _ in 0..3 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    let worker = app.worker();
    app.fake.set_faults(Faults::always(FaultKind::Html503));
    for _ in 0..200 {
        if app.salesforce.paused_for().is_some_and(|d| !d.is_zero()) {
            break;
        }
        worker.run_pass().await.expect("no fatal error");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let beat = std::sync::Arc::new(order_sync::sync::Heartbeat::default());
    beat.beat();
    let push = ("push", beat, Duration::from_secs(60));
    let base = crate::operations::serve(crate::operations::readiness(&app, vec![push])).await;

    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();

    assert!(app.salesforce.paused_for().is_some(), "the circuit is open");
    assert_eq!(
        ready.status(),
        200,
        "a worker waiting out an outage is ready"
    );
    assert_eq!(health.status(), 200, "and alive");
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["salesforce"]["up"], false, "{body}");
    let problem = body["salesforce"]["problems"][0]
        .as_str()
        .unwrap_or_default();
    assert!(problem.contains("paused"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_POSTGRES_URL to run"
)]
async fn a_store_outage_during_write_back_is_waited_out_not_fatal() {
    let app = TestApp::spawn(Backend::Postgres).await.expect("postgres");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Outage").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let worker = app.worker();
    app.fake.set_latency(Duration::from_millis(800));
    let (admin, db) = postgres_admin(&app).await;

    let pass = tokio::spawn({
        let worker = worker.clone();
        async move { worker.run_pass().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The database goes away while Salesforce is answering: no connection is let in.
    let set = |allow: bool| format!("ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS {allow}");
    sqlx::query(sqlx::AssertSqlSafe(set(false)))
        .execute(&admin)
        .await
        .unwrap();
    cut_connections(&admin, &db).await;
    // Longer than the pool's 10 s acquire timeout, so the write-back itself sees the outage.
    tokio::time::sleep(Duration::from_millis(11_500)).await;
    sqlx::query(sqlx::AssertSqlSafe(set(true)))
        .execute(&admin)
        .await
        .unwrap();
    let report = pass.await.unwrap().expect("a store outage is not fatal");

    assert_eq!(
        report.sent.len(),
        1,
        "the write-back waited for the store: {report:?}"
    );
    assert_eq!(app.status_of(id).await, "In Process");
}

async fn a_request_limit_with_calls_left_today_is_retried_shortly_not_paused_for(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Burst").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let worker = app.worker();
    app.fake.set_api_limit(31, 100_000);
    app.fake
        .set_faults(Faults::always(FaultKind::RequestLimitExceeded));

    let first = worker.run_pass().await.expect("pass");
    app.fake.set_faults(Faults::default());
    let paused = app.salesforce.paused_for();
    app.drain(&worker, 10).await;

    assert_eq!(first.retrying.len(), 1);
    assert!(
        paused.is_none(),
        "31 of 100,000 calls used is no daily limit: paused for {paused:?}"
    );
    assert_eq!(app.status_of(id).await, "In Process");
}
on_every_backend!(a_request_limit_with_calls_left_today_is_retried_shortly_not_paused_for);

/// A connection to the PostgreSQL server as its administrator, and the test database's name.
async fn postgres_admin(app: &TestApp) -> (sqlx::PgPool, String) {
    let admin = sqlx::PgPool::connect(&std::env::var("ORDER_SYNC_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    let db = app
        .settings
        .database
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    (admin, db)
}

/// What a server restart does to a pool: every connection to `db` is cut.
async fn cut_connections(admin: &sqlx::PgPool, db: &str) {
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
        .bind(db)
        .execute(admin)
        .await
        .unwrap();
}
