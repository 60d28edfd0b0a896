//! Self-healing on the hot path: a later status change (or a reissue) that meets a record gone
//! from Salesforce looks it up by External ID and carries on — new ids adopted, or the order
//! written again as it is now — instead of parking the change.

use order_sync::domain::OrderId;

use crate::helpers::{Backend, TestApp, on_every_backend};
use crate::lifecycle::{lifecycle, store_with_routed_orders};

/// The id of the `object` record keyed by the store's order id (exactly one).
fn keyed(app: &TestApp, object: &str, order_id: i64) -> String {
    let found = app
        .fake
        .find(object, "Store_Order_Id__c", &order_id.to_string());
    assert_eq!(found.len(), 1, "one {object} for order {order_id}");
    found[0].id.clone()
}

/// What order-sync says it did with the order, oldest first: (outcome, message).
async fn story(app: &TestApp, order_id: i64) -> Vec<(String, String)> {
    let attempts = app.store.order_attempts(order_id).await.expect("attempts");
    attempts
        .into_iter()
        .map(|a| (a.outcome, a.message.unwrap_or_default()))
        .collect()
}

async fn a_deleted_opportunity_is_written_again_when_the_store_completes_the_order(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let deleted = keyed(&app, "Opportunity", card);
    app.fake.delete_record("Opportunity", &deleted);
    app.admin_sets_status(card, "Completed").await;

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    let resent = worker.resend_until_idle(|_, _| {}).await.expect("re-send");

    assert_eq!(pass.resent, vec![OrderId(card)], "{pass:?}");
    assert!(pass.parked.is_empty(), "{pass:?}");
    assert!(app.store.parked_changes().await.unwrap().is_empty());
    assert_eq!(resent.sent.len(), 1, "{resent:?}");
    let written = keyed(&app, "Opportunity", card);
    assert_ne!(written, deleted, "a new Opportunity");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won")
    );
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sf_opportunity_id.as_deref(), Some(written.as_str()));
    assert_eq!(d.sync_state.as_deref(), Some("done"));
    let said = story(&app, card).await;
    let queued = said
        .iter()
        .find(|(o, _)| o == "resend_queued")
        .expect("why");
    assert!(
        queued.1.contains(&deleted) && queued.1.contains("deleted"),
        "{said:?}"
    );
    assert!(said.iter().any(|(o, _)| o == "resent"), "{said:?}");
    let again = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(again.queued, 0, "Salesforce shows Completed now: {again:?}");
}
on_every_backend!(a_deleted_opportunity_is_written_again_when_the_store_completes_the_order);

async fn after_a_sandbox_refresh_status_changes_adopt_the_new_ids_in_one_lookup(backend: Backend) {
    let Some((app, worker, card, po)) = store_with_routed_orders(backend).await else {
        return;
    };
    app.fake.sandbox_refresh();
    app.admin_sets_status(card, "Canceled").await;
    app.admin_sets_status(po, "Canceled").await;
    let calls = app.fake.api_calls();

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(pass.shown.len(), 2, "{pass:?}");
    assert_eq!(pass.adopted.len(), 2, "{pass:?}");
    assert!(pass.resent.is_empty() && pass.parked.is_empty(), "{pass:?}");
    assert_eq!(
        app.fake.api_calls() - calls,
        3,
        "the updates, one lookup for both orders, the updates again"
    );
    assert_eq!(app.store.resends_waiting().await.unwrap(), 0);
    assert_eq!(app.fake.count("Opportunity"), 2, "no duplicates");
    assert_eq!(app.fake.count("Order"), 2, "no duplicates");
    for id in [card, po] {
        let d = app.store.order_detail(id).await.unwrap().unwrap();
        assert_eq!(d.sf_opportunity_id, Some(keyed(&app, "Opportunity", id)));
        assert_eq!(d.sf_order_id, Some(keyed(&app, "Order", id)));
        assert_eq!(
            app.sf_field("Opportunity", id, "StageName").as_deref(),
            Some("Closed Lost")
        );
        assert_eq!(
            app.sf_field("Order", id, "Status").as_deref(),
            Some("Cancelled")
        );
        let said = story(&app, id).await;
        assert!(
            said.iter()
                .any(|(o, m)| o == "reconciled" && m.contains("new id")),
            "{said:?}"
        );
    }
}
on_every_backend!(after_a_sandbox_refresh_status_changes_adopt_the_new_ids_in_one_lookup);

async fn a_deleted_salesforce_order_is_written_again_with_the_status_the_store_has(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let opportunity = keyed(&app, "Opportunity", card);
    let deleted = keyed(&app, "Order", card);
    app.fake.delete_record("Order", &deleted);
    app.admin_sets_status(card, "Canceled").await;

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    let resent = worker.resend_until_idle(|_, _| {}).await.expect("re-send");

    assert_eq!(pass.resent, vec![OrderId(card)], "{pass:?}");
    assert_eq!(resent.sent.len(), 1, "{resent:?}");
    let written = keyed(&app, "Order", card);
    assert_ne!(written, deleted);
    assert_eq!(
        app.sf_field("Order", card, "Status").as_deref(),
        Some("Cancelled")
    );
    assert_eq!(app.fake.find("OrderItem", "OrderId", &written).len(), 1);
    assert_eq!(keyed(&app, "Opportunity", card), opportunity, "kept");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Lost")
    );
    let d = app.store.order_detail(card).await.unwrap().unwrap();
    assert_eq!(d.sf_order_id.as_deref(), Some(written.as_str()));
}
on_every_backend!(a_deleted_salesforce_order_is_written_again_with_the_status_the_store_has);

async fn a_reissue_whose_accepted_quote_was_deleted_writes_a_new_quote_instead_of_parking(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Hodgkin").await;
    let id = app.order(customer).line(eval, 2, "0.00").place().await;
    let worker = app.worker();
    let repairer = app.repairer(&worker);
    app.drain(&worker, 5).await;
    app.mark_evaluation_complete(id);
    repairer.run_pass().await.expect("repair pass");
    let accepted = app.accept_quote(id, Some("99.00"));
    let reissued = repairer.run_pass().await.expect("repair pass").reissued[0].1;
    // Before the reissue reaches Salesforce, an admin deletes the accepted quote.
    app.fake.delete_record("Quote", &accepted);

    let pushed = app.drain(&worker, 5).await;

    assert!(pushed.parked.is_empty(), "{pushed:?}");
    assert_eq!(app.status_of(reissued).await, "In Process");
    let quote = app.fake.find("Quote", "Store_Order_Id__c", &id.to_string());
    assert_eq!(quote.len(), 1);
    assert_eq!(
        quote[0].get("OpportunityId").and_then(|v| v.as_str()),
        Some(keyed(&app, "Opportunity", id).as_str())
    );
    let lines = app.fake.find("QuoteLineItem", "QuoteId", &quote[0].id);
    assert_eq!(lines.len(), 1, "the accepted prices, from the reissue");
    assert_eq!(lines[0].fields["UnitPrice"], 99.0);
    assert_eq!(app.fake.count("Opportunity"), 1);
}
on_every_backend!(a_reissue_whose_accepted_quote_was_deleted_writes_a_new_quote_instead_of_parking);

async fn a_change_made_while_the_order_waits_to_be_written_again_waits_for_it(backend: Backend) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    app.fake
        .delete_record("Opportunity", &keyed(&app, "Opportunity", card));
    app.admin_sets_status(card, "Completed").await;
    let healed = lifecycle(&app, &worker).run_pass().await.expect("pass");
    // The store moves it again before the re-send goes out.
    app.admin_sets_status(card, "Canceled").await;

    let waiting = lifecycle(&app, &worker).run_pass().await.expect("pass");
    worker.resend_until_idle(|_, _| {}).await.expect("re-send");
    tokio::time::sleep(std::time::Duration::from_millis(10)).await; // the retry delay
    let after = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(healed.resent, vec![OrderId(card)], "{healed:?}");
    assert!(waiting.retrying.contains(&OrderId(card)), "{waiting:?}");
    assert!(waiting.resent.is_empty() && waiting.parked.is_empty());
    assert_eq!(after.shown, vec![OrderId(card)], "{after:?}");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Lost")
    );
    assert_eq!(
        app.sf_field("Order", card, "Status").as_deref(),
        Some("Cancelled")
    );
}
on_every_backend!(a_change_made_while_the_order_waits_to_be_written_again_waits_for_it);
