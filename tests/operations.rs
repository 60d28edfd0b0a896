//! Operations: stuck-order alerts, /metrics, /readyz, and a rep's `link`.

use std::sync::Arc;
use std::time::Duration;

use order_sync::http::{Readiness, STORE_UNREACHABLE, router};
use order_sync::sync::{Heartbeat, Watchdog};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Backend, TestApp, on_every_backend, serve_http, shipped_limits};

async fn wait_for_requests(server: &MockServer, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..100 {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.received_requests().await.unwrap_or_default()
}

async fn a_stuck_order_alerts_once_by_webhook_and_clears_when_it_moves(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/alerts"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hook)
        .await;
    let missing = app.product("NEW-1", "standard", false).await;
    let customer = app.customer("Okafor").await;
    let id = app.order(customer).line(missing, 1, "5.00").place().await;
    let worker = app.worker();
    app.drain(&worker, 5).await; // parked: no price-book entry
    let mut alerts = app.settings.alerts.clone();
    alerts.webhook_url = format!("{}/alerts", hook.uri());
    let watchdog = Watchdog::new(app.store.clone(), Some(app.salesforce.clone()), alerts);

    let first = watchdog.run_pass().await.expect("look");
    let second = watchdog.run_pass().await.expect("look");
    let delivered = wait_for_requests(&hook, 1).await;
    app.fake.add_product("NEW-1", "New", "5.00");
    app.store.retry_order(id, "rep").await.expect("retry");
    app.drain(&worker, 5).await;
    let third = watchdog.run_pass().await.expect("look");

    assert_eq!(first.raised, vec![id]);
    assert!(second.raised.is_empty(), "no repeat for the same order");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let posts = hook.received_requests().await.unwrap();
    assert_eq!(
        posts.len(),
        2,
        "one digest for the stuck order, one recovery once it moved"
    );
    let body: serde_json::Value = delivered[0].body_json().expect("json");
    let alert = &body["orders"][0];
    assert_eq!(alert["order_id"], id);
    assert_eq!(alert["error_class"], "rejected");
    assert!(alert["reason"].as_str().unwrap().contains("SKU NEW-1"));
    let number = alert["order_number"].as_str().unwrap();
    assert!(
        alert["suggested_action"]
            .as_str()
            .unwrap()
            .contains(&format!("order-sync retry {number}")),
        "the suggested action names the real order: {alert}"
    );
    assert_eq!(
        third.cleared,
        vec![id],
        "the alert clears once the order moved"
    );
    assert_eq!(app.store.open_alerts().await.unwrap(), 0);
}
on_every_backend!(a_stuck_order_alerts_once_by_webhook_and_clears_when_it_moves);

pub(crate) async fn serve(readiness: Readiness) -> String {
    serve_http(router(readiness), shipped_limits()).await
}

pub(crate) fn readiness(
    app: &TestApp,
    beats: Vec<(&'static str, Arc<Heartbeat>, Duration)>,
) -> Readiness {
    Readiness {
        store: app.store.clone(),
        salesforce: app.salesforce.clone(),
        loops: beats,
        max_token_silence: Duration::from_secs(3600),
    }
}

#[tokio::test]
async fn metrics_are_served_in_prometheus_text_format() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Ramanujan").await;
    app.order(customer).line(widget, 1, "5.00").place().await;
    app.order(customer)
        .purchase_order("PO-1")
        .line(widget, 1, "5.00")
        .place()
        .await;
    let _ = order_sync::metrics::handle();
    app.drain(&app.worker(), 5).await;
    let base = serve(readiness(&app, vec![])).await;

    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let samples: Vec<(&str, f64)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').expect("name value");
            (name, value.parse::<f64>().expect("number"))
        })
        .collect();
    let value = |name: &str| {
        samples
            .iter()
            .filter(|(n, _)| n.starts_with(name))
            .map(|(_, v)| *v)
            .sum::<f64>()
    };
    assert!(
        value("order_sync_orders_sent_total{route=\"in_process\"}") >= 1.0,
        "{text}"
    );
    assert!(value("order_sync_orders_sent_total{route=\"awaiting_payment\"}") >= 1.0);
    assert!(
        samples
            .iter()
            .any(|(n, _)| n.starts_with("order_sync_commit_seconds_bucket")),
        "latency histogram"
    );
    assert!(text.contains("# HELP order_sync_orders_sent_total"));
}

async fn readyz_fails_when_the_store_is_gone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // No Salesforce token at all: readiness is about the store and the loops only.
    let beat = Arc::new(Heartbeat::default());
    beat.beat();
    let base = serve(readiness(
        &app,
        vec![("push", beat, Duration::from_secs(60))],
    ))
    .await;

    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    let alive = reqwest::get(format!("{base}/healthz"))
        .await
        .unwrap()
        .status();
    app.store.close().await;
    let gone = reqwest::get(format!("{base}/readyz")).await.unwrap();

    assert_eq!(ready.status(), 200);
    assert_eq!(alive, 200);
    assert_eq!(gone.status(), 503);
    let body: serde_json::Value = gone.json().await.unwrap();
    assert_eq!(
        body["problems"][0], STORE_UNREACHABLE,
        "the driver's words stay in the log"
    );
}
on_every_backend!(readyz_fails_when_the_store_is_gone);

#[tokio::test]
async fn readyz_fails_when_a_loop_stops_beating() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let beat = Arc::new(Heartbeat::default());
    beat.beat();
    let base = serve(readiness(
        &app,
        vec![("push", beat, Duration::from_millis(50))],
    ))
    .await;

    tokio::time::sleep(Duration::from_millis(120)).await;
    let wedged = reqwest::get(format!("{base}/readyz")).await.unwrap();

    assert_eq!(wedged.status(), 503);
    let body: serde_json::Value = wedged.json().await.unwrap();
    assert!(body["problems"][0].as_str().unwrap().contains("push loop"));
}

async fn link_adopts_hand_entered_records_instead_of_duplicating_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Vaughan").await;
    app.fake.add_validation_rule(
        "Opportunity",
        "StageName",
        "Closed Won",
        "Card orders are entered by hand this week",
    );
    let id = app.order(customer).line(widget, 1, "5.00").place().await;
    let worker = app.worker();
    app.drain(&worker, 5).await; // parked by the validation rule
    let opportunity = create_by_hand(
        &app,
        "Opportunity",
        serde_json::json!({
        "Name": "Hand-entered", "StageName": "Prospecting", "CloseDate": "2026-11-26"}),
    )
    .await;

    let code = link(&app, &id.to_string(), &opportunity, None)
        .await
        .expect("link");
    app.drain(&worker, 5).await;

    assert_eq!(code, 0);
    assert_eq!(app.status_of(id).await, "In Process");
    assert_eq!(
        app.fake.count("Opportunity"),
        1,
        "the hand-entered Opportunity was adopted, not duplicated"
    );
    let adopted = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &id.to_string());
    assert_eq!(adopted[0].id, opportunity);
    let d = app.store.order_detail(id).await.unwrap().unwrap();
    assert_eq!(d.sf_opportunity_id.as_deref(), Some(opportunity.as_str()));
    assert!(
        app.history(id).await[0]
            .actor
            .as_deref()
            .unwrap_or("")
            .starts_with("link by")
    );
}
on_every_backend!(link_adopts_hand_entered_records_instead_of_duplicating_them);

/// `order-sync link KEY --opportunity ID [--quote ID]`, as the CLI calls it.
async fn link(
    app: &TestApp,
    key: &str,
    opportunity: &str,
    quote: Option<&str>,
) -> anyhow::Result<i32> {
    let records = order_sync::link::HandEntered {
        opportunity: opportunity.into(),
        quote: quote.map(Into::into),
        sf_order: None,
    };
    order_sync::link::run(app.settings.clone(), key, records).await
}

/// The sync row as a rep's `orders show` sees it: state, attempts, next attempt.
async fn sync_row(app: &TestApp, id: i64) -> (Option<String>, Option<i64>, Option<i64>) {
    let d = app.store.order_detail(id).await.unwrap().unwrap();
    (d.sync_state, d.attempts, d.next_attempt_at)
}

#[tokio::test]
async fn a_failed_link_leaves_the_order_exactly_as_it_found_it() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", false).await;
    let customer = app.customer("Noyce").await;
    let id = app.order(customer).line(widget, 1, "5.00").place().await;
    app.drain(&app.worker(), 5).await; // parked: no price-book entry
    let before = sync_row(&app, id).await;

    let first = link(&app, &id.to_string(), "006000000000999AAA", None)
        .await
        .expect_err("refused");
    let second = link(&app, &id.to_string(), "006000000000999AAA", None)
        .await
        .expect_err("refused");

    assert!(
        first
            .to_string()
            .contains("no Opportunity with id 006000000000999AAA"),
        "{first}"
    );
    assert_eq!(
        second.to_string(),
        first.to_string(),
        "no claim was left behind"
    );
    assert_eq!(sync_row(&app, id).await, before);
    assert_eq!(app.status_of(id).await, "Order Placed");
}

#[tokio::test]
async fn a_link_whose_tagging_fails_gives_its_claim_back() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", false).await;
    let customer = app.customer("Hopper").await;
    let id = app.order(customer).line(widget, 1, "5.00").place().await;
    app.drain(&app.worker(), 5).await;
    let before = sync_row(&app, id).await;
    let opportunity = create_by_hand(
        &app,
        "Opportunity",
        serde_json::json!({"Name": "By hand", "StageName": "Prospecting", "CloseDate": "2026-11-26"}),
    )
    .await;
    // The record exists and is free, but the org refuses the tag (say, a locked record).
    app.fake.add_validation_rule(
        "Opportunity",
        "Store_Order_Id__c",
        &id.to_string(),
        "Record locked",
    );

    let err = link(&app, &id.to_string(), &opportunity, None)
        .await
        .expect_err("tagging fails");

    assert!(err.to_string().contains("was left as it was"), "{err}");
    assert_eq!(
        sync_row(&app, id).await,
        before,
        "state, attempts and lease as they were"
    );
}

#[tokio::test]
async fn link_refuses_records_that_belong_to_another_order_or_another_object() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let gone = app.product("GONE-1", "standard", false).await;
    let customer = app.customer("Lamarr").await;
    let routed = app.order(customer).line(widget, 1, "5.00").place().await;
    let parked = app.order(customer).line(gone, 1, "5.00").place().await;
    app.drain(&app.worker(), 5).await;
    let theirs = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &routed.to_string())[0]
        .id
        .clone();
    let quote = app
        .fake
        .find("Quote", "Store_Order_Id__c", &routed.to_string())[0]
        .id
        .clone();
    let number = app
        .store
        .order_detail(routed)
        .await
        .unwrap()
        .unwrap()
        .order_number;

    let stolen = link(&app, &parked.to_string(), &theirs, None)
        .await
        .expect_err("refused");
    let wrong_object = link(&app, &parked.to_string(), &quote, None)
        .await
        .expect_err("refused");

    assert!(
        stolen
            .to_string()
            .contains(&format!("already belongs to store order {number}")),
        "{stolen}"
    );
    assert!(
        wrong_object
            .to_string()
            .contains("is a Quote id, not an Opportunity id"),
        "{wrong_object}"
    );
    let still = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &routed.to_string());
    assert_eq!(still.len(), 1, "the other order keeps its Opportunity");
    assert_eq!(app.status_of(parked).await, "Order Placed");
}

/// A rep creating a record in Salesforce's UI: a plain REST create against the fake.
pub(crate) async fn create_by_hand(
    app: &TestApp,
    object: &str,
    fields: serde_json::Value,
) -> String {
    let url = format!("{}/services/data/v62.0/sobjects/{object}/", app.fake.url());
    let created: serde_json::Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(app.fake.issue_token())
        .json(&fields)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().expect("created id").to_string()
}

#[tokio::test]
async fn old_attempt_rows_of_sent_orders_are_pruned_and_those_of_parked_orders_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let missing = app.product("GONE-2", "standard", false).await;
    let customer = app.customer("Archivist").await;
    let sent = app.order(customer).line(widget, 1, "1.00").place().await;
    let parked = app.order(customer).line(missing, 1, "1.00").place().await;
    app.drain(&app.worker(), 5).await;
    let mut alerts = app.settings.alerts.clone();
    alerts.attempt_retention = Duration::ZERO;
    let watchdog = Watchdog::new(app.store.clone(), None, alerts);

    tokio::time::sleep(Duration::from_millis(5)).await;
    watchdog.run_pass().await.expect("look");

    assert!(
        app.store.order_attempts(sent).await.unwrap().is_empty(),
        "a sent order's old attempts go"
    );
    assert_eq!(
        app.store.order_attempts(parked).await.unwrap().len(),
        1,
        "a parked order keeps its story"
    );
}
