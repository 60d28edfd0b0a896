//! OpenCart 3.0.3.9 on its install SQL: abandoned checkouts (status 0), Shipped and Processed
//! beside Complete and Processing, guests on the order row, and dozens of NOT NULL columns a
//! reissue copies.

use order_sync::store::sql::{Args, Value};

use super::{
    amount, check_passes_with_information, evaluated_and_accepted, insert_row, nothing_stuck,
    on_mariadb, platform, sent, value,
};
use crate::helpers::{Backend, TestApp};

/// What `addOrder` and `addOrderHistory` write: the order in `status`, its products; returns order_id.
async fn checkout(
    app: &TestApp,
    customer: i64,
    email: &str,
    payment: &str,
    status: i64,
    lines: &[(&str, i64, &str)],
) -> i64 {
    let total: f64 = lines
        .iter()
        .map(|l| l.1 as f64 * l.2.parse::<f64>().unwrap())
        .sum();
    insert_row(
        app,
        "oc_order",
        &[
            ("store_name", "ATS Online Store".into()),
            ("customer_id", customer.into()),
            ("firstname", "Kim".into()),
            ("lastname", "Sato".into()),
            ("email", email.into()),
            ("payment_code", payment.into()),
            ("order_status_id", status.into()),
            ("currency_code", "USD".into()),
            ("total", Value::from(format!("{total:.4}"))),
            ("date_added", "2026-12-07 10:00:00".into()),
            ("date_modified", "2026-12-07 10:00:00".into()),
        ],
    )
    .await;
    let id: i64 = value(
        app,
        "SELECT CAST(MAX(order_id) AS CHAR) FROM oc_order WHERE :id = :id",
        0,
    )
    .await
    .parse()
    .unwrap();
    for (model, qty, price) in lines {
        insert_row(
            app,
            "oc_order_product",
            &[
                ("order_id", id.into()),
                ("product_id", 50.into()),
                ("name", (*model).into()),
                ("model", (*model).into()),
                ("quantity", (*qty).into()),
                ("price", (*price).into()),
                ("reward", 7.into()),
            ],
        )
        .await;
    }
    id
}

async fn admin_sets(app: &TestApp, id: i64, status: i64) {
    let a = Args::new().set("id", id).set("status", status);
    // OpenCart writes the server's local time (Europe/Berlin here).
    app.exec(
        "UPDATE oc_order SET order_status_id = :status, date_modified = CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+01:00') \
         WHERE order_id = :id",
        a,
    )
    .await;
}

async fn an_opencart_store_is_served_on_its_install_tables(backend: Backend) {
    let Some(app) = platform(backend, "opencart").await else {
        return;
    };
    app.fake.add_product("WIDGET-1", "Torque widget", "19.99");
    app.fake
        .add_product("EVAL-REPAIR", "Repair evaluation", "0.00");
    let card = checkout(
        &app,
        42,
        "kim@example.com",
        "pp_pro",
        1,
        &[("WIDGET-1", 2, "19.99")],
    )
    .await;
    let po = checkout(
        &app,
        0,
        "lee@example.com",
        "purchase_order",
        1,
        &[("WIDGET-1", 1, "19.99")],
    )
    .await;
    let eval = checkout(
        &app,
        0,
        "ana@example.com",
        "authorizenet_aim",
        1,
        &[("EVAL-REPAIR", 1, "0.00")],
    )
    .await;
    let abandoned = checkout(
        &app,
        42,
        "kim@example.com",
        "pp_pro",
        0,
        &[("WIDGET-1", 1, "19.99")],
    )
    .await;
    let voided = checkout(
        &app,
        42,
        "kim@example.com",
        "pp_pro",
        16,
        &[("WIDGET-1", 1, "19.99")],
    )
    .await;

    check_passes_with_information(&app, &["0", "16"]).await;
    let worker = app.worker();
    app.drain(&worker, 5).await;

    assert_eq!(app.status_of(card).await, "In Process");
    assert_eq!(app.status_of(po).await, "Awaiting Payment");
    assert_eq!(app.status_of(eval).await, "Awaiting Evaluation");
    assert!(!sent(&app, abandoned) && !sent(&app, voided));
    assert_eq!(amount(&app, card), 39.98);

    // Shipped (3) is Completed: the purchase order's deal is won; Processed (15) reads as In
    // Process; Voided (16) is OpenCart's own and leaves the card order alone.
    admin_sets(&app, po, 3).await;
    admin_sets(&app, card, 16).await;
    order_sync::app::lifecycle_for(&app.settings, &worker)
        .run_pass()
        .await
        .expect("pass");
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Closed Won")
    );
    assert_eq!(app.status_of(po).await, "Completed");
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won")
    );

    let new = evaluated_and_accepted(&app, &worker, eval, "80.00").await;
    let reward = value(
        &app,
        "SELECT CAST(reward AS CHAR) FROM oc_order_product WHERE order_id = :id",
        new,
    )
    .await;
    assert_eq!(reward, "7", "columns outside the mapping are copied");
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(new).await, "In Process");
    assert_eq!(amount(&app, eval), 80.0);
    nothing_stuck(&app).await;
}
on_mariadb!(an_opencart_store_is_served_on_its_install_tables);
