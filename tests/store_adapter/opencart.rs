//! OpenCart, end to end on every backend, with the mapping README shows (config/stores/opencart.toml): integer status ids, customers and
//! guests on the order row, skus on the lines, and a reissue copying OpenCart's many NOT NULL columns.

use order_sync::store::sql::Args;

use super::shops;
use crate::helpers::{Backend, TestApp, on_every_backend};

/// What OpenCart's checkout writes for one order; returns its order_id.
async fn checkout(
    app: &TestApp,
    customer_id: i64,
    email: &str,
    payment: &str,
    lines: &[(&str, i64, &str)],
) -> i64 {
    let order = Args::new()
        .set("customer", customer_id)
        .set("email", email)
        .set("payment", payment)
        .set(
            "total",
            lines
                .iter()
                .map(|(_, q, p)| *q as f64 * p.parse::<f64>().unwrap())
                .sum::<f64>()
                .to_string(),
        );
    app.exec(
        "INSERT INTO oc_order (invoice_prefix, store_name, store_url, customer_id, firstname, lastname, email, \
           telephone, payment_method, payment_code, comment, total, order_status_id, currency_code, ip, user_agent, \
           date_added, date_modified) \
         VALUES ('INV-2026-00', 'ATS Online Store', 'https://store.example.com/', :customer, 'Kim', 'Sato', :email, \
           '+1 555 0100', 'Card', :payment, '', CAST(:total AS DECIMAL(15,4)), 1, 'USD', '203.0.113.9', 'Firefox', \
           CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        order,
    )
    .await;
    let id: i64 = app
        .text(
            "SELECT CAST(MAX(order_id) AS CHAR(20)) FROM oc_order",
            Args::new(),
        )
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    for (model, quantity, price) in lines {
        let line = Args::new()
            .set("id", id)
            .set("model", *model)
            .set("quantity", *quantity)
            .set("price", *price);
        app.exec(
            "INSERT INTO oc_order_product (order_id, product_id, name, model, quantity, price, total, tax, reward) \
             VALUES (:id, 50, :model, :model, :quantity, CAST(:price AS DECIMAL(15,4)), \
               CAST(:price AS DECIMAL(15,4)) * :quantity, 0, 7)",
            line,
        )
        .await;
    }
    id
}

async fn an_opencart_store_is_served_as_it_is(backend: Backend) {
    let config = Some("config/stores/opencart.toml");
    let Some(app) = TestApp::spawn_configured(backend, config, &[], |store| async move {
        store
            .db()
            .execute_script(&shops::opencart_tables(backend))
            .await?;
        Ok(())
    })
    .await
    else {
        return;
    };
    app.fake.add_product("WIDGET-1", "Torque widget", "19.99");
    app.fake
        .add_product("EVAL-REPAIR", "Repair evaluation", "0.00");
    let registered = checkout(
        &app,
        42,
        "kim@example.com",
        "pp_pro",
        &[("WIDGET-1", 2, "19.99")],
    )
    .await;
    let guest_po = checkout(
        &app,
        0,
        "lee@example.com",
        "purchase_order",
        &[("WIDGET-1", 1, "19.99")],
    )
    .await;
    let guest_eval = checkout(
        &app,
        0,
        "ana@example.com",
        "authorizenet_aim",
        &[("EVAL-REPAIR", 1, "0.00")],
    )
    .await;
    let worker = app.worker();

    app.drain(&worker, 5).await;

    assert_eq!(app.status_of(registered).await, "In Process");
    assert_eq!(
        app.status_of(guest_po).await,
        "Awaiting Payment",
        "no PO column: a purchase order goes without one"
    );
    assert_eq!(
        app.status_of(guest_eval).await,
        "Awaiting Evaluation",
        "EVAL* skus are evaluations"
    );
    let code = |o: i64| {
        app.text(
            "SELECT CAST(order_status_id AS CHAR(10)) FROM oc_order WHERE order_id = :id",
            Args::new().set("id", o),
        )
    };
    assert_eq!(code(registered).await.unwrap().trim(), "2");
    let history = app.history(registered).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].to_status, "In Process");
    assert!(
        history[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("Opportunity")
    );
    assert_eq!(
        app.fake.find("Contact", "Store_Customer_Id__c", "42").len(),
        1,
        "a registered customer by id"
    );
    assert_eq!(
        app.fake
            .find("Contact", "Store_Customer_Id__c", "guest:lee@example.com")
            .len(),
        1,
        "a guest by e-mail"
    );

    app.mark_evaluation_complete(guest_eval);
    let repairer = app.repairer(&worker);
    repairer.run_pass().await.expect("repair pass");
    assert_eq!(code(guest_eval).await.unwrap().trim(), "19");
    app.accept_quote(guest_eval, Some("80.00"));
    let reissued = repairer.run_pass().await.expect("repair pass").reissued;
    let [(old, new)] = reissued[..] else {
        panic!("one reissue: {reissued:?}")
    };

    assert_eq!(code(old).await.unwrap().trim(), "7");
    assert_eq!(code(new).await.unwrap().trim(), "1");
    assert_eq!(
        app.store
            .order_detail(new)
            .await
            .unwrap()
            .unwrap()
            .reissue_of,
        Some(old),
        "kept in order-sync's own table"
    );
    let copied = app
        .text(
            "SELECT store_name FROM oc_order WHERE order_id = :id",
            Args::new().set("id", new),
        )
        .await;
    assert_eq!(
        copied.as_deref(),
        Some("ATS Online Store"),
        "columns outside the mapping are copied"
    );
    let line = |sql| app.text(sql, Args::new().set("id", new));
    let total =
        line("SELECT CAST(total AS CHAR(20)) FROM oc_order_product WHERE order_id = :id").await;
    assert_eq!(total.unwrap().trim().parse::<f64>().unwrap(), 80.0);
    assert_eq!(
        line("SELECT CAST(reward AS CHAR(20)) FROM oc_order_product WHERE order_id = :id")
            .await
            .unwrap()
            .trim(),
        "7"
    );
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(new).await, "In Process");
}
on_every_backend!(an_opencart_store_is_served_as_it_is);
