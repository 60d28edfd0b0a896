//! The store's statuses as they are: several codes may stand for one of the eight, and codes
//! the mapping does not list are the store's own business, never a failure.

use chrono::{Duration, Utc};

use crate::helpers::{Backend, TestApp, on_every_backend};
use order_sync::sync::{Lifecycle, Worker};

/// A store whose Completed is "Completed" or "Shipped", whose Order Placed is also "Pending",
/// and which has statuses of its own ("On hold"); one card and one purchase order routed.
async fn store_with_aliases(backend: Backend) -> Option<(TestApp, Worker, i64, i64)> {
    let app = TestApp::spawn_with(
        backend,
        &[
            (
                "ORDER_SYNC__STORE__STATUSES__COMPLETED",
                "Completed, Shipped",
            ),
            (
                "ORDER_SYNC__STORE__STATUSES__ORDER_PLACED",
                "Order Placed,Pending",
            ),
            ("ORDER_SYNC__LIFECYCLE__OVERLAP", "0s"),
        ],
    )
    .await?;
    let widget = app.product("WIDGET", "standard", true).await;
    let customer = app.customer("Okafor").await;
    let card = app.order(customer).line(widget, 2, "19.99").place().await;
    let po = app
        .order(customer)
        .status("Pending")
        .purchase_order("PO-7")
        .line(widget, 1, "19.99")
        .place()
        .await;
    let worker = app.worker();
    app.drain(&worker, 5).await;
    Some((app, worker, card, po))
}

fn lifecycle(app: &TestApp, worker: &Worker) -> Lifecycle {
    order_sync::app::lifecycle_for(&app.settings, worker)
}

async fn an_order_placed_under_a_second_code_is_sent_and_moved_on(backend: Backend) {
    let Some((app, _, _, po)) = store_with_aliases(backend).await else {
        return;
    };
    assert_eq!(app.status_of(po).await, "Awaiting Payment");
    assert!(
        app.sf_field("Opportunity", po, "StageName").is_some(),
        "the order in \"Pending\" reached Salesforce"
    );
}
on_every_backend!(an_order_placed_under_a_second_code_is_sent_and_moved_on);

async fn a_shipped_order_is_completed_and_its_deal_closed_won(backend: Backend) {
    let Some((app, worker, _, po)) = store_with_aliases(backend).await else {
        return;
    };
    app.admin_sets_status(po, "Shipped").await;

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(pass.shown, vec![order_sync::domain::OrderId(po)]);
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Closed Won")
    );
    let counts = app.store.status_counts().await.expect("counts");
    assert!(
        counts.by_status.contains(&("Completed".to_string(), 1))
            && counts.unknown_statuses.is_empty(),
        "Shipped is counted as Completed: {counts:?}"
    );
}
on_every_backend!(a_shipped_order_is_completed_and_its_deal_closed_won);

async fn an_order_moved_to_a_status_of_the_stores_own_is_left_alone(backend: Backend) {
    let Some((app, worker, card, po)) = store_with_aliases(backend).await else {
        return;
    };
    // An administrator cancels, then thinks better of it and holds the order: by the time the
    // change is sent, the store's status is one the mapping does not list.
    app.admin_sets_status(card, "Canceled").await;
    let life = lifecycle(&app, &worker);
    let queued = app
        .store
        .detect_changes(Duration::zero(), 100)
        .await
        .expect("look");
    assert_eq!(queued.queued, 1);
    app.admin_sets_status(card, "On hold").await;
    app.admin_sets_status(po, "On hold").await;

    let pass = life.run_pass().await.expect("pass");

    assert!(pass.shown.is_empty(), "{pass:?}");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won"),
        "Salesforce stays as it was"
    );
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Proposal/Price Quote")
    );
    let parked = app.store.parked_changes().await.expect("parked");
    assert!(parked.is_empty(), "nothing parked: {parked:?}");
    let stuck = app
        .store
        .stuck_orders(Utc::now() - Duration::minutes(10))
        .await
        .expect("stuck");
    assert!(stuck.is_empty(), "nothing stuck: {stuck:?}");
    let story = app.store.order_attempts(card).await.expect("attempts");
    assert!(
        story.iter().any(|a| a.outcome == "status_left"
            && a.message
                .as_deref()
                .is_some_and(|m| m.contains("\"On hold\"")
                    && m.contains("[store.statuses]")
                    && m.contains("Salesforce stays as it is"))),
        "orders show says why nothing was sent: {story:?}"
    );
    let again = life.run_pass().await.expect("pass");
    assert!(again.shown.is_empty() && again.queued == 0, "{again:?}");
}
on_every_backend!(an_order_moved_to_a_status_of_the_stores_own_is_left_alone);
