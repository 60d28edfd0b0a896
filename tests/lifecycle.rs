//! The order's life after routing: the store's later status changes reach Salesforce, once.

use std::time::Duration;

use crate::helpers::{Backend, TestApp, on_every_backend};
use order_sync::sync::{Lifecycle, Worker};

/// A store whose administrators' cancellations also mark the Salesforce Order ("Cancelled", a
/// Draft-category value the org's admin added), and whose change look-back is nil, so a test
/// sees exactly what each look reads.
pub(crate) async fn store_with_routed_orders(
    backend: Backend,
) -> Option<(TestApp, Worker, i64, i64)> {
    let app = TestApp::spawn_with(
        backend,
        &[
            (
                "ORDER_SYNC__SALESFORCE__ORDER_STATUSES__CANCELED",
                "Cancelled",
            ),
            ("ORDER_SYNC__LIFECYCLE__OVERLAP", "0s"),
        ],
    )
    .await?;
    app.fake
        .add_order_status("Cancelled", fake_salesforce::StatusCategory::Draft);
    let widget = app.product("WIDGET", "standard", true).await;
    let customer = app.customer("Okafor").await;
    let card = app.order(customer).line(widget, 2, "19.99").place().await;
    let po = app
        .order(customer)
        .purchase_order("PO-7")
        .line(widget, 1, "19.99")
        .place()
        .await;
    let worker = app.worker();
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(card).await, "In Process");
    assert_eq!(app.status_of(po).await, "Awaiting Payment");
    Some((app, worker, card, po))
}

pub(crate) fn lifecycle(app: &TestApp, worker: &Worker) -> Lifecycle {
    order_sync::app::lifecycle_for(&app.settings, worker)
}

async fn an_administrators_cancel_closes_the_opportunity_lost_and_marks_the_order(
    backend: Backend,
) {
    let Some((app, worker, card, po)) = store_with_routed_orders(backend).await else {
        return;
    };
    app.admin_sets_status(card, "Canceled").await;
    app.admin_sets_status(po, "Canceled").await;

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(pass.shown.len(), 2, "{pass:?}");
    for id in [card, po] {
        assert_eq!(
            app.sf_field("Opportunity", id, "StageName").as_deref(),
            Some("Closed Lost")
        );
        assert_eq!(
            app.sf_field("Order", id, "Status").as_deref(),
            Some("Cancelled")
        );
    }
    let calls = app.fake.api_calls();
    let again = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert!(again.shown.is_empty() && again.queued == 0, "{again:?}");
    assert_eq!(
        app.fake.api_calls(),
        calls,
        "a change already shown is not sent again"
    );
    let story = app.store.order_attempts(card).await.expect("attempts");
    assert!(
        story.iter().any(|a| a.outcome == "status_shown"
            && a.message
                .as_deref()
                .is_some_and(|m| m.contains("Closed Lost"))),
        "orders show tells the change: {story:?}"
    );
}
on_every_backend!(an_administrators_cancel_closes_the_opportunity_lost_and_marks_the_order);

async fn a_shipped_order_becomes_completed_and_its_opportunity_closed_won(backend: Backend) {
    let Some((app, worker, _, po)) = store_with_routed_orders(backend).await else {
        return;
    };
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Proposal/Price Quote")
    );
    app.admin_sets_status(po, "In Process").await; // the purchase order was paid
    lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Closed Won")
    );

    app.admin_sets_status(po, "Completed").await;
    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(pass.shown, vec![order_sync::domain::OrderId(po)]);
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Closed Won")
    );
    assert_eq!(
        app.sf_field("Order", po, "Status").as_deref(),
        Some("Activated"),
        "left alone"
    );
}
on_every_backend!(a_shipped_order_becomes_completed_and_its_opportunity_closed_won);

async fn order_syncs_own_moves_are_not_sent_back_as_changes(backend: Backend) {
    let Some((app, worker, _, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let calls = app.fake.api_calls();
    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(
        pass.queued, 0,
        "routing is what Salesforce shows already: {pass:?}"
    );
    assert!(
        pass.scanned >= 2,
        "the routed orders were looked at: {pass:?}"
    );
    assert_eq!(app.fake.api_calls(), calls);
}
on_every_backend!(order_syncs_own_moves_are_not_sent_back_as_changes);

async fn a_look_for_changes_reads_only_what_changed_since_the_last(backend: Backend) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let widget = app.product("GADGET", "standard", true).await;
    let customer = app.customer("Nakamura").await;
    for _ in 0..8 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    app.drain(&worker, 5).await;
    let lifecycle = lifecycle(&app, &worker);
    let first = lifecycle.run_pass().await.expect("pass");
    tokio::time::sleep(Duration::from_millis(20)).await;
    app.admin_sets_status(card, "Completed").await;
    let second = lifecycle.run_pass().await.expect("pass");
    assert!(first.scanned >= 10, "{first:?}");
    // The order at the watermark is read again (the look-back starts at it), and the change.
    assert_eq!(second.scanned, 2, "only what changed since: {second:?}");
    assert_eq!(second.shown.len(), 1);
}
on_every_backend!(a_look_for_changes_reads_only_what_changed_since_the_last);

async fn an_order_canceled_while_it_is_being_sent_ends_canceled_in_both_places(backend: Backend) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let widget = app.product("SPROCKET", "standard", true).await;
    let customer = app.customer("Ibarra").await;
    let id = app.order(customer).line(widget, 1, "5.00").place().await;
    app.fake.set_latency(Duration::from_millis(800));
    let sending = tokio::spawn({
        let worker = worker.clone();
        async move { worker.run_pass().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.admin_sets_status(id, "Canceled").await;
    // The store edits another order later (same status): the watermark moves past the cancel
    // while the canceled order is not in Salesforce yet.
    app.admin_sets_status(card, "In Process").await;
    // A look meanwhile must not settle the order under the push's lease (it waits for it).
    lifecycle(&app, &worker).run_pass().await.expect("pass");
    let pass = sending.await.expect("join").expect("pass");
    app.fake.set_latency(Duration::ZERO);

    assert_eq!(pass.status_changed, 1, "{pass:?}");
    assert_eq!(app.status_of(id).await, "Canceled");
    // The look meanwhile left the change to retry after its (millisecond) backoff.
    for _ in 0..50 {
        if !lifecycle(&app, &worker)
            .run_pass()
            .await
            .expect("pass")
            .shown
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        app.sf_field("Opportunity", id, "StageName").as_deref(),
        Some("Closed Lost")
    );
}
on_every_backend!(an_order_canceled_while_it_is_being_sent_ends_canceled_in_both_places);

async fn a_change_salesforce_refuses_is_parked_with_its_reason(backend: Backend) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    let rule = "Closed Lost needs a loss reason";
    app.fake
        .add_validation_rule("Opportunity", "StageName", "Closed Lost", rule);
    app.admin_sets_status(card, "Canceled").await;
    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(pass.parked, vec![order_sync::domain::OrderId(card)]);
    let parked = app.store.parked_changes().await.expect("parked");
    assert_eq!(parked.len(), 1);
    assert!(
        parked[0].2.as_deref().is_some_and(|r| r.contains(rule)),
        "{parked:?}"
    );
    let again = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert!(
        again.parked.is_empty() && again.shown.is_empty(),
        "parked stays parked"
    );
    let stuck = app
        .store
        .stuck_orders(chrono::Utc::now())
        .await
        .expect("stuck");
    let listed = stuck
        .iter()
        .find(|o| o.id == card)
        .expect("listed as stuck");
    assert!(
        listed
            .last_error
            .as_deref()
            .is_some_and(|r| r.contains("Canceled")),
        "{listed:?}"
    );

    assert!(
        app.store.retry_order(card, "rep").await.expect("retry"),
        "a rep's retry"
    );
    let retried = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(
        retried.parked,
        vec![order_sync::domain::OrderId(card)],
        "tried again"
    );
}
on_every_backend!(a_change_salesforce_refuses_is_parked_with_its_reason);

async fn a_worker_killed_mid_change_leaves_it_to_be_sent_after_the_lease(backend: Backend) {
    let Some((app, worker, card, _)) = store_with_routed_orders(backend).await else {
        return;
    };
    app.admin_sets_status(card, "Canceled").await;
    app.store
        .detect_changes(chrono::Duration::zero(), 100)
        .await
        .expect("detect");
    // A worker claims the change and dies before Salesforce answers.
    let dead = app
        .store
        .claim_changes("dead", 10, 2_000)
        .await
        .expect("claim");
    assert_eq!(dead.changes.len(), 1);
    let lifecycle = lifecycle(&app, &worker);
    let early = lifecycle.run_pass().await.expect("pass");
    assert!(early.shown.is_empty(), "the lease holds it: {early:?}");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let late = lifecycle.run_pass().await.expect("pass");
    assert_eq!(late.shown.len(), 1, "{late:?}");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Lost")
    );
    let stale = order_sync::store::ChangeFailure::Transient {
        next_attempt_at: 0,
        code: None,
        message: "late".into(),
    };
    let write = app
        .store
        .record_change_failure(&dead.token, dead.changes[0].order_id, 1, "dead", &stale)
        .await
        .expect("write");
    assert_eq!(
        write,
        order_sync::store::WriteBack::LeaseLost,
        "the dead worker's token is void"
    );
}
on_every_backend!(a_worker_killed_mid_change_leaves_it_to_be_sent_after_the_lease);

async fn a_repairs_cancel_and_reissue_is_not_sent_back_as_a_lost_deal(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("ORDER_SYNC__LIFECYCLE__OVERLAP", "0s")]).await
    else {
        return;
    };
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Franklin").await;
    let id = app.order(customer).line(eval, 1, "0.00").place().await;
    let worker = app.worker();
    let repairer = app.repairer(&worker);
    app.drain(&worker, 5).await;
    app.mark_evaluation_complete(id);
    repairer.run_pass().await.expect("repair pass");
    app.accept_quote(id, Some("350.00"));
    repairer.run_pass().await.expect("repair pass");
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(id).await, "Canceled");

    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");

    assert_eq!(
        pass.queued, 0,
        "order-sync's own cancel is no change to send: {pass:?}"
    );
    assert_eq!(
        app.sf_field("Opportunity", id, "StageName").as_deref(),
        Some("Closed Won"),
        "the reissued order's deal stays won"
    );
}
on_every_backend!(a_repairs_cancel_and_reissue_is_not_sent_back_as_a_lost_deal);

#[tokio::test]
async fn the_demo_shows_a_later_cancel_closing_the_deal() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let run = app.run_cli(&["demo"], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.output);
    assert!(
        run.output.contains(
            "cancels ATS-1001 in the store: 1 change brought to Salesforce, its Opportunity is now \"Closed Lost\""
        ),
        "{}",
        run.output
    );
}

async fn each_change_is_shown_once_through_faults_and_lost_answers(backend: Backend) {
    let Some((app, worker, card, po)) = store_with_routed_orders(backend).await else {
        return;
    };
    let widget = app.product("GIZMO", "standard", true).await;
    let customer = app.customer("Moreau").await;
    let mut ids = vec![card, po];
    for _ in 0..10 {
        ids.push(app.order(customer).line(widget, 1, "2.00").place().await);
    }
    app.drain(&worker, 10).await;
    for id in &ids {
        app.admin_sets_status(*id, "Canceled").await;
    }
    use fake_salesforce::{FaultKind, Faults};
    let kinds = [
        FaultKind::Html503,
        FaultKind::DropAfterApply,
        FaultKind::UnableToLockRow,
    ];
    app.fake.set_faults(Faults::new(0.3, kinds).with_seed(7));
    let mut lifecycle = lifecycle(&app, &worker);
    lifecycle.batch_size = 1; // one request per change: the dice roll for each
    let mut shown = 0;
    for _ in 0..200 {
        shown += lifecycle.run_pass().await.expect("pass").shown.len();
        if shown == ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.fake.set_faults(Faults::default());

    let injected: u64 = app.fake.faults_injected().values().sum();
    assert!(injected > 0, "the faults fired");
    assert_eq!(shown, ids.len(), "every change shown once");
    for id in &ids {
        assert_eq!(
            app.sf_field("Opportunity", *id, "StageName").as_deref(),
            Some("Closed Lost")
        );
        let attempts = app.store.order_attempts(*id).await.expect("attempts");
        let once = attempts
            .iter()
            .filter(|a| a.outcome == "status_shown")
            .count();
        assert_eq!(once, 1, "order {id}: {attempts:?}");
    }
    assert!(app.store.parked_changes().await.expect("parked").is_empty());
}
on_every_backend!(each_change_is_shown_once_through_faults_and_lost_answers);

async fn check_names_a_stage_or_order_status_the_org_lacks(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        &[
            ("ORDER_SYNC__SALESFORCE__STAGES__COMPLETED", "Shipped"),
            (
                "ORDER_SYNC__SALESFORCE__ORDER_STATUSES__CANCELED",
                "Cancelled",
            ),
        ],
    )
    .await
    else {
        return;
    };
    let failed = |items: Vec<order_sync::check::CheckItem>| -> Vec<String> {
        items
            .into_iter()
            .filter(|i| !i.ok)
            .map(|i| i.label)
            .collect()
    };
    let before = failed(order_sync::check::checklist(&app.settings).await);
    assert!(
        before
            .iter()
            .any(|l| l.contains("Opportunity.StageName") && l.contains("\"Shipped\"")),
        "{before:?}"
    );
    assert!(
        before
            .iter()
            .any(|l| l.contains("Order.Status") && l.contains("\"Cancelled\"")),
        "{before:?}"
    );
    app.fake
        .add_picklist_value("Opportunity", "StageName", "Shipped");
    app.fake
        .add_order_status("Cancelled", fake_salesforce::StatusCategory::Draft);
    let after = failed(order_sync::check::checklist(&app.settings).await);
    assert!(
        !after
            .iter()
            .any(|l| l.contains("Shipped") || l.contains("Cancelled")),
        "{after:?}"
    );
}
on_every_backend!(check_names_a_stage_or_order_status_the_org_lacks);

/// An order whose send Salesforce applied but whose answer was lost, or whose send failed,
/// then canceled by the store while it waited for its retry.
async fn tried_then_canceled(
    backend: Backend,
    fault: fake_salesforce::FaultKind,
) -> Option<(TestApp, Worker, i64)> {
    let (app, worker, _, _) = store_with_routed_orders(backend).await?;
    // WIDGET's price-book entry is cached: the order's graph is the one request made.
    let widget: i64 = app
        .rows::<(i64,)>(
            "SELECT id FROM products WHERE sku = 'WIDGET'",
            Default::default(),
        )
        .await[0]
        .0;
    let customer = app.customer("Lindqvist").await;
    let id = app.order(customer).line(widget, 1, "3.00").place().await;
    app.fake.set_faults(fake_salesforce::Faults::always(fault));
    let pass = worker.run_pass().await.expect("pass");
    app.fake.set_faults(fake_salesforce::Faults::default());
    assert_eq!(pass.retrying.len(), 1, "{pass:?}");
    app.admin_sets_status(id, "Canceled").await;
    Some((app, worker, id))
}

async fn a_send_whose_answer_was_lost_then_canceled_ends_canceled_in_both_places(backend: Backend) {
    use fake_salesforce::FaultKind;
    let Some((app, worker, id)) = tried_then_canceled(backend, FaultKind::DropAfterApply).await
    else {
        return;
    };
    assert!(
        app.sf_field("Opportunity", id, "StageName").is_some(),
        "Salesforce applied it"
    );
    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(
        pass.shown,
        vec![order_sync::domain::OrderId(id)],
        "{pass:?}"
    );
    assert_eq!(
        app.sf_field("Opportunity", id, "StageName").as_deref(),
        Some("Closed Lost")
    );
    assert_eq!(
        app.sf_field("Order", id, "Status").as_deref(),
        Some("Cancelled")
    );
    assert_eq!(
        app.worker().run_pass().await.expect("pass").claimed,
        0,
        "never sent again"
    );
}
on_every_backend!(a_send_whose_answer_was_lost_then_canceled_ends_canceled_in_both_places);

async fn a_failed_send_then_canceled_is_settled_without_reaching_salesforce(backend: Backend) {
    use fake_salesforce::FaultKind;
    let Some((app, worker, id)) = tried_then_canceled(backend, FaultKind::Html503).await else {
        return;
    };
    let opportunities = app.fake.count("Opportunity");
    let pass = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert_eq!(pass.shown.len(), 1, "{pass:?}");
    assert!(app.sf_field("Opportunity", id, "StageName").is_none());
    assert_eq!(
        app.fake.count("Opportunity"),
        opportunities,
        "nothing created"
    );
    let again = lifecycle(&app, &worker).run_pass().await.expect("pass");
    assert!(
        again.shown.is_empty() && again.queued == 0,
        "settled: {again:?}"
    );
}
on_every_backend!(a_failed_send_then_canceled_is_settled_without_reaching_salesforce);
