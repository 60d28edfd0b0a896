//! The scheduled reconcile: it keeps what it found for the console and the metrics, alerts once
//! for drift it has not seen before and once when all is gone, one replica runs it, a failed one
//! keeps the last findings, and a running daemon does it all on its own.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use order_sync::domain::{Kind, Mend};
use order_sync::reconcile::{Schedule, Scope, mend, survey};
use serde_json::json;
use wiremock::MockServer;

use crate::alerts::{posts, webhook};
use crate::daemon_process::Daemon;
use crate::helpers::{Backend, TestApp, on_every_backend};
use crate::reconcile::{sent_orders, the_record};

/// A schedule of `every` for `app` as replica `holder`, its alerts posted to `hook`.
fn schedule(app: &TestApp, hook: &MockServer, every: Duration, holder: &str) -> Schedule {
    let mut settings = app.settings.clone();
    settings.reconcile.every = every;
    settings.alerts.webhook_url = format!("{}/alerts", hook.uri());
    settings.console.public_url = "https://orders.example.com".into();
    let mut schedule = Schedule::new(&settings, app.store.clone(), app.salesforce.clone());
    schedule.holder = holder.into();
    schedule
}

const SOON: Duration = Duration::from_millis(50);

/// Someone edits the order's Opportunity Amount in Salesforce.
fn edit_amount(app: &TestApp, order: i64) {
    let opp = the_record(app, "Opportunity", order).id;
    app.fake
        .update_fields("Opportunity", &opp, json!({"Amount": 1.0}));
}

async fn number_of(app: &TestApp, order: i64) -> String {
    let detail = app.store.order_detail(order).await.unwrap().unwrap();
    detail.order_number
}

async fn a_scheduled_reconcile_keeps_its_findings_and_alerts_once_per_drift_not_seen_before(
    backend: Backend,
) {
    let Some((app, _, ids)) = sent_orders(backend, 3).await else {
        return;
    };
    let hook = webhook().await;
    let schedule = schedule(&app, &hook, SOON, "replica-a");
    edit_amount(&app, ids[0]);

    let first = schedule.run_pass().await.expect("pass");
    tokio::time::sleep(SOON).await;
    let same_again = schedule.run_pass().await.expect("pass");
    let kept = app.store.last_reconcile().await.unwrap().expect("kept");
    let opp = the_record(&app, "Opportunity", ids[1]).id;
    app.fake.delete_record("Opportunity", &opp);
    tokio::time::sleep(SOON).await;
    let another = schedule.run_pass().await.expect("pass");
    let alerts = posts(&hook, 2).await;

    assert!(first.reconciled && same_again.reconciled && another.reconciled);
    assert_eq!((first.disagreeing, first.new, first.alerted), (1, 1, true));
    assert_eq!((same_again.new, same_again.alerted), (0, false));
    assert_eq!(
        (another.disagreeing, another.new, another.alerted),
        (2, 1, true)
    );
    assert_eq!(
        alerts.len(),
        2,
        "one alert per run with new drift: {alerts:?}"
    );
    assert_eq!(alerts[0]["event"], "drift");
    assert_eq!(alerts[0]["counts"]["amount"], 1);
    assert_eq!(alerts[0]["console_url"], "https://orders.example.com/drift");
    let text = alerts[1]["text"].as_str().unwrap();
    assert!(
        text.contains("2 orders") && text.contains("missing 1, amount 1"),
        "{text}"
    );
    assert!(text.contains("`order-sync reconcile`"), "{text}");
    assert_eq!(kept.run.scope, "sent orders changed in the last 30 days");
    assert_eq!(kept.run.checked, 3);
    assert_eq!(kept.run.run_by, "the schedule on replica-a");
    let [found] = &kept.drifts[..] else {
        panic!("{:?}", kept.drifts)
    };
    assert_eq!(
        (found.drift.order_id.0, found.drift.kind),
        (ids[0], Kind::Amount)
    );
    assert_eq!(found.drift.mend, Mend::Resend);
    assert_eq!(found.order_number, Some(number_of(&app, ids[0]).await));
}
on_every_backend!(
    a_scheduled_reconcile_keeps_its_findings_and_alerts_once_per_drift_not_seen_before
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_that_is_gone_is_announced_once_as_all_clear() {
    let (app, worker, ids) = sent_orders(Backend::Sqlite, 2).await.expect("sqlite");
    let hook = webhook().await;
    let schedule = schedule(&app, &hook, SOON, "replica-a");
    edit_amount(&app, ids[0]);
    schedule.run_pass().await.expect("pass");
    let found = survey(&app.store, &app.salesforce, Scope::All)
        .await
        .unwrap();
    mend(&app.store, &found, "test").await.expect("mend");
    worker.resend_until_idle(|_, _| {}).await.expect("resend");

    tokio::time::sleep(SOON).await;
    let cleared = schedule.run_pass().await.expect("pass");
    tokio::time::sleep(SOON).await;
    let quiet = schedule.run_pass().await.expect("pass");
    let alerts = posts(&hook, 2).await;

    assert!(cleared.reconciled && cleared.cleared && cleared.disagreeing == 0);
    assert!(quiet.reconciled && !quiet.cleared && !quiet.alerted);
    let events: Vec<&str> = alerts
        .iter()
        .map(|a| a["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["drift", "drift_cleared"]);
    let kept = app.store.last_reconcile().await.unwrap().expect("kept");
    assert!(kept.drifts.is_empty(), "{:?}", kept.drifts);
}

async fn only_one_replica_runs_a_due_reconcile_and_none_before_the_next_is_due(backend: Backend) {
    let Some((app, ..)) = sent_orders(backend, 1).await else {
        return;
    };
    let hook = webhook().await;
    let hour = Duration::from_secs(3600);
    let (a, b) = (
        schedule(&app, &hook, hour, "replica-a"),
        schedule(&app, &hook, hour, "replica-b"),
    );

    let (on_a, on_b) = tokio::join!(a.run_pass(), b.run_pass());
    let again = b.run_pass().await.expect("pass");

    let ran = [on_a.expect("pass"), on_b.expect("pass")].map(|r| r.reconciled);
    assert_eq!(ran.iter().filter(|r| **r).count(), 1, "{ran:?}");
    assert!(!again.reconciled, "the next is due in an hour");
}
on_every_backend!(only_one_replica_runs_a_due_reconcile_and_none_before_the_next_is_due);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_reconcile_that_cannot_reach_salesforce_keeps_the_last_findings() {
    let (app, _, ids) = sent_orders(Backend::Sqlite, 1).await.expect("sqlite");
    let hook = webhook().await;
    let schedule = schedule(&app, &hook, SOON, "replica-a");
    edit_amount(&app, ids[0]);
    schedule.run_pass().await.expect("pass");
    app.fake.shutdown();

    tokio::time::sleep(SOON).await;
    let failed = schedule.run_pass().await;

    let failed = failed.expect("an outage does not stop the process");
    assert!(!failed.reconciled);
    let kept = app.store.last_reconcile().await.unwrap().expect("kept");
    assert_eq!(kept.drifts.len(), 1, "the last findings stay");
}

/// The value of the sample `series` (name and labels as rendered) in a /metrics page.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_daemon_reconciles_on_its_schedule_shows_the_drift_in_its_metrics_and_alerts_once()
 {
    let (app, _, ids) = sent_orders(Backend::Sqlite, 2).await.expect("sqlite");
    edit_amount(&app, ids[0]);
    let hook = webhook().await;
    let url = format!("{}/alerts", hook.uri());
    let env = [
        ("ORDER_SYNC__RECONCILE__EVERY", "200ms"),
        ("ORDER_SYNC__ALERTS__WEBHOOK_URL", url.as_str()),
    ];
    let daemon = Daemon::start(&app, &env);

    let (started, mut runs, mut page) = (Instant::now(), BTreeSet::new(), String::new());
    while runs.len() < 3 && started.elapsed() < Duration::from_secs(30) {
        page = daemon.get("/metrics", Duration::from_secs(10)).await.1;
        let last = sample(&page, "order_sync_reconcile_last_run_timestamp_seconds");
        runs.extend(last.filter(|t| *t > 0.0).map(|t| t.to_bits()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts = posts(&hook, 1).await;
    let (code, output) = daemon.stop().await;

    assert!(runs.len() >= 3, "three reconciles seen: {runs:?}\n{output}");
    let drift = |kind: &str| {
        sample(
            &page,
            &format!("order_sync_drift_orders{{kind=\"{kind}\"}}"),
        )
    };
    assert_eq!(drift("amount"), Some(1.0), "{page}");
    for kind in [
        "missing",
        "lines",
        "status",
        "duplicate",
        "orphan",
        "stale_id",
    ] {
        assert_eq!(drift(kind), Some(0.0), "{kind}");
    }
    assert_eq!(
        sample(&page, "order_sync_reconcile_every_seconds"),
        Some(0.2)
    );
    assert_eq!(alerts.len(), 1, "one alert for the same drift: {alerts:?}");
    assert_eq!(alerts[0]["event"], "drift");
    assert_eq!(code, Some(0), "{output}");
}
