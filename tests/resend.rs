//! `resend` and `backfill`, as a person runs them: killed halfway and run again, every order
//! reaches Salesforce once, as it is now, and the store's statuses are never moved.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, TestApp, on_every_backend};
use order_sync::store::sql::Args;

const KEY: &str = "Store_Order_Id__c";

/// Settings that make a run slow enough to stop halfway: a small batch, a short lease (so
/// the second run takes over what the killed one held), and a slow org.
const SLOW_RUN: [(&str, &str); 4] = [
    ("ORDER_SYNC__SYNC__BATCH_SIZE", "4"),
    ("ORDER_SYNC__SYNC__LEASE_DURATION", "2s"),
    ("ORDER_SYNC__SALESFORCE__REQUEST_TIMEOUT", "600ms"),
    ("ORDER_SYNC__SYNC__CONCURRENCY", "1"),
];

async fn sync_rows_in(app: &TestApp, state: &str) -> i64 {
    let rows: Vec<(i64,)> = app
        .rows(
            "SELECT COUNT(*) FROM order_sync_state WHERE state = :s AND synced_at IS NOT NULL",
            Args::new().set("s", state),
        )
        .await;
    rows.first().map_or(0, |(n,)| *n)
}

/// Starts `args`, kills it once `done` rows are synced (or after 20 s), then runs it again to
/// the end; the second run's output.
async fn kill_halfway_then_run_again(app: &TestApp, args: &[&str], done: i64) -> String {
    let mut cmd = app.cli_command(args);
    cmd.envs(SLOW_RUN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("start order-sync");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sync_rows_in(app, "done").await < done && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let second = app.run_cli(args, &SLOW_RUN).await;
    let waiting: Vec<(i64, String, Option<i64>, i64, i64)> = app
        .rows(
            "SELECT order_id, state, lease_expires_at, next_attempt_at, attempts FROM order_sync_state WHERE state <> 'done'",
            Args::new(),
        )
        .await;
    assert_eq!(
        second.code,
        Some(0),
        "{}\nnot done: {waiting:?}",
        second.output
    );
    second.output
}

fn one_opportunity(app: &TestApp, order: i64) -> fake_salesforce::Record {
    let found = app.fake.find("Opportunity", KEY, &order.to_string());
    assert_eq!(found.len(), 1, "one Opportunity for order {order}");
    found.into_iter().next().expect("one")
}

async fn a_killed_backfill_run_again_sends_every_old_order_once_as_it_is_now(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET", "standard", true).await;
    let customer = app.customer("Haddad").await;
    let statuses = ["Completed", "Canceled", "In Process", "Incomplete"];
    let mut orders = Vec::new();
    for i in 0..24 {
        let status = statuses[i % statuses.len()];
        let id = app
            .order(customer)
            .status(status)
            .line(widget, 1, "12.50")
            .place()
            .await;
        orders.push((id, status));
    }
    app.fake.set_latency(Duration::from_millis(60));

    let output =
        kill_halfway_then_run_again(&app, &["backfill", "--placed-since", "2020-01-01"], 6).await;

    assert!(output.contains("sent again"), "{output}");
    for (id, status) in &orders {
        assert_eq!(&app.status_of(*id).await, status, "the store is not moved");
        if *status == "Incomplete" {
            assert!(
                app.fake
                    .find("Opportunity", KEY, &id.to_string())
                    .is_empty()
            );
            continue;
        }
        let opp = one_opportunity(&app, *id);
        let want = match *status {
            "Completed" | "In Process" => "Closed Won",
            _ => "Closed Lost",
        };
        assert_eq!(
            opp.get("StageName"),
            Some(&json!(want)),
            "order {id} ({status})"
        );
        assert_eq!(app.fake.find("Order", KEY, &id.to_string()).len(), 1);
    }
    assert_eq!(sync_rows_in(&app, "done").await, 18);
}
on_every_backend!(a_killed_backfill_run_again_sends_every_old_order_once_as_it_is_now);

async fn a_killed_resend_run_again_sends_each_order_again_exactly_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET", "standard", true).await;
    let customer = app.customer("Nakamura").await;
    let mut orders = Vec::new();
    for _ in 0..16 {
        orders.push(app.order(customer).line(widget, 3, "4.00").place().await);
    }
    let worker = app.worker();
    app.drain(&worker, 10).await;
    app.admin_sets_status(orders[0], "Completed").await;
    app.fake.set_latency(Duration::from_millis(60));

    let output =
        kill_halfway_then_run_again(&app, &["resend", "--placed-since", "2020-01-01"], 4).await;

    let resent: Vec<(i64,)> = app
        .rows(
            "SELECT order_id FROM order_sync_attempts WHERE outcome = 'resent' ORDER BY order_id",
            Args::new(),
        )
        .await;
    let resent: Vec<i64> = resent.into_iter().map(|(id,)| id).collect();
    assert_eq!(resent, orders, "each order re-sent once: {output}");
    for id in &orders {
        one_opportunity(&app, *id);
        assert_eq!(
            app.status_of(*id).await,
            if *id == orders[0] {
                "Completed"
            } else {
                "In Process"
            }
        );
    }
}
on_every_backend!(a_killed_resend_run_again_sends_each_order_again_exactly_once);

async fn a_backfilled_order_needs_no_status_change_and_an_unsent_one_is_not_resent(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET", "standard", true).await;
    let customer = app.customer("Osei").await;
    let done = app
        .order(customer)
        .status("Completed")
        .line(widget, 1, "8.00")
        .place()
        .await;
    let waiting = app.order(customer).line(widget, 1, "8.00").place().await;

    let backfill = app
        .run_cli(&["backfill", "--placed-since", "2020-01-01"], &[])
        .await;
    assert_eq!(backfill.code, Some(0), "{}", backfill.output);
    let resend = app
        .run_cli(&["resend", &format!("id:{waiting}")], &[])
        .await;

    assert!(resend.output.contains("skipped"), "{}", resend.output);
    assert!(
        app.fake
            .find("Opportunity", KEY, &waiting.to_string())
            .is_empty()
    );
    assert_eq!(app.status_of(waiting).await, "Order Placed");
    let worker = app.worker();
    let look = order_sync::app::lifecycle_for(&app.settings, &worker);
    let pass = look.run_pass().await.expect("lifecycle pass");
    assert!(
        pass.shown.is_empty(),
        "Salesforce already shows Completed: {pass:?}"
    );
    assert_eq!(
        one_opportunity(&app, done).get("StageName"),
        Some(&json!("Closed Won"))
    );
}
on_every_backend!(a_backfilled_order_needs_no_status_change_and_an_unsent_one_is_not_resent);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_evaluation_keeps_the_price_the_technicians_gave_its_quote() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Mensah").await;
    let order = app.order(customer).line(eval, 1, "0.00").place().await;
    app.drain(&app.worker(), 5).await;
    assert_eq!(app.status_of(order).await, "Awaiting Evaluation");
    let quote = app.fake.find("Quote", KEY, &order.to_string()).remove(0);
    let priced = app
        .fake
        .find("QuoteLineItem", "QuoteId", &quote.id)
        .remove(0);
    app.fake
        .update_fields("QuoteLineItem", &priced.id, json!({ "UnitPrice": 250.0 }));
    let opp = one_opportunity(&app, order);
    app.fake
        .update_fields("Opportunity", &opp.id, json!({ "Amount": 250.0 }));

    let run = app.run_cli(&["resend", &format!("id:{order}")], &[]).await;

    assert_eq!(run.code, Some(0), "{}", run.output);
    let line = app.fake.find("QuoteLineItem", "QuoteId", &quote.id);
    assert_eq!(line.len(), 1);
    assert_eq!(line[0].get("UnitPrice"), Some(&json!(250.0)));
    assert_eq!(
        one_opportunity(&app, order).get("Amount"),
        Some(&json!(250.0))
    );
}
