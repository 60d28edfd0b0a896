//! The repair flow: evaluation → approval → cancel and reissue priced → routed, exactly once.

use crate::helpers::{Backend, TestApp, on_every_backend};

/// An evaluation order pushed and evaluated: it waits in Awaiting Customer Approval.
async fn evaluated_order(app: &TestApp, customer_name: &str) -> (i64, order_sync::sync::Worker) {
    let eval = app.product("EVAL", "evaluation", true).await;
    evaluated_order_of(app, eval, customer_name).await
}

/// As `evaluated_order`, with the EVAL product already in the store.
async fn evaluated_order_of(
    app: &TestApp,
    eval: i64,
    customer_name: &str,
) -> (i64, order_sync::sync::Worker) {
    let customer = app.customer(customer_name).await;
    let id = app.order(customer).line(eval, 1, "0.00").place().await;
    let worker = app.worker();
    app.drain(&worker, 5).await;
    app.mark_evaluation_complete(id);
    app.repairer(&worker).run_pass().await.expect("pass");
    assert_eq!(app.status_of(id).await, "Awaiting Customer Approval");
    (id, worker)
}

async fn an_evaluation_walks_to_a_priced_reissue_that_is_routed_like_any_order(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Franklin").await;
    let card = app.order(customer).line(eval, 1, "0.00").place().await;
    let po = app
        .order(customer)
        .purchase_order("PO-44")
        .line(eval, 2, "0.00")
        .place()
        .await;
    let worker = app.worker();
    let repairer = app.repairer(&worker);
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(card).await, "Awaiting Evaluation");

    app.mark_evaluation_complete(card);
    app.mark_evaluation_complete(po);
    let evaluated = repairer.run_pass().await.expect("repair pass");
    app.accept_quote(card, Some("350.00"));
    let quote = app.accept_quote(po, Some("120.50"));
    let accepted = repairer.run_pass().await.expect("repair pass");
    app.drain(&worker, 5).await;

    assert_eq!(evaluated.evaluations_completed.len(), 2);
    assert_eq!(accepted.reissued.len(), 2);
    let by_old: std::collections::HashMap<i64, i64> = accepted.reissued.iter().copied().collect();
    assert_eq!(app.status_of(card).await, "Canceled");
    assert_eq!(app.status_of(by_old[&card]).await, "In Process");
    assert_eq!(app.status_of(by_old[&po]).await, "Awaiting Payment");
    let history: Vec<String> = app
        .history(po)
        .await
        .iter()
        .map(|h| h.to_status.clone())
        .collect();
    assert_eq!(
        history,
        [
            "Awaiting Evaluation",
            "Awaiting Customer Approval",
            "Canceled"
        ]
    );
    assert!(
        app.history(po).await[2]
            .reason
            .as_deref()
            .unwrap()
            .contains(&quote)
    );
    let detail = app.store.order_detail(by_old[&po]).await.unwrap().unwrap();
    assert_eq!(detail.reissue_of, Some(po));
    assert_eq!(
        app.store
            .order_detail(po)
            .await
            .unwrap()
            .unwrap()
            .reissued_as,
        Some(by_old[&po])
    );
    assert_eq!(
        app.fake.count("Opportunity"),
        2,
        "the reissue updates the evaluation's Opportunity"
    );
    assert_eq!(app.fake.count("Quote"), 2);
    assert_eq!(app.fake.count("Order"), 2);
    let opp = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &po.to_string());
    assert_eq!(opp[0].fields["Amount"].to_string(), "241.0");
    let items = app.fake.records("OrderItem");
    assert!(
        items
            .iter()
            .all(|i| i.fields["UnitPrice"] == 350.0 || i.fields["UnitPrice"] == 120.5)
    );
}
on_every_backend!(an_evaluation_walks_to_a_priced_reissue_that_is_routed_like_any_order);

async fn a_quote_without_prices_parks_the_order_instead_of_guessing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, worker) = evaluated_order(&app, "Meitner").await;
    let repairer = app.repairer(&worker);

    app.accept_quote(id, None);
    let report = repairer.run_pass().await.expect("pass");
    let again = repairer.run_pass().await.expect("pass");

    assert_eq!(report.parked, vec![id]);
    assert!(
        again.parked.is_empty(),
        "a parked order is not looked at again until retried"
    );
    assert_eq!(app.status_of(id).await, "Awaiting Customer Approval");
    let reason = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .last_error
        .unwrap();
    assert!(reason.contains("has no price for EVAL"), "{reason}");
}
on_every_backend!(a_quote_without_prices_parks_the_order_instead_of_guessing);

async fn two_replicas_and_a_rerun_reissue_an_accepted_repair_exactly_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, _) = evaluated_order(&app, "Goodall").await;
    app.accept_quote(id, Some("99.00"));
    let (a, b) = (
        app.another_worker("replica-a"),
        app.another_worker("replica-b"),
    );

    let (repair_a, repair_b) = (app.repairer(&a), app.repairer(&b));
    let (ra, rb) = tokio::join!(repair_a.run_pass(), repair_b.run_pass());
    let rerun = app.repairer(&a).run_pass().await.expect("pass");

    let reissues = ra.unwrap().reissued.len() + rb.unwrap().reissued.len() + rerun.reissued.len();
    assert_eq!(reissues, 1);
    assert_eq!(
        app.store.order_detail(id).await.unwrap().unwrap().status,
        "Canceled"
    );
    assert_eq!(
        app.history(id)
            .await
            .iter()
            .filter(|h| h.to_status == "Canceled")
            .count(),
        1
    );
}
on_every_backend!(two_replicas_and_a_rerun_reissue_an_accepted_repair_exactly_once);

async fn a_crash_after_the_reissued_orders_upsert_leaves_one_salesforce_order(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, worker) = evaluated_order(&app, "Carson").await;
    let repairer = app.repairer(&worker);
    app.accept_quote(id, Some("80.00"));
    let reissued = repairer.run_pass().await.expect("pass").reissued[0].1;
    // A worker claims the reissued order with a 1 ms lease, upserts it, and dies.
    let claim = app.store.claim_due("doomed", 10, 1).await.expect("claim");
    let orders: Vec<_> = claim
        .orders
        .into_iter()
        .map(|c| c.raw.validate().expect("valid"))
        .collect();
    assert!(
        app.salesforce.push(&orders, &Default::default()).await[0]
            .1
            .is_ok()
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let rerun = app.drain(&app.another_worker("survivor"), 5).await;

    assert_eq!(rerun.rescued, 1);
    assert_eq!(app.status_of(reissued).await, "In Process");
    assert_eq!(app.fake.count("Order"), 1);
    assert_eq!(app.fake.count("OrderItem"), 1);
    assert_eq!(app.fake.count("Opportunity"), 1);
}
on_every_backend!(a_crash_after_the_reissued_orders_upsert_leaves_one_salesforce_order);

async fn the_watermark_survives_a_restart_and_finds_changes_made_while_stopped(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Lovelock").await;
    let first = app.order(customer).line(eval, 1, "0.00").place().await;
    let second = app.order(customer).line(eval, 1, "0.00").place().await;
    let worker = app.worker();
    app.drain(&worker, 5).await;
    app.mark_evaluation_complete(first);
    let before = app.repairer(&worker).run_pass().await.expect("pass");
    let watermark = app
        .store
        .kv_get("repair.evaluation_watermark")
        .await
        .unwrap();

    // order-sync is stopped; a technician completes the second evaluation; a new process starts.
    app.mark_evaluation_complete(second);
    let restarted = app.another_worker("after-restart");
    let after = app.repairer(&restarted).run_pass().await.expect("pass");

    assert_eq!(before.evaluations_completed, vec![first]);
    assert!(
        watermark.is_some(),
        "the watermark is stored in the store, not in memory"
    );
    assert_eq!(
        after.evaluations_completed,
        vec![second],
        "found once; the first is not handled twice"
    );
    assert_eq!(app.history(first).await.len(), 2);
}
on_every_backend!(the_watermark_survives_a_restart_and_finds_changes_made_while_stopped);

async fn a_reissue_the_store_refuses_parks_that_order_and_the_others_go_on(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let (first, worker) = evaluated_order_of(&app, eval, "Blocked").await;
    let (second, _) = evaluated_order_of(&app, eval, "Second").await;
    let (third, _) = evaluated_order_of(&app, eval, "Third").await;
    for id in [first, second, third] {
        app.accept_quote(id, Some("99.00"));
    }
    // The number the first reissue would take is already there.
    let number = app
        .store
        .order_detail(first)
        .await
        .unwrap()
        .unwrap()
        .order_number;
    let customer = app.customer("Squatter").await;
    app.order(customer)
        .status("Completed")
        .edit(|o| o.order_number = format!("{number}-R"))
        .place()
        .await;

    let report = app
        .repairer(&worker)
        .run_pass()
        .await
        .expect("no fatal error");

    assert_eq!(report.parked, vec![first]);
    let reissued: Vec<i64> = report.reissued.iter().map(|(old, _)| *old).collect();
    assert_eq!(
        reissued,
        vec![second, third],
        "the pass went on to the next orders"
    );
    let parked = app.store.order_detail(first).await.unwrap().unwrap();
    assert_eq!(parked.sync_state.as_deref(), Some("parked"));
    assert!(
        parked
            .last_error
            .unwrap_or_default()
            .contains("the store refused the reissued order")
    );
    assert_eq!(
        app.status_of(first).await,
        "Awaiting Customer Approval",
        "nothing half-done"
    );
    let stuck = app.store.stuck_orders(chrono::Utc::now()).await.unwrap();
    assert!(stuck.iter().any(|o| o.id == first), "a rep sees it");
}
on_every_backend!(a_reissue_the_store_refuses_parks_that_order_and_the_others_go_on);

async fn a_row_naming_an_order_that_is_not_its_canceled_evaluation_is_not_trusted(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let owner = app.customer("Owner").await;
    let other = app.customer("Intruder").await;
    let victim = app.order(owner).line(widget, 1, "10.00").place().await;
    let routed = app.order(owner).line(widget, 1, "10.00").place().await;
    let worker = app.worker();
    app.drain(&worker, 5).await;
    let opportunity = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &victim.to_string())[0]
        .clone();
    let foreign = app
        .order(other)
        .line(widget, 1, "1.00")
        .edit(|o| o.reissue_of = Some(victim))
        .place()
        .await;
    // Same customer, but the order it names was never an evaluation (and is not canceled).
    let same_customer = app
        .order(owner)
        .line(widget, 1, "1.00")
        .edit(|o| o.reissue_of = Some(routed))
        .place()
        .await;

    app.drain(&worker, 5).await;

    for id in [foreign, same_customer] {
        let d = app.store.order_detail(id).await.unwrap().unwrap();
        assert_eq!(d.sync_state.as_deref(), Some("parked"), "order {id}");
        assert!(
            d.last_error
                .unwrap_or_default()
                .contains("not a canceled evaluation order of the same customer")
        );
    }
    let after = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &victim.to_string())[0]
        .clone();
    assert_eq!(
        after.fields, opportunity.fields,
        "the other order's Opportunity is untouched"
    );
}
on_every_backend!(a_row_naming_an_order_that_is_not_its_canceled_evaluation_is_not_trusted);
