//! WooCommerce 8.4 (HPOS tables, `wp_` prefix): orders with refunds beside them, line data in
//! item meta, names on address rows, shipping and fee rows among the items, order notes in
//! wp_comments, and new order ids from wp_posts placeholders.

use order_sync::store::sql::Args;

use super::{
    amount, check_passes_with_information, evaluated_and_accepted, nothing_stuck, on_mariadb,
    platform, quote_lines, sent, value,
};
use crate::helpers::{Backend, TestApp};

/// A line item: (product id, variation id or 0, quantity, line subtotal).
type Item = (i64, i64, i64, &'static str);

/// What WooCommerce's checkout writes for order `id`: the placeholder post, the order row, its
/// billing and shipping addresses, its operational data, its items with their meta, and a
/// shipping and a fee row.
async fn checkout(
    app: &TestApp,
    id: i64,
    status: &str,
    customer: i64,
    email: &str,
    payment: &str,
    items: &[Item],
) {
    let a = || Args::new().set("id", id);
    app.exec(
        "INSERT INTO wp_posts (ID, post_content, post_title, post_excerpt, post_status, to_ping, pinged, \
           post_content_filtered, post_type) VALUES (:id, '', '', '', 'draft', '', '', '', 'shop_order_placehold')",
        a(),
    )
    .await;
    let total: f64 = items
        .iter()
        .map(|i| i.3.parse::<f64>().unwrap())
        .sum::<f64>()
        + 12.5;
    app.exec(
        "INSERT INTO wp_wc_orders (id, status, currency, type, tax_amount, total_amount, customer_id, \
           billing_email, date_created_gmt, date_updated_gmt, payment_method, payment_method_title) \
         VALUES (:id, :status, 'USD', 'shop_order', 0, :total, :customer, :email, UTC_TIMESTAMP(), \
           UTC_TIMESTAMP(), :payment, 'Card')",
        a().set("status", status).set("total", format!("{total:.2}")).set("customer", customer)
            .set("email", email).set("payment", payment),
    )
    .await;
    for kind in ["billing", "shipping"] {
        app.exec(
            "INSERT INTO wp_wc_order_addresses (order_id, address_type, first_name, last_name, company, \
               address_1, city, postcode, country, email, phone) \
             VALUES (:id, :kind, 'Kim', 'Sato', 'Sato Repairs', '1 Main St', 'Springfield', '12345', 'US', :email, '+1 555 0100')",
            a().set("kind", kind).set("email", email),
        )
        .await;
    }
    app.exec(
        "INSERT INTO wp_wc_order_operational_data (order_id, created_via, woocommerce_version, \
           prices_include_tax, order_key, shipping_total_amount) VALUES (:id, 'checkout', '8.4.0', 0, :key, 10)",
        a().set("key", format!("wc_order_{id}abcdef")),
    )
    .await;
    for (product, variation, qty, subtotal) in items {
        let item = add_item(app, id, "line_item", "Widget").await;
        for (key, v) in [
            ("_product_id", product.to_string()),
            ("_variation_id", variation.to_string()),
            ("_qty", qty.to_string()),
            ("_tax_class", String::new()),
            ("_line_subtotal", subtotal.to_string()),
            ("_line_subtotal_tax", "0".into()),
            ("_line_total", subtotal.to_string()),
            ("_line_tax", "0".into()),
        ] {
            meta(app, item, key, &v).await;
        }
    }
    let shipping = add_item(app, id, "shipping", "Flat rate").await;
    meta(app, shipping, "cost", "10.00").await;
    let fee = add_item(app, id, "fee", "Handling").await;
    meta(app, fee, "_line_total", "2.50").await;
}

async fn add_item(app: &TestApp, order: i64, kind: &str, name: &str) -> i64 {
    app.exec(
        "INSERT INTO wp_woocommerce_order_items (order_item_name, order_item_type, order_id) VALUES (:name, :kind, :id)",
        Args::new().set("name", name).set("kind", kind).set("id", order),
    )
    .await;
    value(app, "SELECT CAST(MAX(order_item_id) AS CHAR) FROM wp_woocommerce_order_items WHERE order_id = :id", order)
        .await
        .parse()
        .unwrap()
}

async fn meta(app: &TestApp, item: i64, key: &str, v: &str) {
    app.exec(
        "INSERT INTO wp_woocommerce_order_itemmeta (order_item_id, meta_key, meta_value) VALUES (:item, :key, :v)",
        Args::new().set("item", item).set("key", key).set("v", v),
    )
    .await;
}

/// A meta value of the order's line item(s).
async fn item_meta(app: &TestApp, order: i64, key: &str) -> String {
    let sql = format!(
        "SELECT MIN(m.meta_value) FROM wp_woocommerce_order_itemmeta m JOIN wp_woocommerce_order_items i \
           ON i.order_item_id = m.order_item_id WHERE i.order_id = :id AND m.meta_key = '{key}'"
    );
    value(app, &sql, order).await
}

async fn admin_sets(app: &TestApp, id: i64, status: &str) {
    let a = Args::new().set("id", id).set("status", status);
    app.exec("UPDATE wp_wc_orders SET status = :status, date_updated_gmt = UTC_TIMESTAMP() WHERE id = :id", a)
        .await;
}

async fn a_woocommerce_store_is_served_on_its_hpos_tables(backend: Backend) {
    let Some(app) = platform(backend, "woocommerce").await else {
        return;
    };
    for (sku, price) in [
        ("WIDGET-1", "19.99"),
        ("SHIRT-BLUE", "25.00"),
        ("EVAL-REPAIR", "0.00"),
    ] {
        app.fake.add_product(sku, sku, price);
    }
    app.exec(
        "INSERT INTO wp_wc_product_meta_lookup (product_id, sku) VALUES (10, 'WIDGET-1'), (20, ''), \
           (21, 'SHIRT-BLUE'), (30, 'EVAL-REPAIR')",
        Args::new(),
    )
    .await;
    // A card order with a variation, shipping and a fee; its partial refund; a guest's purchase
    // order with a PO number kept by the plugin; a guest's evaluation; and orders in the
    // store's other statuses.
    checkout(
        &app,
        1001,
        "wc-order-placed",
        7,
        "kim@example.com",
        "stripe",
        &[(10, 0, 2, "39.98"), (20, 21, 1, "25.00")],
    )
    .await;
    app.exec(
        "INSERT INTO wp_wc_orders (id, status, currency, type, total_amount, parent_order_id, date_created_gmt, \
           date_updated_gmt) VALUES (1002, 'wc-completed', 'USD', 'shop_order_refund', -25, 1001, UTC_TIMESTAMP(), UTC_TIMESTAMP())",
        Args::new(),
    )
    .await;
    checkout(
        &app,
        1003,
        "wc-order-placed",
        0,
        "lee@example.com",
        "woocommerce_gateway_purchase_order",
        &[(10, 0, 1, "19.99")],
    )
    .await;
    app.exec(
        "INSERT INTO wp_wc_orders_meta (order_id, meta_key, meta_value) VALUES (1003, '_po_number', 'PO-77')",
        Args::new(),
    )
    .await;
    checkout(
        &app,
        1004,
        "wc-order-placed",
        0,
        "ana@example.com",
        "stripe",
        &[(30, 0, 1, "0.00")],
    )
    .await;
    checkout(
        &app,
        1005,
        "wc-checkout-draft",
        7,
        "kim@example.com",
        "stripe",
        &[(10, 0, 1, "19.99")],
    )
    .await;
    checkout(
        &app,
        1006,
        "wc-pending",
        7,
        "kim@example.com",
        "stripe",
        &[(10, 0, 1, "19.99")],
    )
    .await;

    check_passes_with_information(&app, &["wc-checkout-draft"]).await;
    let worker = app.worker();
    app.drain(&worker, 5).await;

    assert_eq!(app.status_of(1001).await, "In Process");
    assert_eq!(app.status_of(1003).await, "Awaiting Payment");
    assert_eq!(app.status_of(1004).await, "Awaiting Evaluation");
    assert!(!sent(&app, 1002), "the refund row is never an order");
    let counts = app.store.status_counts().await.expect("counts");
    assert!(
        !counts.by_status.iter().any(|(s, _)| s == "Completed"),
        "the refund (wc-completed) is not counted as an order: {counts:?}"
    );
    assert!(
        !sent(&app, 1005) && !sent(&app, 1006),
        "other statuses are left alone"
    );
    assert_eq!(
        quote_lines(&app, 1001),
        vec![
            ("SHIRT-BLUE".into(), 1.0, 25.0),
            ("WIDGET-1".into(), 2.0, 19.99)
        ],
        "products only (no shipping, fee), the variation by its own sku, the price from the subtotal"
    );
    assert_eq!(amount(&app, 1001), 64.98);
    assert_eq!(
        app.sf_field("Order", 1003, "PoNumber").as_deref(),
        Some("PO-77")
    );
    assert_eq!(
        app.fake
            .find("Contact", "Store_Customer_Id__c", "guest:lee@example.com")
            .len(),
        1,
        "a guest by e-mail, named from the billing address"
    );
    let note = value(
        &app,
        "SELECT comment_content FROM wp_comments WHERE comment_post_ID = :id AND comment_type = 'order_note' \
           AND comment_agent = 'order-sync'",
        1001,
    )
    .await;
    assert!(
        note.contains("In Process"),
        "an order note says the move: {note:?}"
    );

    // Later moves: a cancel closes the deal lost; a refund (the store's own status) is left alone.
    admin_sets(&app, 1003, "wc-cancelled").await;
    admin_sets(&app, 1001, "wc-refunded").await;
    order_sync::app::lifecycle_for(&app.settings, &worker)
        .run_pass()
        .await
        .expect("pass");
    assert_eq!(
        app.sf_field("Opportunity", 1003, "StageName").as_deref(),
        Some("Closed Lost")
    );
    assert_eq!(
        app.sf_field("Opportunity", 1001, "StageName").as_deref(),
        Some("Closed Won")
    );

    // The repair flow: the evaluation is priced and accepted; its reissue copies the order, its
    // addresses and its items' meta, at the accepted price, under a new placeholder id.
    let (old, new) = (
        1004,
        evaluated_and_accepted(&app, &worker, 1004, "80.00").await,
    );
    assert!(new > 1006, "a new id from wp_posts: {new}");
    for key in ["_line_subtotal", "_line_total"] {
        let v = item_meta(&app, new, key).await;
        assert_eq!(
            v.parse::<f64>().ok(),
            Some(80.0),
            "{key} at the accepted price: {v}"
        );
    }
    assert_eq!(item_meta(&app, new, "_qty").await, "1");
    assert_eq!(item_meta(&app, new, "_product_id").await, "30");
    let billing = value(&app, "SELECT last_name FROM wp_wc_order_addresses WHERE order_id = :id AND address_type = 'billing'", new).await;
    assert_eq!(billing, "Sato", "the addresses are copied");
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(new).await, "In Process");
    assert_eq!(
        amount(&app, old),
        80.0,
        "the same Opportunity, at the accepted price"
    );
    nothing_stuck(&app).await;
}
on_mariadb!(a_woocommerce_store_is_served_on_its_hpos_tables);
