//! A crash or a lost answer at any moment never creates a duplicate in Salesforce.

use fake_salesforce::{FaultKind, Faults};
use order_sync::store::{Sent, WriteBack};

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn a_crash_after_salesforce_committed_and_before_the_store_commit_creates_no_duplicate(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hollerith").await;
    let id = app
        .order(customer)
        .line(widget, 2, "1.00")
        .line(widget, 3, "2.00")
        .place()
        .await;
    // Worker A claims with a 1 ms lease, writes to Salesforce, and dies before its store commit.
    let claim = app.store.claim_due("worker-a", 10, 1).await.expect("claim");
    let orders: Vec<_> = claim
        .orders
        .into_iter()
        .map(|c| c.raw.validate().expect("valid"))
        .collect();
    let pushed = app.salesforce.push(&orders, &Default::default()).await;
    assert!(pushed[0].1.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let report = app.drain(&app.another_worker("worker-b"), 10).await;
    let late = Sent {
        order_id: orders[0].id,
        attempt: 1,
        route: orders[0].route(),
        ids: pushed[0].1.clone().unwrap(),
        actor: "worker-a".into(),
    };
    let late_write = app
        .store
        .record_sent(&claim.token, &late)
        .await
        .expect("write");

    assert_eq!(report.rescued, 1, "worker B took over A's expired lease");
    assert_eq!(report.sent.len(), 1);
    assert_eq!(
        late_write,
        WriteBack::LeaseLost,
        "A's late write-back is fenced off"
    );
    assert_eq!(app.status_of(id).await, "In Process");
    assert_eq!(app.history(id).await.len(), 1);
    assert_eq!(app.fake.count("Opportunity"), 1);
    assert_eq!(app.fake.count("Quote"), 1);
    assert_eq!(app.fake.count("Order"), 1);
    assert_eq!(app.fake.count("OrderItem"), 2);
    assert_eq!(app.fake.count("QuoteLineItem"), 2);
}
on_every_backend!(
    a_crash_after_salesforce_committed_and_before_the_store_commit_creates_no_duplicate
);

async fn an_answer_lost_after_salesforce_applied_it_is_resent_without_duplicates(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Lovelace").await;
    let worker = app.worker();
    app.order(customer).line(widget, 1, "1.00").place().await;
    app.drain(&worker, 5).await; // warms the price-book cache so the next call is the graph
    let id = app
        .order(customer)
        .purchase_order("PO-3")
        .line(widget, 4, "1.00")
        .place()
        .await;

    app.fake
        .set_faults(Faults::always(FaultKind::DropAfterApply));
    let first = worker.run_pass().await.expect("pass");
    app.fake.set_faults(Faults::default());
    let after = app.drain(&worker, 50).await;

    assert_eq!(
        first.retrying.len(),
        1,
        "the lost answer is a transient failure"
    );
    assert_eq!(after.sent.len(), 1);
    assert_eq!(app.status_of(id).await, "Awaiting Payment");
    assert_eq!(
        app.fake
            .find("Opportunity", "Store_Order_Id__c", &id.to_string())
            .len(),
        1
    );
    assert_eq!(
        app.fake
            .find("Order", "Store_Order_Id__c", &id.to_string())
            .len(),
        1
    );
    assert_eq!(app.fake.count("OrderItem"), 2);
}
on_every_backend!(an_answer_lost_after_salesforce_applied_it_is_resent_without_duplicates);

async fn a_stale_worker_cannot_release_or_park_an_order_another_worker_holds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Stale").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let stale = app.store.claim_due("worker-a", 10, 1).await.expect("claim");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let live = app
        .store
        .claim_due("worker-b", 10, 60_000)
        .await
        .expect("rescue");
    assert_eq!(live.orders.len(), 1, "b took the expired lease over");
    let order = order_sync::domain::OrderId(id);
    let transient = order_sync::store::Failure::Transient {
        next_attempt_at: 0,
        code: None,
        message: "late".into(),
    };
    let rejected = order_sync::store::Failure::Rejected {
        code: None,
        message: "late".into(),
    };

    let released = app
        .store
        .record_failure(&stale.token, order, 1, "worker-a", &transient)
        .await
        .unwrap();
    let parked = app
        .store
        .record_failure(&stale.token, order, 1, "worker-a", &rejected)
        .await
        .unwrap();

    assert_eq!(released, WriteBack::LeaseLost);
    assert_eq!(parked, WriteBack::LeaseLost);
    let d = app.store.order_detail(id).await.unwrap().unwrap();
    assert_eq!(
        d.sync_state.as_deref(),
        Some("pending"),
        "not parked by the stale worker"
    );
    assert!(
        d.last_error.is_none(),
        "nothing of the stale worker's was written"
    );
    let again = app.store.claim_order("worker-c", id, 60_000).await.unwrap();
    assert!(
        again.is_none(),
        "b's lease is still live: the stale worker did not release it"
    );
}
on_every_backend!(a_stale_worker_cannot_release_or_park_an_order_another_worker_holds);
