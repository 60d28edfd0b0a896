//! Alerts people can live with: one webhook per watchdog check listing every newly stuck order
//! (capped), a recovery message once none is left, one alert per order across replicas.

use std::time::Duration;

use order_sync::config::AlertSettings;
use order_sync::sync::Watchdog;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Backend, TestApp, on_every_backend};

pub(crate) async fn webhook() -> MockServer {
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/alerts"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hook)
        .await;
    hook
}

fn alerts_to(app: &TestApp, hook: &MockServer, cap: usize) -> AlertSettings {
    let mut alerts = app.settings.alerts.clone();
    alerts.webhook_url = format!("{}/alerts", hook.uri());
    alerts.webhook_max_orders = cap;
    alerts
}

/// The bodies posted so far, once `n` have arrived (deliveries run in the background).
pub(crate) async fn posts(hook: &MockServer, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        if hook.received_requests().await.unwrap_or_default().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await; // and nothing more
    let got = hook.received_requests().await.unwrap_or_default();
    got.iter().map(|r| r.body_json().expect("json")).collect()
}

/// `n` orders parked because their product is missing from the price book.
async fn parked_orders(app: &TestApp, n: usize) -> Vec<i64> {
    let missing = app.product("GONE-1", "standard", false).await;
    let customer = app.customer("Nakamura").await;
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(app.order(customer).line(missing, 1, "5.00").place().await);
    }
    app.drain(&app.worker(), 10).await;
    ids
}

async fn one_check_with_three_stuck_orders_sends_one_digest_then_one_recovery(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let hook = webhook().await;
    let ids = parked_orders(&app, 3).await;
    let watchdog = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 20));
    let replica = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 20));

    let first = watchdog.run_pass().await.expect("check");
    let again = replica.run_pass().await.expect("check");
    let digest = posts(&hook, 1).await;
    app.fake.add_product("GONE-1", "Back", "5.00");
    for id in &ids {
        app.store.retry_order(*id, "rep").await.expect("retry");
    }
    app.drain(&app.worker(), 10).await;
    let cleared = watchdog.run_pass().await.expect("check");
    let quiet = replica.run_pass().await.expect("check");
    let all = posts(&hook, 2).await;

    assert_eq!(first.raised.len(), 3);
    assert!(
        again.raised.is_empty(),
        "another replica raises nothing twice"
    );
    assert_eq!(
        digest.len(),
        1,
        "one webhook for the whole check: {digest:?}"
    );
    let body = &digest[0];
    assert_eq!(body["event"], "stuck_orders");
    assert_eq!(body["orders"].as_array().unwrap().len(), 3);
    assert_eq!(body["more"], 0);
    let numbers: Vec<&str> = body["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_number"].as_str().unwrap())
        .collect();
    for n in &numbers {
        assert!(body["text"].as_str().unwrap().contains(n), "{body}");
    }
    assert!(cleared.recovered, "the check that found none left recovers");
    assert!(!quiet.recovered, "and only that one");
    assert_eq!(all.len(), 2, "the digest, then one recovery: {all:?}");
    assert_eq!(all[1]["event"], "recovered");
    assert_eq!(all[1]["orders"].as_array().unwrap().len(), 0);
}
on_every_backend!(one_check_with_three_stuck_orders_sends_one_digest_then_one_recovery);

#[tokio::test]
async fn a_digest_lists_at_most_the_cap_and_counts_the_rest() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let hook = webhook().await;
    parked_orders(&app, 5).await;
    let watchdog = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 2));

    watchdog.run_pass().await.expect("check");
    let digest = posts(&hook, 1).await;

    assert_eq!(digest.len(), 1);
    let body = &digest[0];
    assert_eq!(body["new_orders"], 5);
    assert_eq!(body["orders"].as_array().unwrap().len(), 2);
    assert_eq!(body["more"], 3);
    assert!(
        body["text"].as_str().unwrap().contains("and 3 more"),
        "{body}"
    );
}

#[tokio::test]
async fn a_check_with_nothing_new_sends_nothing_and_no_recovery_without_a_digest() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let hook = webhook().await;
    let watchdog = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 20));

    let report = watchdog.run_pass().await.expect("check");

    assert!(!report.recovered, "nothing was stuck, so nothing recovers");
    assert!(posts(&hook, 0).await.is_empty());
}

#[tokio::test]
async fn the_digest_links_each_order_to_the_console_when_its_address_is_set() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let hook = webhook().await;
    parked_orders(&app, 1).await;
    let mut watchdog = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 20));
    watchdog.console_url = "https://orders.example.com/".into();

    watchdog.run_pass().await.expect("check");
    let digest = posts(&hook, 1).await;

    let order = &digest[0]["orders"][0];
    let number = order["order_number"].as_str().unwrap();
    assert_eq!(
        order["url"],
        format!("https://orders.example.com/orders/{number}")
    );
    assert_eq!(
        digest[0]["console_url"],
        "https://orders.example.com/orders/stuck"
    );
}

#[tokio::test]
async fn a_hostile_customer_name_in_the_digest_cannot_ping_the_channel_or_plant_a_link() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let hook = webhook().await;
    let missing = app.product("GONE-2", "standard", false).await;
    let customer = app
        .customer("<!channel> & <https://evil.example|Open console>")
        .await;
    app.order(customer).line(missing, 1, "5.00").place().await;
    app.drain(&app.worker(), 10).await;
    let watchdog = Watchdog::new(app.store.clone(), None, alerts_to(&app, &hook, 20));

    watchdog.run_pass().await.expect("check");
    let digest = posts(&hook, 1).await;

    let text = digest[0]["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|Open console&gt;"),
        "{text}"
    );
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
}
