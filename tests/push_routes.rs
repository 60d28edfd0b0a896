//! Each route, and the statuses that are never sent.

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn each_route_moves_the_order_on_with_one_history_row(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Lovelace").await;
    let card = app
        .order(customer)
        .line(widget, 2, "19.99")
        .line(widget, 1, "5.01")
        .place()
        .await;
    let po = app
        .order(customer)
        .purchase_order("PO-1")
        .line(widget, 3, "10.00")
        .place()
        .await;
    let repair = app.order(customer).line(eval, 1, "0.00").place().await;

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.sent.len(), 3);
    assert_eq!(app.status_of(card).await, "In Process");
    assert_eq!(app.status_of(po).await, "Awaiting Payment");
    assert_eq!(app.status_of(repair).await, "Awaiting Evaluation");
    for id in [card, po, repair] {
        let history = app.history(id).await;
        assert_eq!(history.len(), 1, "one history row per change");
        assert_eq!(history[0].from_status.as_deref(), Some("Order Placed"));
        assert_eq!(history[0].actor.as_deref(), Some("test-worker"));
        assert!(
            history[0]
                .reason
                .as_deref()
                .unwrap_or("")
                .contains("Opportunity")
        );
    }
    assert_eq!(app.fake.count("Opportunity"), 3);
    assert_eq!(app.fake.count("Quote"), 3);
    assert_eq!(app.fake.count("QuoteLineItem"), 4);
    assert_eq!(
        app.fake.count("Order"),
        2,
        "an evaluation gets no Salesforce Order yet"
    );
    assert_eq!(app.fake.count("OrderItem"), 3);
    assert_eq!(app.fake.count("Account"), 1, "one customer, one Account");
}
on_every_backend!(each_route_moves_the_order_on_with_one_history_row);

async fn the_opportunity_carries_the_exact_amount_and_the_routes_stage(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hopper").await;
    let po = app
        .order(customer)
        .purchase_order("PO-9")
        .line(widget, 3, "0.10")
        .line(widget, 1, "249.99")
        .place()
        .await;

    app.worker().run_until_idle().await.expect("pass");

    let opp = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &po.to_string());
    assert_eq!(opp.len(), 1);
    assert_eq!(opp[0].fields["Amount"].to_string(), "250.29");
    assert_eq!(opp[0].fields["StageName"], "Proposal/Price Quote");
    let order = app.fake.find("Order", "Store_Order_Id__c", &po.to_string());
    assert_eq!(order[0].fields["PoNumber"], "PO-9");
    assert_eq!(order[0].fields["Status"], "Activated");
}
on_every_backend!(the_opportunity_carries_the_exact_amount_and_the_routes_stage);

async fn incomplete_and_other_statuses_are_never_sent(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Turing").await;
    let mut ids = Vec::new();
    for status in [
        "Incomplete",
        "In Process",
        "Completed",
        "Canceled",
        "Awaiting Payment",
        "Awaiting Customer Approval",
    ] {
        ids.push((
            status,
            app.order(customer)
                .status(status)
                .line(widget, 1, "1.00")
                .place()
                .await,
        ));
    }

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.claimed, 0);
    assert_eq!(app.fake.count("Opportunity"), 0);
    assert_eq!(app.fake.count("Account"), 0);
    for (status, id) in ids {
        assert_eq!(app.status_of(id).await, status);
        assert!(app.history(id).await.is_empty());
    }
}
on_every_backend!(incomplete_and_other_statuses_are_never_sent);

async fn sending_the_same_orders_again_updates_instead_of_duplicating(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("O'Brien").await;
    app.order(customer)
        .line(widget, 2, "3.00")
        .line(widget, 1, "4.00")
        .place()
        .await;
    app.order(customer)
        .purchase_order("PO-2")
        .line(widget, 1, "4.00")
        .place()
        .await;
    let claim = app
        .store
        .claim_due("resender", 10, 60_000)
        .await
        .expect("claim");
    let orders: Vec<_> = claim
        .orders
        .into_iter()
        .map(|c| c.raw.validate().expect("valid"))
        .collect();

    let first = app.salesforce.push(&orders, &Default::default()).await;
    // The second time round they count as re-sent, as after a lost answer or a crash.
    let resent = orders.iter().map(|o| o.id).collect();
    let second = app.salesforce.push(&orders, &resent).await;

    assert!(first.iter().chain(second.iter()).all(|(_, r)| r.is_ok()));
    assert_eq!(
        first
            .iter()
            .map(|(_, r)| r.clone().unwrap())
            .collect::<Vec<_>>(),
        second
            .iter()
            .map(|(_, r)| r.clone().unwrap())
            .collect::<Vec<_>>(),
        "same records both times"
    );
    assert_eq!(app.fake.count("Opportunity"), 2);
    assert_eq!(app.fake.count("OrderItem"), 3);
    assert_eq!(app.fake.count("QuoteLineItem"), 3);
    assert_eq!(app.fake.count("Contact"), 1);
}
on_every_backend!(sending_the_same_orders_again_updates_instead_of_duplicating);
