//! The re-send queue without a manual command: `run`'s push loop and `once` drain it; a re-send
//! Salesforce refuses parks with its reason, is listed stuck, and a rep's Retry queues it again.

use std::time::Duration;

use order_sync::domain::OrderId;
use order_sync::salesforce::Salesforce;
use order_sync::sync::{Watchdog, Worker};
use serde_json::json;

use crate::field_mapping::settings_from;
use crate::helpers::{Backend, TestApp, on_every_backend};
use crate::lifecycle::{lifecycle, store_with_routed_orders};

/// An admin deletes the order's Opportunity in Salesforce; its id.
fn delete_opportunity(app: &TestApp, order_id: i64) -> String {
    let found = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &order_id.to_string());
    app.fake.delete_record("Opportunity", &found[0].id);
    found[0].id.clone()
}

/// A worker whose re-sends give every Opportunity a partner Account an admin has deleted.
fn worker_naming_a_deleted_account(app: &TestApp) -> Worker {
    app.fake
        .add_field("Opportunity", "Referral_Account__c", "reference");
    let partner = app
        .fake
        .insert_duplicate("Account", json!({ "Name": "Old partner" }));
    app.fake.delete_record("Account", &partner);
    let mapping =
        format!("[salesforce.mapping.Opportunity]\nReferral_Account__c = \"{partner}\"\n");
    let settings = settings_from(app, &mapping, &[]).expect("valid mapping");
    let sf = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)
        .expect("client");
    order_sync::app::worker_with(&settings, app.store.clone(), sf)
}

async fn a_resend_naming_a_wrong_reference_parks_with_its_reason_until_a_rep_retries(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let misconfigured = worker_naming_a_deleted_account(&app);
    delete_opportunity(&app, card);
    app.admin_sets_status(card, "Completed").await;
    let healed = lifecycle(&app, &worker).run_pass().await.expect("pass");

    let refused = misconfigured
        .resend_until_idle(|_, _| {})
        .await
        .expect("pass");
    let again = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(healed.resent, vec![OrderId(card)], "{healed:?}");
    assert_eq!(refused.parked, vec![OrderId(card)], "{refused:?}");
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sync_state.as_deref(), Some("parked"));
    let reason = d.last_error.unwrap_or_default();
    assert!(reason.contains("INVALID_CROSS_REFERENCE_KEY"), "{reason}");
    assert!(
        again.resent.is_empty() && again.queued == 0,
        "not healed again by itself: {again:?}"
    );
    assert_eq!(app.store.resends_waiting().await.unwrap(), 0);
    let stuck = app.store.stuck_orders(chrono::Utc::now()).await.unwrap();
    let listed = stuck.iter().find(|o| o.id == card).expect("listed stuck");
    assert!(
        listed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("INVALID_CROSS_REFERENCE_KEY")),
        "{listed:?}"
    );
    let watchdog = Watchdog::new(app.store.clone(), None, app.settings.alerts.clone());
    let alerts = watchdog.run_pass().await.expect("check");
    assert!(alerts.raised.contains(&card), "{alerts:?}");

    // The mapping fixed, a rep retries: the order is written again as it is now.
    assert!(app.store.retry_order(card, "rep").await.expect("retry"));
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sync_state.as_deref(), Some("resend"));
    let retried = worker.resend_until_idle(|_, _| {}).await.expect("pass");
    assert_eq!(retried.sent.len(), 1, "{retried:?}");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won")
    );
    let cleared = watchdog.run_pass().await.expect("check");
    assert!(cleared.cleared.contains(&card), "{cleared:?}");
}
on_every_backend!(a_resend_naming_a_wrong_reference_parks_with_its_reason_until_a_rep_retries);

async fn retry_all_parked_queues_parked_resends_again_and_other_parked_orders_as_pending(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let missing = app.product("GONE-1", "standard", false).await;
    let customer = app.customer("Nakamura").await;
    let unsent = app.order(customer).line(missing, 1, "5.00").place().await;
    app.drain(&worker, 5).await; // parked: no price-book entry
    let misconfigured = worker_naming_a_deleted_account(&app);
    app.store
        .queue_resend(OrderId(card), "test", "reconcile: the amount differs")
        .await
        .expect("queue");
    misconfigured
        .resend_until_idle(|_, _| {})
        .await
        .expect("pass");

    let retried = app.store.retry_all_parked("rep").await.expect("retry");

    assert_eq!(retried, 2);
    let state = |id| {
        let store = app.store.clone();
        async move { store.order_detail(id).await.unwrap().unwrap().sync_state }
    };
    assert_eq!(state(card).await.as_deref(), Some("resend"));
    assert_eq!(state(unsent).await.as_deref(), Some("pending"));
}
on_every_backend!(retry_all_parked_queues_parked_resends_again_and_other_parked_orders_as_pending);

async fn a_refused_resend_the_store_then_moves_on_is_written_again_with_its_new_status(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let misconfigured = worker_naming_a_deleted_account(&app);
    delete_opportunity(&app, card);
    app.admin_sets_status(card, "Completed").await;
    lifecycle(&app, &worker).run_pass().await.expect("pass");
    misconfigured
        .resend_until_idle(|_, _| {})
        .await
        .expect("pass");
    app.admin_sets_status(card, "Canceled").await;

    let moved = lifecycle(&app, &worker).run_pass().await.expect("pass");
    let resent = worker.resend_until_idle(|_, _| {}).await.expect("pass");

    assert_eq!(moved.resent, vec![OrderId(card)], "{moved:?}");
    assert_eq!(resent.sent.len(), 1, "{resent:?}");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Lost")
    );
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sync_state.as_deref(), Some("done"));
    assert!(d.sf_opportunity_id.is_some(), "not taken for never sent");
}
on_every_backend!(a_refused_resend_the_store_then_moves_on_is_written_again_with_its_new_status);

#[tokio::test]
async fn the_push_loop_sends_queued_resends_when_no_new_order_waits() {
    let Some((app, worker, card, _)) = store_with_routed_orders(Backend::Sqlite).await else {
        return;
    };
    let deleted = delete_opportunity(&app, card);
    app.store
        .queue_resend(OrderId(card), "test", "reconcile: the Opportunity is gone")
        .await
        .expect("queue");
    let cancel = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn({
        let (worker, cancel) = (worker.clone(), cancel.clone());
        async move { worker.run(cancel).await }
    });

    let mut waited = Duration::ZERO;
    while app.store.resends_waiting().await.unwrap() > 0 && waited < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    cancel.cancel();
    running.await.expect("join").expect("no fatal error");

    let found = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &card.to_string());
    assert_eq!(found.len(), 1, "written again by the running loop");
    assert_ne!(found[0].id, deleted);
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sync_state.as_deref(), Some("done"));
}

#[tokio::test]
async fn once_sends_what_a_status_change_queued_without_a_manual_command() {
    let Some((app, _, card, _)) = store_with_routed_orders(Backend::Sqlite).await else {
        return;
    };
    let deleted = delete_opportunity(&app, card);
    app.admin_sets_status(card, "Completed").await;

    let run = app.run_cli(&["once"], &[]).await;

    assert_eq!(run.code, Some(0), "{}", run.output);
    let found = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &card.to_string());
    assert_eq!(found.len(), 1, "{}", run.output);
    assert_ne!(found[0].id, deleted);
    assert_eq!(found[0].fields["StageName"], "Closed Won");
}

#[tokio::test]
async fn linking_a_deleted_record_says_there_is_no_such_record() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let missing = app.product("GONE-1", "standard", false).await;
    let customer = app.customer("Noyce").await;
    let id = app.order(customer).line(missing, 1, "5.00").place().await;
    app.drain(&app.worker(), 5).await; // parked: no price-book entry
    let fields =
        json!({ "Name": "By hand", "StageName": "Prospecting", "CloseDate": "2026-11-26" });
    let deleted = app.fake.insert_duplicate("Opportunity", fields);
    app.fake.delete_record("Opportunity", &deleted);

    let records = order_sync::link::HandEntered {
        opportunity: deleted.clone(),
        ..Default::default()
    };
    let err = order_sync::link::run(app.settings.clone(), &id.to_string(), records)
        .await
        .expect_err("refused");

    assert!(
        err.to_string()
            .contains(&format!("there is no Opportunity with id {deleted}")),
        "{err}"
    );
}
