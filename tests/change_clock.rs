//! The change watermark cannot be poisoned: a row dated in the future, a worker whose clock runs
//! ahead of the store's, the fall-back hour and a late commit do not hide a later change.
//! These run with the default `lifecycle.overlap` (2 min), as a store runs.

use chrono::{DateTime, Duration, Utc};

use crate::helpers::{Backend, TestApp, on_every_backend};
use order_sync::domain::OrderId;
use order_sync::store::sql::Args;
use order_sync::sync::{Lifecycle, LifecycleReport, Worker};

const WATERMARK: &str = "lifecycle.updated_at_watermark";

/// Two orders sent and routed (a card order In Process, a purchase order Awaiting Payment),
/// with one look for changes done: the watermark is at the routing.
async fn two_sent_orders(
    backend: Backend,
    env: &[(&str, &str)],
) -> Option<(TestApp, Worker, i64, i64)> {
    let app = TestApp::spawn_with(backend, env).await?;
    Some(two_sent_orders_in(app).await)
}

async fn two_sent_orders_in(app: TestApp) -> (TestApp, Worker, i64, i64) {
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
    pass(&app, &worker).await;
    (app, worker, card, po)
}

async fn pass(app: &TestApp, worker: &Worker) -> LifecycleReport {
    let lifecycle: Lifecycle = order_sync::app::lifecycle_for(&app.settings, worker);
    lifecycle.run_pass().await.expect("pass")
}

/// Writes `status` with `updated_at` as the store's naive text `at` (its own zone).
async fn stamp(app: &TestApp, order_id: i64, status: &str, at: &str) {
    let time = app.store.db().dialect().time_param(":at");
    let sql = format!("UPDATE orders SET status = :status, updated_at = {time} WHERE id = :id");
    let a = Args::new()
        .set("status", status)
        .set("at", at.to_string())
        .set("id", order_id);
    assert_eq!(app.exec(&sql, a).await, 1, "order {order_id} exists");
}

/// `stamp` at an instant, in a store kept in UTC.
async fn stamp_at(app: &TestApp, order_id: i64, status: &str, at: DateTime<Utc>) {
    let text = at.format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    stamp(app, order_id, status, &text).await;
}

async fn watermark(app: &TestApp) -> DateTime<Utc> {
    let text = app
        .store
        .kv_get(WATERMARK)
        .await
        .expect("kv")
        .expect("a watermark");
    DateTime::parse_from_rfc3339(&text)
        .expect("rfc3339")
        .to_utc()
}

async fn a_row_dated_in_the_future_does_not_hide_a_later_cancel(backend: Backend) {
    let Some((app, worker, card, po)) = two_sent_orders(backend, &[]).await else {
        return;
    };
    stamp_at(&app, po, "Canceled", Utc::now() + Duration::hours(3)).await;
    let first = pass(&app, &worker).await;
    assert_eq!(
        first.shown,
        vec![OrderId(po)],
        "taken all the same: {first:?}"
    );
    assert_eq!(first.ahead, 1, "and named: {first:?}");

    app.admin_sets_status(card, "Canceled").await;
    let second = pass(&app, &worker).await;

    assert_eq!(second.shown, vec![OrderId(card)], "{second:?}");
    assert_eq!(second.ahead, 1, "named again by each look: {second:?}");
    assert!(
        watermark(&app).await <= Utc::now(),
        "never past the store's now"
    );
}
on_every_backend!(a_row_dated_in_the_future_does_not_hide_a_later_cancel);

async fn a_watermark_saved_in_the_future_is_brought_back_to_the_stores_now(backend: Backend) {
    let Some((app, worker, card, _)) = two_sent_orders(backend, &[]).await else {
        return;
    };
    // As an order-sync that did not cap it left it after reading a year-2099 typo.
    app.store
        .kv_set(WATERMARK, "2099-01-01T00:00:00+00:00")
        .await
        .expect("kv");

    app.admin_sets_status(card, "Canceled").await;
    let pass = pass(&app, &worker).await;

    assert_eq!(pass.shown, vec![OrderId(card)], "{pass:?}");
    assert!(
        watermark(&app).await <= Utc::now(),
        "saved at the store's now"
    );
}
on_every_backend!(a_watermark_saved_in_the_future_is_brought_back_to_the_stores_now);

/// The database and the worker share a clock in a test, so the worker's lead is written into
/// its routing rows as an order-sync stamping its own clock wrote them. Its moves now carry the
/// store's clock, and the watermark stops at the store's now either way.
async fn a_cancel_stamped_three_minutes_behind_the_workers_clock_is_found(backend: Backend) {
    let Some((app, worker, card, po)) = two_sent_orders(backend, &[]).await else {
        return;
    };
    let worker_clock = Utc::now() + Duration::minutes(3);
    stamp_at(&app, po, "Awaiting Payment", worker_clock).await;
    pass(&app, &worker).await;

    app.admin_sets_status(card, "Canceled").await;
    let pass = pass(&app, &worker).await;

    assert_eq!(pass.shown, vec![OrderId(card)], "{pass:?}");
}
on_every_backend!(a_cancel_stamped_three_minutes_behind_the_workers_clock_is_found);

async fn a_cancel_committed_a_minute_before_the_watermark_is_shown_by_the_next_pass(
    backend: Backend,
) {
    let Some((app, worker, card, _)) = two_sent_orders(backend, &[]).await else {
        return;
    };
    let w = watermark(&app).await;

    stamp_at(&app, card, "Canceled", w - Duration::seconds(60)).await;
    let pass = pass(&app, &worker).await;

    assert_eq!(
        pass.shown,
        vec![OrderId(card)],
        "the overlap covers a late commit: {pass:?}"
    );
}
on_every_backend!(a_cancel_committed_a_minute_before_the_watermark_is_shown_by_the_next_pass);

/// Europe/Berlin, 25 October 2026: at 03:00 summer time the clocks go back to 02:00, and a naive
/// column shows 02:00–03:00 twice. A cancel at the second 02:10 is 40 minutes after one at the
/// first 02:50, though its time reads earlier.
async fn a_cancel_in_the_repeated_fall_back_hour_is_found(backend: Backend) {
    let env = [("ORDER_SYNC__STORE__TIMEZONE", "Europe/Berlin")];
    let Some((app, worker, card, po)) = two_sent_orders(backend, &env).await else {
        return;
    };
    // The store as it was that night: nothing changed since the day before.
    let before = Args::new().set("at", "2026-10-24 12:00:00.000000");
    let time = app.store.db().dialect().time_param(":at");
    app.exec(&format!("UPDATE orders SET updated_at = {time}"), before)
        .await;
    app.store
        .kv_set(WATERMARK, "2026-10-24T10:00:00+00:00")
        .await
        .expect("kv");
    stamp(&app, po, "Canceled", "2026-10-25 02:50:00.000000").await;
    let first = pass(&app, &worker).await;
    assert_eq!(first.shown, vec![OrderId(po)], "{first:?}");

    stamp(&app, card, "Canceled", "2026-10-25 02:10:00.000000").await;
    let second = pass(&app, &worker).await;

    assert_eq!(second.shown, vec![OrderId(card)], "{second:?}");
}

// Naive columns only: SQLite's TEXT and MariaDB's DATETIME (PostgreSQL's are timestamptz).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_in_the_repeated_fall_back_hour_is_found_on_sqlite() {
    a_cancel_in_the_repeated_fall_back_hour_is_found(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mysql_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_MYSQL_URL to run"
)]
async fn a_cancel_in_the_repeated_fall_back_hour_is_found_on_mariadb() {
    a_cancel_in_the_repeated_fall_back_hour_is_found(Backend::Mysql).await
}

/// MariaDB's TIMESTAMP holds instants, which the session (UTC) reads and writes; DATETIME is
/// naive. With store.timezone = Europe/Berlin, order-sync wrote Berlin's time into TIMESTAMP
/// columns (an hour ahead), and read the store's own changes an hour behind, under the watermark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mysql_tests),
    ignore = "skipped: set ORDER_SYNC_TEST_MYSQL_URL to run"
)]
async fn zone_aware_columns_of_a_berlin_store_hold_true_instants_on_mariadb() {
    let env = [("ORDER_SYNC__STORE__TIMEZONE", "Europe/Berlin")];
    let app = TestApp::spawn_on(Backend::Mysql, &env, |store| async move {
        store.create_store_tables().await?;
        for column in [
            "orders MODIFY updated_at TIMESTAMP(6) NULL DEFAULT NULL",
            "order_status_history MODIFY changed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
        ] {
            store.db().execute_script(&format!("ALTER TABLE {column}")).await?;
        }
        Ok(())
    })
    .await
    .expect("a MariaDB server");
    let (app, worker, card, _) = two_sent_orders_in(app).await;
    let epoch = |sql: &str| {
        let sql = sql.to_string();
        let app = &app;
        async move {
            let rows: Vec<(i64,)> = app.rows(&sql, Args::new().set("id", card)).await;
            (rows[0].0 - Utc::now().timestamp()).abs()
        }
    };
    let moved = "SELECT CAST(UNIX_TIMESTAMP(updated_at) AS SIGNED) FROM orders WHERE id = :id";
    assert!(epoch(moved).await < 60, "routing's updated_at is now");
    let logged = "SELECT CAST(UNIX_TIMESTAMP(MAX(changed_at)) AS SIGNED) \
                  FROM order_status_history WHERE order_id = :id";
    assert!(epoch(logged).await < 60, "its log row's changed_at is now");

    // The store's own cancel, stamped by the database.
    let cancel = "UPDATE orders SET status = 'Canceled', updated_at = CURRENT_TIMESTAMP(6) \
                  WHERE id = :id";
    app.exec(cancel, Args::new().set("id", card)).await;
    let pass = pass(&app, &worker).await;

    assert_eq!(pass.shown, vec![OrderId(card)], "{pass:?}");
}
