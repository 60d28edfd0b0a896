//! Reconcile: records changed in Salesforce behind order-sync's back are found, each with the
//! right kind; `--fix` mends what it may through the re-send queue, and nothing is duplicated.

use serde_json::json;

use crate::helpers::{Backend, TestApp, on_every_backend};
use order_sync::reconcile::{Findings, Kind, Mend, Scope, mend, survey};
use order_sync::sync::Worker;

const KEY: &str = "Store_Order_Id__c";

/// A store with `n` card orders of two lines each, all sent and In Process.
pub(crate) async fn sent_orders(backend: Backend, n: usize) -> Option<(TestApp, Worker, Vec<i64>)> {
    let app = TestApp::spawn(backend).await?;
    let widget = app.product("WIDGET", "standard", true).await;
    let gadget = app.product("GADGET", "standard", true).await;
    let customer = app.customer("Lindqvist").await;
    let mut ids = Vec::new();
    for _ in 0..n {
        let order = app
            .order(customer)
            .line(widget, 2, "19.99")
            .line(gadget, 1, "5.00");
        ids.push(order.place().await);
    }
    let worker = app.worker();
    app.drain(&worker, 10).await;
    for id in &ids {
        assert_eq!(app.status_of(*id).await, "In Process");
    }
    Some((app, worker, ids))
}

async fn reconcile(app: &TestApp) -> Findings {
    survey(&app.store, &app.salesforce, Scope::All)
        .await
        .expect("reconcile could check")
}

fn kinds_of(f: &Findings, order: i64) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = f
        .drifts
        .iter()
        .filter(|d| d.order_id.0 == order)
        .map(|d| d.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

pub(crate) fn the_record(app: &TestApp, object: &str, order: i64) -> fake_salesforce::Record {
    let found = app.fake.find(object, KEY, &order.to_string());
    assert_eq!(found.len(), 1, "one {object} for order {order}");
    found.into_iter().next().expect("one")
}

fn line_items_of(app: &TestApp, order: i64) -> Vec<fake_salesforce::Record> {
    let sf_order = the_record(app, "Order", order).id;
    app.fake.find("OrderItem", "OrderId", &sf_order)
}

/// After a fix: every order has exactly one Opportunity, Quote and Order, and as many
/// products as lines.
fn nothing_is_duplicated(app: &TestApp, orders: &[i64]) {
    for id in orders {
        for object in ["Opportunity", "Quote", "Order"] {
            the_record(app, object, *id);
        }
        assert_eq!(line_items_of(app, *id).len(), 2, "order {id}'s products");
    }
}

async fn orders_that_agree_with_salesforce_are_reported_as_agreeing(backend: Backend) {
    let Some((app, _, ids)) = sent_orders(backend, 3).await else {
        return;
    };
    let f = reconcile(&app).await;
    assert_eq!(f.checked, 3);
    assert!(f.drifts.is_empty(), "{:?}", f.drifts);
    assert_eq!(f.disagreeing(), 0);
    // Reading 3 orders: one composite of queries for their records and the org's keys.
    assert!(f.calls <= 2, "{} calls", f.calls);
    nothing_is_duplicated(&app, &ids);
}
on_every_backend!(orders_that_agree_with_salesforce_are_reported_as_agreeing);

async fn each_kind_of_drift_is_found_and_fix_mends_what_it_may(backend: Backend) {
    let Some((app, worker, ids)) = sent_orders(backend, 6).await else {
        return;
    };
    let [
        deleted,
        edited_amount,
        closed_by_hand,
        edited_line,
        lost_product,
        copied,
    ] = ids[..]
    else {
        unreachable!()
    };
    let opp = |id| the_record(&app, "Opportunity", id);
    app.fake.delete_record("Opportunity", &opp(deleted).id);
    app.fake.update_fields(
        "Opportunity",
        &opp(edited_amount).id,
        json!({"Amount": 1.0}),
    );
    app.fake.update_fields(
        "Opportunity",
        &opp(closed_by_hand).id,
        json!({"StageName": "Closed Lost"}),
    );
    let line = line_items_of(&app, edited_line).remove(0);
    app.fake
        .update_fields("OrderItem", &line.id, json!({"Quantity": 7}));
    let product = line_items_of(&app, lost_product).remove(0);
    app.fake.delete_record("OrderItem", &product.id);
    let original = opp(copied);
    let mut copy = json!({ KEY: copied.to_string() });
    for field in ["Name", "StageName", "CloseDate", "Amount", "AccountId"] {
        copy[field] = original.get(field).cloned().unwrap_or_default();
    }
    let copy_id = app.fake.insert_duplicate("Opportunity", copy.clone());
    copy[KEY] = json!("990001");
    let orphan_id = app.fake.insert_duplicate("Opportunity", copy);

    let f = reconcile(&app).await;

    assert_eq!(kinds_of(&f, deleted), [Kind::Missing], "{:?}", f.drifts);
    assert_eq!(kinds_of(&f, edited_amount), [Kind::Amount]);
    assert_eq!(kinds_of(&f, closed_by_hand), [Kind::Status]);
    assert_eq!(kinds_of(&f, edited_line), [Kind::Lines]);
    assert_eq!(kinds_of(&f, lost_product), [Kind::Missing]);
    assert_eq!(kinds_of(&f, copied), [Kind::Duplicate]);
    assert_eq!(kinds_of(&f, 990001), [Kind::Orphan]);
    assert_eq!(f.disagreeing(), 7);

    let mended = mend(&app.store, &f, "reconcile-test").await.expect("mend");
    assert_eq!(mended.queued.len(), 3, "{mended:?}");
    let sent = worker.resend_until_idle(|_, _| {}).await.expect("resend");
    assert_eq!(sent.sent.len(), 3, "{sent:?}");
    assert_eq!(
        app.status_of(deleted).await,
        "In Process",
        "the store is not moved"
    );
    let in_process = app.settings.salesforce.stages.in_process.as_str();
    let stage = app.sf_field("Opportunity", closed_by_hand, "StageName");
    assert_eq!(
        stage.as_deref(),
        Some(in_process),
        "the stage is the store's again"
    );

    // Activated Orders keep their products: a person sets them back to Draft, as the report says.
    let again = reconcile(&app).await;
    let people: Vec<(i64, Kind)> = again
        .drifts
        .iter()
        .filter(|d| matches!(d.mend, Mend::Human(_)))
        .map(|d| (d.order_id.0, d.kind))
        .collect();
    assert_eq!(
        people,
        [
            (deleted, Kind::Missing),
            (edited_line, Kind::Lines),
            (lost_product, Kind::Missing),
            (copied, Kind::Duplicate),
            (990001, Kind::Orphan)
        ],
        "{:?}",
        again.drifts
    );
    for id in [deleted, edited_line, lost_product] {
        let sf_order = the_record(&app, "Order", id).id;
        app.fake.update_fields(
            "Order",
            &sf_order,
            json!({"Status": "Draft", "StatusCode": "Draft"}),
        );
    }
    let third = reconcile(&app).await;
    mend(&app.store, &third, "reconcile-test")
        .await
        .expect("mend");
    let sent = worker.resend_until_idle(|_, _| {}).await.expect("resend");
    assert_eq!(sent.sent.len(), 3, "{sent:?}");
    let left: Vec<Kind> = reconcile(&app)
        .await
        .drifts
        .iter()
        .map(|d| d.kind)
        .collect();
    assert_eq!(left, [Kind::Duplicate, Kind::Orphan]);

    // A person deletes the copy and the leftover, as the report says.
    app.fake.delete_record("Opportunity", &copy_id);
    app.fake.delete_record("Opportunity", &orphan_id);
    let last = reconcile(&app).await;
    assert!(last.drifts.is_empty(), "{:?}", last.drifts);
    nothing_is_duplicated(&app, &ids);
}
on_every_backend!(each_kind_of_drift_is_found_and_fix_mends_what_it_may);

async fn a_sandbox_refresh_is_mended_by_keeping_the_new_ids_without_sending(backend: Backend) {
    let Some((app, worker, ids)) = sent_orders(backend, 3).await else {
        return;
    };
    app.fake.sandbox_refresh();

    let f = reconcile(&app).await;
    for id in &ids {
        assert_eq!(kinds_of(&f, *id), [Kind::StaleId], "{:?}", f.drifts);
    }
    let mended = mend(&app.store, &f, "reconcile-test").await.expect("mend");
    assert_eq!((mended.adopted.len(), mended.queued.len()), (3, 0));
    let sent = worker.resend_until_idle(|_, _| {}).await.expect("resend");
    assert_eq!(sent.claimed, 0, "nothing is sent again");

    assert!(reconcile(&app).await.drifts.is_empty());
    let detail = app
        .store
        .order_detail(ids[0])
        .await
        .expect("detail")
        .expect("order");
    let opp = the_record(&app, "Opportunity", ids[0]);
    assert_eq!(detail.sf_opportunity_id.as_deref(), Some(opp.id.as_str()));
    nothing_is_duplicated(&app, &ids);
}
on_every_backend!(a_sandbox_refresh_is_mended_by_keeping_the_new_ids_without_sending);

async fn a_merged_account_is_mended_by_keeping_the_surviving_accounts_id(backend: Backend) {
    let Some((app, worker, ids)) = sent_orders(backend, 2).await else {
        return;
    };
    let loser = the_record(&app, "Opportunity", ids[0])
        .get("AccountId")
        .and_then(|v| v.as_str().map(String::from))
        .expect("an Account");
    let winner = app
        .fake
        .insert_duplicate("Account", json!({ "Name": "Lindqvist AB" }));
    app.fake.merge_accounts(&winner, &loser);

    let f = reconcile(&app).await;
    for id in &ids {
        assert_eq!(kinds_of(&f, *id), [Kind::StaleId], "{:?}", f.drifts);
    }
    mend(&app.store, &f, "reconcile-test").await.expect("mend");
    let sent = worker.resend_until_idle(|_, _| {}).await.expect("resend");
    assert_eq!(sent.claimed, 0, "nothing is sent again");

    assert!(reconcile(&app).await.drifts.is_empty());
    let detail = app
        .store
        .order_detail(ids[1])
        .await
        .expect("detail")
        .expect("order");
    assert_eq!(detail.sf_account_id.as_deref(), Some(winner.as_str()));
    nothing_is_duplicated(&app, &ids);
}
on_every_backend!(a_merged_account_is_mended_by_keeping_the_surviving_accounts_id);

async fn after_a_sandbox_refresh_new_orders_still_go_with_the_new_price_book_ids(backend: Backend) {
    let Some((app, worker, _)) = sent_orders(backend, 1).await else {
        return;
    };
    app.fake.sandbox_refresh();
    let customer = app.customer("Ferreira").await;
    let gadget = app
        .rows::<(i64,)>(
            "SELECT id FROM products WHERE sku = :sku",
            order_sync::store::sql::Args::new().set("sku", "GADGET"),
        )
        .await[0]
        .0;
    // A product whose entry id is cached from before the refresh: the refusal is the cache's.
    let cached = app.order(customer).line(gadget, 2, "5.00").place().await;
    app.drain(&worker, 10).await;
    // A product seen for the first time: the cached price book id is the old one.
    let widget = app.product("WIDGET2", "standard", true).await;
    let fresh = app.order(customer).line(widget, 1, "3.00").place().await;
    app.drain(&worker, 10).await;

    for order in [cached, fresh] {
        assert_eq!(app.status_of(order).await, "In Process", "order {order}");
        the_record(&app, "Opportunity", order);
    }
}
on_every_backend!(after_a_sandbox_refresh_new_orders_still_go_with_the_new_price_book_ids);
