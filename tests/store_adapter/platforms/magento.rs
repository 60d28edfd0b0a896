//! Magento 2.4 (module-sales 103.0.8): a configurable product and bundles (fixed and dynamic
//! price) as the parent and child rows Magento writes, one Salesforce line per product bought;
//! the payment in its own table; statuses of its own (holded, closed) left alone.

use order_sync::store::sql::Args;

use super::{
    amount, check_passes_with_information, evaluated_and_accepted, nothing_stuck, on_mariadb,
    platform, quote_lines, sent, value,
};
use crate::helpers::{Backend, TestApp};

/// An item row: (sku, product type, quantity, unit price, index of its parent row or None).
type Item = (&'static str, &'static str, i64, &'static str, Option<usize>);

/// A configurable shirt (priced parent, zero-priced child of the same sku).
const SHIRT: [Item; 2] = [
    ("SHIRT-BLUE", "configurable", 1, "25.00", None),
    ("SHIRT-BLUE", "simple", 1, "0.00", Some(0)),
];

/// What Magento's checkout writes: the order (customer details copied on), its items (children
/// pointing at their parent's item_id) and its payment row; returns the order's entity_id.
async fn checkout(
    app: &TestApp,
    number: &str,
    status: &str,
    guest: bool,
    method: &str,
    items: &[Item],
) -> i64 {
    let total: f64 = items
        .iter()
        .map(|i| i.2 as f64 * i.3.parse::<f64>().unwrap())
        .sum();
    app.exec(
        "INSERT INTO sales_order (state, status, increment_id, store_id, customer_id, customer_is_guest, \
           customer_email, customer_firstname, customer_lastname, order_currency_code, base_currency_code, \
           grand_total, subtotal) \
         VALUES ('new', :status, :number, 1, :customer, :guest, 'kim@example.com', 'Kim', 'Sato', 'USD', 'USD', :total, :total)",
        Args::new()
            .set("status", status)
            .set("number", number)
            .set("customer", if guest { None } else { Some(42_i64) })
            .set("guest", i64::from(guest))
            .set("total", format!("{total:.2}")),
    )
    .await;
    let id: i64 = value(
        app,
        "SELECT CAST(MAX(entity_id) AS CHAR) FROM sales_order WHERE :id = :id",
        0,
    )
    .await
    .parse()
    .unwrap();
    let mut ids: Vec<i64> = Vec::new();
    for (sku, kind, qty, price, parent) in items {
        app.exec(
            "INSERT INTO sales_order_item (order_id, parent_item_id, store_id, product_id, product_type, sku, \
               name, qty_ordered, price, base_price, row_total, base_row_total) \
             VALUES (:id, :parent, 1, 50, :kind, :sku, :sku, :qty, :price, :price, :qty * :price, :qty * :price)",
            Args::new()
                .set("id", id)
                .set("parent", parent.map(|p| ids[p]))
                .set("kind", *kind)
                .set("sku", *sku)
                .set("qty", *qty)
                .set("price", *price),
        )
        .await;
        ids.push(
            value(
                app,
                "SELECT CAST(MAX(item_id) AS CHAR) FROM sales_order_item WHERE order_id = :id",
                id,
            )
            .await
            .parse()
            .unwrap(),
        );
    }
    app.exec(
        "INSERT INTO sales_order_payment (parent_id, method, po_number) VALUES (:id, :method, :po)",
        Args::new()
            .set("id", id)
            .set("method", method)
            .set("po", (method == "purchaseorder").then_some("PO-9")),
    )
    .await;
    id
}

async fn admin_sets(app: &TestApp, id: i64, status: &str) {
    let a = Args::new().set("id", id).set("status", status);
    app.exec("UPDATE sales_order SET status = :status, updated_at = UTC_TIMESTAMP() WHERE entity_id = :id", a)
        .await;
}

async fn a_magento_store_sends_one_line_per_product_bought(backend: Backend) {
    let Some(app) = platform(backend, "magento").await else {
        return;
    };
    for (sku, price) in [
        ("SHIRT-BLUE", "25.00"),
        ("KIT-FIXED", "150.00"),
        ("KIT-DYN-WIDGET-1-GASKET", "44.98"),
        ("EVAL-REPAIR", "0.00"),
    ] {
        app.fake.add_product(sku, sku, price);
    }
    let mut kits: Vec<Item> = SHIRT.to_vec();
    kits.extend([
        ("KIT-FIXED", "bundle", 1, "150.00", None),
        ("WIDGET-1", "simple", 2, "0.00", Some(2)),
        ("GASKET", "simple", 1, "0.00", Some(2)),
        // A dynamic-price bundle: the parent at 0, its parts priced (2 kits of 2 widgets and a gasket).
        ("KIT-DYN-WIDGET-1-GASKET", "bundle", 2, "0.00", None),
        ("WIDGET-1", "simple", 4, "19.99", Some(5)),
        ("GASKET", "simple", 2, "5.00", Some(5)),
    ]);
    let card = checkout(&app, "000000001", "pending", false, "braintree", &kits).await;
    let po = checkout(&app, "000000002", "pending", true, "purchaseorder", &SHIRT).await;
    let mut eval_items: Vec<Item> = vec![("EVAL-REPAIR", "simple", 1, "0.00", None)];
    eval_items.extend([
        ("SHIRT-BLUE", "configurable", 1, "25.00", None),
        ("SHIRT-BLUE", "simple", 1, "0.00", Some(1)),
    ]);
    let eval = checkout(&app, "000000003", "pending", true, "braintree", &eval_items).await;
    let held = checkout(&app, "000000004", "holded", false, "braintree", &SHIRT).await;

    check_passes_with_information(&app, &["holded"]).await;
    let worker = app.worker();
    app.drain(&worker, 5).await;

    assert_eq!(app.status_of(card).await, "In Process");
    assert_eq!(app.status_of(po).await, "Awaiting Payment");
    assert_eq!(app.status_of(eval).await, "Awaiting Evaluation");
    assert!(!sent(&app, held));
    assert_eq!(
        quote_lines(&app, card),
        vec![
            ("KIT-DYN-WIDGET-1-GASKET".into(), 2.0, 44.98),
            ("KIT-FIXED".into(), 1.0, 150.0),
            ("SHIRT-BLUE".into(), 1.0, 25.0),
        ],
        "one line per product bought, priced as paid"
    );
    assert_eq!(amount(&app, card), 264.96);
    let items = app
        .fake
        .find("Order", "Store_Order_Id__c", &card.to_string());
    let products = app.fake.find("OrderItem", "OrderId", &items[0].id);
    assert_eq!(products.len(), 3, "one Order product per product bought");
    assert_eq!(
        app.sf_field("Order", po, "PoNumber").as_deref(),
        Some("PO-9")
    );

    // Held by an administrator: not parked, not stuck, Salesforce unchanged; a PO shipped: won.
    admin_sets(&app, card, "holded").await;
    admin_sets(&app, po, "complete").await;
    order_sync::app::lifecycle_for(&app.settings, &worker)
        .run_pass()
        .await
        .expect("pass");
    assert_eq!(
        app.sf_field("Opportunity", po, "StageName").as_deref(),
        Some("Closed Won")
    );
    assert_eq!(
        app.sf_field("Opportunity", card, "StageName").as_deref(),
        Some("Closed Won")
    );

    // The reissue copies the configurable's child under the copy of its parent.
    let new = evaluated_and_accepted(&app, &worker, eval, "80.00").await;
    let number = value(
        &app,
        "SELECT increment_id FROM sales_order WHERE entity_id = :id",
        new,
    )
    .await;
    assert_eq!(number, "000000003-R");
    let linked = value(
        &app,
        "SELECT CAST(COUNT(*) AS CHAR) FROM sales_order_item c JOIN sales_order_item p \
           ON p.item_id = c.parent_item_id WHERE c.order_id = :id AND p.order_id = c.order_id",
        new,
    )
    .await;
    assert_eq!(
        linked, "1",
        "the child points at its parent's copy inside the new order"
    );
    app.drain(&worker, 5).await;
    assert_eq!(app.status_of(new).await, "In Process");
    assert_eq!(
        amount(&app, eval),
        160.0,
        "the reissue's two lines at the accepted price"
    );
    nothing_stuck(&app).await;
}
on_mariadb!(a_magento_store_sends_one_line_per_product_bought);
