//! Salesforce Orders are activated once their products exist; a re-send leaves an activated
//! Order and its products alone; `check` knows the activation status value.

use fake_salesforce::{FaultKind, Faults, StatusCategory};
use order_sync::check::checklist;

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn a_card_order_is_sent_and_its_salesforce_order_is_activated_with_its_items(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Lovelace").await;
    let id = app
        .order(customer)
        .line(widget, 2, "19.99")
        .line(widget, 1, "5.01")
        .place()
        .await;

    let report = app.worker().run_until_idle().await.expect("pass");

    assert_eq!(report.sent.len(), 1);
    assert_eq!(app.status_of(id).await, "In Process");
    let order = app.fake.find("Order", "Store_Order_Id__c", &id.to_string());
    assert_eq!(order.len(), 1);
    assert_eq!(order[0].fields["Status"], "Activated");
    assert_eq!(order[0].fields["StatusCode"], "Activated");
    assert_eq!(app.fake.find("OrderItem", "OrderId", &order[0].id).len(), 2);
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    assert_eq!(detail.sf_order_id.as_deref(), Some(order[0].id.as_str()));
}
on_every_backend!(a_card_order_is_sent_and_its_salesforce_order_is_activated_with_its_items);

async fn a_resend_leaves_the_activated_order_and_its_items_alone_and_still_succeeds(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hopper").await;
    let worker = app.worker();
    app.order(customer).line(widget, 1, "1.00").place().await;
    app.drain(&worker, 5).await; // warms the caches so the next call is the graph
    let id = app
        .order(customer)
        .purchase_order("PO-7")
        .line(widget, 4, "2.50")
        .line(widget, 1, "3.00")
        .place()
        .await;

    // Salesforce applies the graph (the Order is activated), then the answer is lost.
    app.fake
        .set_faults(Faults::always(FaultKind::DropAfterApply));
    let first = worker.run_pass().await.expect("pass");
    app.fake.set_faults(Faults::default());
    let order = app.fake.find("Order", "Store_Order_Id__c", &id.to_string());
    let items_before = app.fake.find("OrderItem", "OrderId", &order[0].id);
    let after = app.drain(&worker, 50).await;

    assert_eq!(first.retrying.len(), 1, "the lost answer is retried");
    assert_eq!(after.sent.len(), 1, "the re-send succeeds");
    assert!(after.parked.is_empty());
    assert_eq!(app.status_of(id).await, "Awaiting Payment");
    let order_after = app.fake.find("Order", "Store_Order_Id__c", &id.to_string());
    assert_eq!(order_after.len(), 1);
    assert_eq!(order_after[0].fields["Status"], "Activated");
    assert_eq!(
        order_after[0].fields["LastModifiedDate"], order[0].fields["LastModifiedDate"],
        "the activated Order was not written again"
    );
    let items_after = app.fake.find("OrderItem", "OrderId", &order[0].id);
    assert_eq!(
        items_after.iter().map(|r| &r.fields).collect::<Vec<_>>(),
        items_before.iter().map(|r| &r.fields).collect::<Vec<_>>(),
        "its products were left alone"
    );
    let detail = app.store.order_detail(id).await.unwrap().unwrap();
    assert_eq!(
        detail.sf_order_id.as_deref(),
        Some(order[0].id.as_str()),
        "the Order id is still written back"
    );
}
on_every_backend!(a_resend_leaves_the_activated_order_and_its_items_alone_and_still_succeeds);

async fn with_activation_off_the_order_stays_draft(backend: Backend) {
    let env = [("ORDER_SYNC__SALESFORCE__ACTIVATE_ORDERS", "false")];
    let Some(app) = TestApp::spawn_with(backend, &env).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Turing").await;
    let id = app.order(customer).line(widget, 1, "4.00").place().await;

    app.worker().run_until_idle().await.expect("pass");

    assert_eq!(app.status_of(id).await, "In Process");
    let order = app.fake.find("Order", "Store_Order_Id__c", &id.to_string());
    assert_eq!(order[0].fields["Status"], "Draft");
    assert_eq!(app.fake.find("OrderItem", "OrderId", &order[0].id).len(), 1);
}
on_every_backend!(with_activation_off_the_order_stays_draft);

async fn check_reports_a_missing_or_draft_category_activation_status(backend: Backend) {
    let env = [("ORDER_SYNC__SALESFORCE__ACTIVATED_STATUS", "Booked")];
    let Some(app) = TestApp::spawn_with(backend, &env).await else {
        return;
    };
    app.product("WIDGET-1", "standard", true).await;

    let missing = checklist(&app.settings).await;
    app.fake.add_order_status("Booked", StatusCategory::Draft);
    let draft = checklist(&app.settings).await;
    app.fake
        .add_order_status("Booked2", StatusCategory::Activated);
    let mut good_settings = app.settings.clone();
    good_settings.salesforce.activated_status = "Booked2".into();
    let good = checklist(&good_settings).await;

    let failed: Vec<_> = missing.iter().filter(|i| !i.ok).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].label.contains("\"Booked\""),
        "{}",
        failed[0].label
    );
    assert!(
        failed[0].label.contains("does not exist"),
        "{}",
        failed[0].label
    );
    assert!(
        failed[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("Activated"),
        "{failed:#?}"
    );
    let failed: Vec<_> = draft.iter().filter(|i| !i.ok).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].label.contains("Draft category"),
        "{}",
        failed[0].label
    );
    assert!(good.iter().all(|i| i.ok), "{good:#?}");
    assert!(
        good.iter().any(|i| i.label.contains("\"Booked2\" exists")),
        "{good:#?}"
    );
}
on_every_backend!(check_reports_a_missing_or_draft_category_activation_status);
