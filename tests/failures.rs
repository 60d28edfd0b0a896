//! Failures by class: transient ones retry, rejected ones park with a reason, fatal ones stop.

use fake_salesforce::{FaultKind, Faults};
use order_sync::error::ErrorClass;

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn a_transient_failure_is_retried_and_then_succeeds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Babbage").await;
    let worker = app.worker();
    app.order(customer).line(widget, 1, "9.00").place().await;
    app.drain(&worker, 5).await; // warms the price-book cache so the next call is the graph
    let id = app.order(customer).line(widget, 1, "9.00").place().await;

    app.fake.set_faults(Faults::always(FaultKind::Html503));
    let _ = worker.run_pass().await.expect("pass");
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    app.fake.set_faults(Faults::default());
    let report = app.drain(&worker, 50).await;

    assert_eq!(detail.status, "Order Placed");
    assert_eq!(detail.last_error_class.as_deref(), Some("transient"));
    assert!(
        detail.last_error.unwrap().contains("HTML"),
        "the reason says what Salesforce sent"
    );
    assert_eq!(report.sent.len(), 1);
    assert_eq!(app.status_of(id).await, "In Process");
    assert_eq!(app.fake.count("Opportunity"), 2);
}
on_every_backend!(a_transient_failure_is_retried_and_then_succeeds);

async fn a_rejection_is_parked_with_its_reason_while_the_next_order_still_syncs(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.fake.add_validation_rule(
        "Opportunity",
        "StageName",
        "Proposal/Price Quote",
        "Purchase orders need a credit check first",
    );
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hamilton").await;
    let po = app
        .order(customer)
        .purchase_order("PO-5")
        .line(widget, 1, "9.00")
        .place()
        .await;
    let card = app.order(customer).line(widget, 1, "9.00").place().await;

    let report = app.drain(&app.worker(), 20).await;

    assert_eq!(report.parked, vec![order_sync::domain::OrderId(po)]);
    assert_eq!(app.status_of(card).await, "In Process");
    assert_eq!(app.status_of(po).await, "Order Placed");
    let d = app.store.order_detail(po).await.unwrap().unwrap();
    assert_eq!(d.sync_state.as_deref(), Some("parked"));
    assert_eq!(
        d.last_error_code.as_deref(),
        Some("FIELD_CUSTOM_VALIDATION_EXCEPTION")
    );
    assert!(
        d.last_error
            .unwrap()
            .contains("Purchase orders need a credit check first")
    );
}
on_every_backend!(a_rejection_is_parked_with_its_reason_while_the_next_order_still_syncs);

async fn a_parked_order_waits_until_a_rep_retries_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let missing = app.product("NEW-7", "standard", false).await;
    let customer = app.customer("Noether").await;
    let id = app.order(customer).line(missing, 1, "9.00").place().await;
    let worker = app.worker();

    let first = app.drain(&worker, 10).await;
    let again = app.drain(&worker, 10).await;
    app.fake.add_product("NEW-7", "New gauge", "9.00");
    let retried = app.store.retry_order(id, "rep").await.expect("retry");

    assert_eq!(first.parked.len(), 1);
    assert_eq!(
        again.claimed, 0,
        "parked orders are not retried by themselves"
    );
    let reason = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .last_error
        .unwrap();
    assert!(reason.contains("SKU NEW-7 has no active entry"), "{reason}");
    assert!(retried);
    let after = app.drain(&worker, 10).await;
    assert_eq!(after.sent.len(), 1);
    assert_eq!(app.status_of(id).await, "In Process");
}
on_every_backend!(a_parked_order_waits_until_a_rep_retries_it);

async fn bad_order_data_in_the_store_is_parked_with_a_plain_reason(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Curie").await;
    let no_lines = app.order(customer).place().await;
    let zero_qty = app.order(customer).line(widget, 0, "1.00").place().await;
    let negative = app.order(customer).line(widget, 1, "-1.00").place().await;
    let typo = app
        .order(customer)
        .edit(|o| o.payment_method = Some("cheque".into()))
        .line(widget, 1, "1.00")
        .place()
        .await;
    let good = app.order(customer).line(widget, 1, "1.00").place().await;

    app.drain(&app.worker(), 20).await;

    let reason = |id| reason_of(&app, id);
    assert_eq!(reason(no_lines).await, "the order has no lines");
    assert!(reason(zero_qty).await.contains("quantity 0"));
    assert!(reason(negative).await.contains("negative price"));
    assert!(
        reason(typo)
            .await
            .contains("unknown payment method \"cheque\"")
    );
    assert_eq!(app.status_of(good).await, "In Process");
    assert_eq!(
        app.fake.count("Opportunity"),
        1,
        "bad orders never reach Salesforce"
    );
}
async fn reason_of(app: &TestApp, id: i64) -> String {
    app.store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .last_error
        .unwrap_or_default()
}

on_every_backend!(bad_order_data_in_the_store_is_parked_with_a_plain_reason);

async fn an_expired_token_is_renewed_once_and_the_orders_still_sync(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        &[("ORDER_SYNC__SYNC__MAX_GRAPHS_PER_REQUEST", "1")],
    )
    .await
    else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Lamarr").await;
    let worker = app.worker();
    app.order(customer).line(widget, 1, "1.00").place().await;
    app.drain(&worker, 5).await;
    for _ in 0..5 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    let tokens_before = app.fake.token_requests();

    app.fake.expire_tokens();
    let report = worker.run_pass().await.expect("pass");

    assert_eq!(
        report.sent.len(),
        5,
        "five graph requests, all 401 at first, all replayed"
    );
    assert_eq!(
        app.fake.token_requests() - tokens_before,
        1,
        "one renewal for the whole burst"
    );
}
on_every_backend!(an_expired_token_is_renewed_once_and_the_orders_still_sync);

#[tokio::test]
async fn bad_credentials_stop_the_process_with_a_fatal_error() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    app.fake
        .with_client_credentials("test-client", "another-secret");

    let err = app.salesforce.connect().await.expect_err("refused");

    assert_eq!(err.class, ErrorClass::Fatal);
    assert_eq!(err.code.as_deref(), Some("invalid_client"));
}
