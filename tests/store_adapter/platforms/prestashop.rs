//! PrestaShop 1.7.8: integer states with several meaning one status, the currency in a lookup
//! table, guests as customer rows flagged `is_guest` (one per checkout), and a history row that
//! needs an employee id.

use order_sync::store::sql::Args;

use super::{
    amount, check_passes_with_information, evaluated_and_accepted, nothing_stuck, on_mariadb,
    platform, quote_lines, sent, value,
};
use crate::helpers::{Backend, TestApp};

/// A customer row, as the checkout makes one (a guest gets a new one each time).
async fn customer(app: &TestApp, email: &str, guest: bool) -> i64 {
    app.exec(
        "INSERT INTO ps_customer (id_gender, firstname, lastname, email, passwd, is_guest, date_add, date_upd) \
         VALUES (1, 'Kim', 'Sato', :email, 'x', :guest, NOW(), NOW())",
        Args::new().set("email", email).set("guest", i64::from(guest)),
    )
    .await;
    value(
        app,
        "SELECT CAST(MAX(id_customer) AS CHAR) FROM ps_customer WHERE :id = :id",
        0,
    )
    .await
    .parse()
    .unwrap()
}

/// What `PaymentModule::validateOrder` writes: the order and its detail rows; returns id_order.
async fn checkout(
    app: &TestApp,
    customer: i64,
    currency: i64,
    state: i64,
    module: &str,
    lines: &[(&str, i64, &str)],
) -> i64 {
    let total: f64 = lines
        .iter()
        .map(|l| l.1 as f64 * l.2.parse::<f64>().unwrap())
        .sum();
    app.exec(
        "INSERT INTO ps_orders (reference, id_carrier, id_lang, id_customer, id_cart, id_currency, \
           id_address_delivery, id_address_invoice, current_state, payment, module, total_paid, total_products, \
           invoice_date, delivery_date, date_add, date_upd) \
         VALUES ('XKBKNABJK', 1, 1, :customer, 1, :currency, 1, 1, :state, 'Card', :module, :total, :total, \
           '0000-00-00 00:00:00', '0000-00-00 00:00:00', NOW(), NOW())",
        Args::new().set("customer", customer).set("currency", currency).set("state", state)
            .set("module", module).set("total", format!("{total:.2}")),
    )
    .await;
    let id: i64 = value(
        app,
        "SELECT CAST(MAX(id_order) AS CHAR) FROM ps_orders WHERE :id = :id",
        0,
    )
    .await
    .parse()
    .unwrap();
    for (sku, qty, price) in lines {
        app.exec(
            "INSERT INTO ps_order_detail (id_order, id_shop, product_id, product_name, product_reference, \
               product_quantity, product_price, unit_price_tax_excl, unit_price_tax_incl, total_price_tax_excl, \
               total_price_tax_incl, product_weight, tax_name) \
             VALUES (:id, 1, 7, :sku, :sku, :qty, :price, :price, :price, :qty * :price, :qty * :price, 0.5, 'VAT 0%')",
            Args::new().set("id", id).set("sku", *sku).set("qty", *qty).set("price", *price),
        )
        .await;
    }
    id
}

async fn admin_sets(app: &TestApp, id: i64, state: i64) {
    let a = Args::new().set("id", id).set("state", state);
    app.exec(
        "UPDATE ps_orders SET current_state = :state, date_upd = NOW() WHERE id_order = :id",
        a,
    )
    .await;
}

async fn a_prestashop_store_is_served_on_its_own_tables(backend: Backend) {
    let Some(app) = platform(backend, "prestashop").await else {
        return;
    };
    app.exec(
        "INSERT INTO ps_currency (id_currency, name, iso_code, conversion_rate) VALUES (1, 'Dollar', 'USD', 1), \
           (2, 'Euro', 'EUR', 0.92)",
        Args::new(),
    )
    .await;
    app.fake.enable_multi_currency(&["USD", "EUR"]);
    for currency in ["USD", "EUR"] {
        app.fake
            .add_product_in("WIDGET-1", "Widget", "19.99", currency);
        app.fake
            .add_product_in("EVAL-REPAIR", "Evaluation", "0.00", currency);
    }
    // Two guest checkouts by one person (two customer rows), a registered customer paying by
    // wire in euros, an evaluation, and orders in the shop's other states.
    let guest = customer(&app, "ana@example.com", true).await;
    let guest_again = customer(&app, "ana@example.com", true).await;
    let kim = customer(&app, "kim@example.com", false).await;
    let card = checkout(
        &app,
        guest,
        1,
        14,
        "ps_checkout",
        &[("WIDGET-1", 2, "19.99")],
    )
    .await;
    let card_again = checkout(
        &app,
        guest_again,
        1,
        14,
        "ps_checkout",
        &[("WIDGET-1", 1, "19.99")],
    )
    .await;
    let wire = checkout(
        &app,
        kim,
        2,
        14,
        "ps_wirepayment",
        &[("WIDGET-1", 1, "18.50")],
    )
    .await;
    let eval = checkout(
        &app,
        kim,
        1,
        14,
        "ps_checkout",
        &[("EVAL-REPAIR", 1, "0.00")],
    )
    .await;
    let refunded = checkout(&app, kim, 1, 7, "ps_checkout", &[("WIDGET-1", 1, "19.99")]).await;
    let accepted = checkout(&app, kim, 1, 11, "ps_checkout", &[("WIDGET-1", 1, "19.99")]).await;

    check_passes_with_information(&app, &["7"]).await;
    let worker = app.worker();
    app.drain(&worker, 5).await;

    let state = |id| {
        value(
            &app,
            "SELECT CAST(current_state AS CHAR) FROM ps_orders WHERE id_order = :id",
            id,
        )
    };
    assert_eq!(
        state(card).await,
        "2",
        "In Process: Payment accepted, the first of in_process's codes"
    );
    assert_eq!(app.status_of(card_again).await, "In Process");
    assert_eq!(app.status_of(wire).await, "Awaiting Payment");
    assert_eq!(app.status_of(eval).await, "Awaiting Evaluation");
    assert_eq!(
        app.status_of(accepted).await,
        "In Process",
        "Remote payment accepted reads as In Process"
    );
    assert!(!sent(&app, refunded) && !sent(&app, accepted));
    assert_eq!(
        app.fake
            .find("Contact", "Store_Customer_Id__c", "guest:ana@example.com")
            .len(),
        1,
        "a guest's two customer rows are one customer, keyed by e-mail"
    );
    assert_eq!(
        app.sf_field("Opportunity", wire, "CurrencyIsoCode")
            .as_deref(),
        Some("EUR")
    );
    assert_eq!(
        quote_lines(&app, wire),
        vec![("WIDGET-1".into(), 1.0, 18.5)]
    );
    let employee = value(
        &app,
        "SELECT CAST(MIN(id_employee) AS CHAR) FROM ps_order_history WHERE id_order = :id",
        card,
    )
    .await;
    assert_eq!(
        employee, "0",
        "the history row carries the fixed id_employee"
    );

    // Shipped is Completed: the wire order's deal is won; Refunded is the shop's own: left alone.
    admin_sets(&app, wire, 4).await;
    admin_sets(&app, card, 7).await;
    order_sync::app::lifecycle_for(&app.settings, &worker)
        .run_pass()
        .await
        .expect("pass");
    assert_eq!(
        app.sf_field("Opportunity", wire, "StageName").as_deref(),
        Some("Closed Won")
    );
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won")
    );

    let new = evaluated_and_accepted(&app, &worker, eval, "80.00").await;
    assert_eq!(state(eval).await, "6");
    assert_eq!(
        value(
            &app,
            "SELECT tax_name FROM ps_order_detail WHERE id_order = :id",
            new
        )
        .await,
        "VAT 0%",
        "the detail row's other columns are copied"
    );
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(new).await, "In Process");
    assert_eq!(amount(&app, eval), 80.0);
    nothing_stuck(&app).await;
}
on_mariadb!(a_prestashop_store_is_served_on_its_own_tables);
