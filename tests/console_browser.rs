//! The console in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
//! driven over WebDriver. A rep retries and links parked orders and sees them move, and fixes a
//! drifted one from the Drift page; a form on another site cannot act; each page is saved under
//! target/console-screenshots/ for review.
//! Without the binaries the test says "skipped" and returns, unless ORDER_SYNC_TEST_BROWSER=required
//! (as in CI), where it fails instead.

mod chromium;

use thirtyfour::prelude::*;

use crate::console::{PASSWORD, cheap_hash, serve_console};
use crate::helpers::{Backend, TestApp};
use chromium::{Browser, browser_binaries};

/// A page on another site (localhost is another site than 127.0.0.1) whose form posts to the console.
async fn hostile_page(target: &str) -> String {
    let html = format!(
        "<!doctype html><title>Win a prize</title><form method=post action=\"{target}\">\
         <input type=hidden name=csrf value=guessed><button id=go>Claim</button></form>"
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(html) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://localhost:{port}/")
}

/// A rep creating an Opportunity in Salesforce's UI: a plain REST create against the fake.
async fn opportunity_by_hand(app: &TestApp) -> String {
    let url = format!(
        "{}/services/data/v62.0/sobjects/Opportunity/",
        app.fake.url()
    );
    let created: serde_json::Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(app.fake.issue_token())
        .json(&serde_json::json!({
            "Name": "Entered by hand", "StageName": "Prospecting", "CloseDate": "2026-11-26"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().expect("created id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(browser_tests),
    ignore = "skipped: chromium/chromedriver were not installed when the tests were built"
)]
async fn a_rep_retries_and_links_parked_orders_in_chromium_and_a_cross_site_form_is_refused() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        let required = std::env::var("ORDER_SYNC_TEST_BROWSER").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "chromium/chromedriver not installed and ORDER_SYNC_TEST_BROWSER=required"
        );
        eprintln!(
            "skipped: chromium/chromedriver not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Lindqvist").await;
    let sent_id = app
        .order(customer)
        .purchase_order("PO-7")
        .line(widget, 3, "4.00")
        .place()
        .await;
    app.fake.add_validation_rule(
        "Opportunity",
        "StageName",
        "Closed Won",
        "Card orders are entered by hand this week",
    );
    let linked_id = app.order(customer).line(widget, 1, "9.00").place().await;
    let missing = app.product("NEW-1", "standard", false).await;
    let retried_id = app
        .order(customer)
        .purchase_order("PO-8")
        .line(missing, 2, "7.50")
        .place()
        .await;
    app.drain(&app.worker(), 10).await; // one sent, two parked
    let number = |id| {
        let store = app.store.clone();
        async move { store.order_detail(id).await.unwrap().unwrap().order_number }
    };
    let (linked, retried) = (number(linked_id).await, number(retried_id).await);
    order_sync::sync::record_salesforce_usage(&app.store, &app.salesforce)
        .await
        .expect("what the watchdog records");
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let browser = Browser::start(&chromium, &chromedriver).await;

    let overview = browser.open(&format!("{base}/")).await;
    browser.screenshot("overview").await;
    let stuck = browser.open(&format!("{base}/orders/stuck")).await;
    browser.screenshot("stuck").await;
    let hostile = hostile_page(&format!("{base}/orders/{retried}/retry")).await;
    browser.open(&hostile).await;
    browser
        .driver
        .find(By::Id("go"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let refused = browser.wait_for("came from another site").await;
    browser.screenshot("cross-site-refused").await;
    let after_attack = app.status_of(retried_id).await;

    let parked_page = browser.open(&format!("{base}/orders/{retried}")).await;
    browser.screenshot("order-parked").await;
    app.fake
        .add_product("NEW-1", "Back in the price book", "7.50");
    browser
        .driver
        .find(By::Id("retry"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let retry_notice = browser.wait_for("Retry requested").await;
    app.drain(&app.worker(), 10).await;
    let moved = browser.open(&format!("{base}/orders/{retried}")).await;
    browser.screenshot("order-after-retry").await;

    let opportunity = opportunity_by_hand(&app).await;
    let link_page = browser.open(&format!("{base}/orders/{linked}")).await;
    browser.screenshot("order-to-link").await;
    browser
        .driver
        .find(By::Id("opportunity"))
        .await
        .unwrap()
        .send_keys(&opportunity)
        .await
        .unwrap();
    browser
        .driver
        .find(By::Id("link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let linked_page = browser.wait_for("Linked:").await;
    browser.screenshot("order-after-link").await;

    let (drift_page, fixed) = fix_a_drifted_order(&app, &browser, &base, sent_id).await;
    browser.driver.clone().quit().await.ok();

    assert!(overview.contains("Orders needing attention"), "{overview}");
    assert!(overview.contains("<svg"), "the chart is drawn");
    assert!(
        stuck.contains(&retried) && stuck.contains(&linked),
        "{stuck}"
    );
    assert!(
        refused.contains("came from another site"),
        "cross-site POST refused: {refused}"
    );
    assert_eq!(after_attack, "Order Placed");
    assert!(parked_page.contains("To enter it in Salesforce by hand"));
    assert!(retry_notice.contains("Retry requested"), "{retry_notice}");
    assert!(
        moved.contains("Awaiting Payment"),
        "the retried order moved: {moved}"
    );
    assert!(link_page.contains("Link records"));
    assert!(
        linked_page.contains("In Process"),
        "the linked order moved: {linked_page}"
    );
    assert!(
        linked_page.contains(&opportunity),
        "its Opportunity is shown"
    );
    assert_eq!(app.status_of(linked_id).await, "In Process");
    assert_eq!(app.fake.count("Opportunity"), 3, "adopted, not duplicated");
    assert!(
        drift_page.contains("Fix sends the order again"),
        "{drift_page}"
    );
    assert!(fixed.contains("is queued"), "Fix done: {fixed}");
    let state = app
        .store
        .order_detail(sent_id)
        .await
        .unwrap()
        .unwrap()
        .sync_state;
    assert_eq!(state.as_deref(), Some("resend"));
}

/// Someone edits sent order `id`'s Amount in Salesforce and a reconcile finds it: the rep opens
/// the Drift page and presses Fix. The page before, and the page after.
async fn fix_a_drifted_order(
    app: &TestApp,
    browser: &Browser,
    base: &str,
    id: i64,
) -> (String, String) {
    use order_sync::reconcile::{Scope, keep, survey};
    let opp = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &id.to_string());
    let amount = serde_json::json!({"Amount": 1.0});
    app.fake.update_fields("Opportunity", &opp[0].id, amount);
    let found = survey(&app.store, &app.salesforce, Scope::All)
        .await
        .unwrap();
    keep(&app.store, &found, "order-sync reconcile")
        .await
        .unwrap();
    let page = browser.open(&format!("{base}/drift")).await;
    browser.screenshot("drift").await;
    let fix = browser
        .driver
        .find(By::Id(format!("fix-{id}")))
        .await
        .unwrap();
    fix.click().await.unwrap();
    let fixed = browser.wait_for("is queued").await;
    browser.screenshot("drift-after-fix").await;
    (page, fixed)
}
