//! Several workers on one store, and a Salesforce that fails a fifth of the time.

use std::collections::HashSet;

use fake_salesforce::{FaultKind, Faults};

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn two_workers_never_send_one_order_twice(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("ORDER_SYNC__SYNC__BATCH_SIZE", "5")]).await
    else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Shannon").await;
    let mut ids = HashSet::new();
    for i in 0..40 {
        let b = app.order(customer).line(widget, 1 + i % 3, "2.50");
        let b = if i % 4 == 0 {
            b.purchase_order("PO-X")
        } else {
            b
        };
        ids.insert(b.place().await);
    }
    let (a, b) = (
        app.another_worker("replica-a"),
        app.another_worker("replica-b"),
    );

    let (ra, rb) = tokio::join!(app.drain(&a, 100), app.drain(&b, 100));

    let sent_a: HashSet<i64> = ra.sent.iter().map(|(id, _)| id.0).collect();
    let sent_b: HashSet<i64> = rb.sent.iter().map(|(id, _)| id.0).collect();
    assert!(
        sent_a.is_disjoint(&sent_b),
        "an order was sent by both workers"
    );
    assert_eq!(&sent_a | &sent_b, ids);
    assert_eq!(
        ra.claimed + rb.claimed,
        40,
        "each order claimed exactly once"
    );
    assert_eq!(app.fake.count("Opportunity"), 40);
    assert_eq!(app.fake.count("Order"), 40);
}
on_every_backend!(two_workers_never_send_one_order_twice);

async fn with_a_fifth_of_requests_failing_every_order_still_ends_routed_exactly_once(
    backend: Backend,
) {
    let env = [
        ("ORDER_SYNC__SALESFORCE__REQUEST_TIMEOUT", "700ms"),
        ("ORDER_SYNC__SYNC__MAX_GRAPHS_PER_REQUEST", "4"),
    ];
    let Some(app) = TestApp::spawn_with(backend, &env).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let gadget = app.product("GADGET-2", "standard", true).await;
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Hopper").await;
    let mut expected = Vec::new();
    for i in 0..45 {
        let (b, status) = match i % 3 {
            0 => (
                app.order(customer)
                    .line(widget, 1, "1.00")
                    .line(gadget, 2, "3.00"),
                "In Process",
            ),
            1 => (
                app.order(customer)
                    .purchase_order("PO-7")
                    .line(gadget, 1, "3.00"),
                "Awaiting Payment",
            ),
            _ => (
                app.order(customer).line(eval, 1, "0.00"),
                "Awaiting Evaluation",
            ),
        };
        expected.push((b.place().await, status));
    }
    let faults = Faults::new(0.2, FaultKind::ALL.to_vec())
        .with_seed(7)
        .with_slow_by(std::time::Duration::from_millis(900));
    app.fake.set_faults(faults);
    let (a, b) = (app.another_worker("chaos-a"), app.another_worker("chaos-b"));

    let (ra, rb) = tokio::join!(app.drain(&a, 400), app.drain(&b, 400));
    app.fake.set_faults(Faults::default());
    let rest = app.drain(&a, 100).await;

    let injected: u64 = app.fake.faults_injected().values().sum();
    assert!(injected > 0, "faults were injected");
    assert!(
        ra.parked.is_empty() && rb.parked.is_empty() && rest.parked.is_empty(),
        "transient faults never park an order"
    );
    for (id, status) in &expected {
        assert_eq!(&app.status_of(*id).await, status);
        assert_eq!(
            app.history(*id).await.len(),
            1,
            "order {id} moved exactly once"
        );
    }
    assert_eq!(app.fake.count("Opportunity"), 45);
    assert_eq!(app.fake.count("Quote"), 45);
    assert_eq!(app.fake.count("Order"), 30);
    assert_eq!(app.fake.count("OrderItem"), 15 * 2 + 15);
    assert_eq!(app.fake.count("QuoteLineItem"), 15 * 2 + 15 + 15);
}
on_every_backend!(with_a_fifth_of_requests_failing_every_order_still_ends_routed_exactly_once);

async fn graphs_salesforce_halts_after_fourteen_failures_are_retried_not_parked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Halted").await;
    app.fake.add_validation_rule(
        "Opportunity",
        "StageName",
        "Closed Won",
        "No card orders today",
    );
    let ids: Vec<i64> = place_card_orders(&app, customer, widget, 20).await;
    let worker = app.worker();

    let first = worker.run_pass().await.expect("pass");
    let rest = app.drain(&worker, 10).await;

    assert_eq!(
        first.parked.len(),
        14,
        "Salesforce reports 14 failures per request"
    );
    assert_eq!(
        first.retrying.len(),
        6,
        "the halted graphs go again: {first:?}"
    );
    assert_eq!(rest.parked.len(), 6);
    for id in ids {
        let d = app.store.order_detail(id).await.unwrap().unwrap();
        let reason = d.last_error.unwrap_or_default();
        assert!(
            reason.contains("No card orders today"),
            "order {id}: the real cause, not PROCESSING_HALTED: {reason}"
        );
    }
}
on_every_backend!(graphs_salesforce_halts_after_fourteen_failures_are_retried_not_parked);

/// `count` one-line card orders for `customer`.
async fn place_card_orders(app: &TestApp, customer: i64, product: i64, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..count {
        ids.push(app.order(customer).line(product, 1, "1.00").place().await);
    }
    ids
}
