//! Stores that were there first: their names, codes and column types, on every backend.
//! order-sync migrates beside them without touching them, routes and repairs orders in their
//! own tables and codes, and reads their values exactly.

pub mod shops;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use order_sync::store::Store;
use order_sync::store::schema::Column;
use order_sync::store::sql::Args;

use crate::helpers::{Backend, TestApp, on_every_backend};

const SHOP_TABLES: [&str; 5] = [
    "shop_customer",
    "shop_product",
    "shop_order",
    "shop_order_line",
    "shop_order_log",
];

/// Every column of the named tables, as the database describes them.
async fn schema(store: &Store, tables: &[&str]) -> Vec<Vec<Column>> {
    let mut out = Vec::new();
    for t in tables {
        let ident = order_sync::store::mapping::Ident::required("t", t, true).unwrap();
        out.push(store.columns(&ident).await.expect("columns"));
    }
    out
}

/// The renamed shop, its tables created as its DBA did, and their columns before order-sync migrated.
async fn renamed_shop(backend: Backend) -> Option<(TestApp, Vec<Vec<Column>>)> {
    let before = Arc::new(Mutex::new(Vec::new()));
    let seen = before.clone();
    let app = TestApp::spawn_on(backend, shops::RENAMED_SHOP, |store| async move {
        store
            .db()
            .execute_script(&shops::renamed_shop_tables(backend))
            .await?;
        *seen.lock().unwrap() = schema(&store, &SHOP_TABLES).await;
        Ok(())
    })
    .await?;
    let before = before.lock().unwrap().clone();
    Some((app, before))
}

fn id(id: i64) -> Args {
    Args::new().set("id", id)
}

async fn a_store_with_its_own_names_and_codes_is_routed_and_repaired_in_its_own_tables(
    backend: Backend,
) {
    let Some((app, before)) = renamed_shop(backend).await else {
        return;
    };
    app.store.migrate().await.expect("a second migrate");
    assert_eq!(
        schema(&app.store, &SHOP_TABLES).await,
        before,
        "migrate left the store's tables as they were"
    );
    let widget = app.product("WIDGET-1", "standard", true).await;
    let eval = app.product("EVAL", "evaluation", true).await;
    let customer = app.customer("Lindqvist").await;
    let card = app.order(customer).line(widget, 2, "19.99").place().await;
    let po = app
        .order(customer)
        .purchase_order("PO-1")
        .line(widget, 1, "5.00")
        .place()
        .await;
    let repair = app.order(customer).line(eval, 1, "0.00").place().await;
    // The store's own clock stamps one of them, in its own format (SQLite: "2026-11-27 13:57:46").
    app.exec(
        "UPDATE shop_order SET created = CURRENT_TIMESTAMP WHERE order_no = :id",
        id(card),
    )
    .await;

    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    assert!(
        app.store
            .stuck_orders(an_hour_ago)
            .await
            .unwrap()
            .is_empty(),
        "orders placed a moment ago are not stuck"
    );
    let worker = app.worker();
    app.drain(&worker, 5).await;

    let state = |o: i64| app.text("SELECT state FROM shop_order WHERE order_no = :id", id(o));
    assert_eq!(state(card).await.as_deref(), Some("processing"));
    assert_eq!(state(po).await.as_deref(), Some("awaiting_po"));
    assert_eq!(state(repair).await.as_deref(), Some("evaluating"));
    let log: Vec<(Option<String>, Option<String>, Option<String>)> = app
        .rows("SELECT old_state, new_state, who FROM shop_order_log WHERE order_no = :id ORDER BY log_id", id(card))
        .await;
    assert_eq!(
        log,
        [(
            Some("placed".into()),
            Some("processing".into()),
            Some("test-worker".into())
        )]
    );
    assert!(
        app.text(
            "SELECT CAST(modified AS CHAR(40)) FROM shop_order WHERE order_no = :id",
            id(card)
        )
        .await
        .is_some()
    );

    app.exec(
        "UPDATE shop_order SET channel = 'phone' WHERE order_no = :id",
        id(repair),
    )
    .await;
    app.mark_evaluation_complete(repair);
    let repairer = app.repairer(&worker);
    repairer.run_pass().await.expect("repair pass");
    assert_eq!(state(repair).await.as_deref(), Some("quoted"));
    app.accept_quote(repair, Some("250.00"));
    let reissued = repairer.run_pass().await.expect("repair pass").reissued;
    let [(old, new)] = reissued[..] else {
        panic!("one reissue: {reissued:?}")
    };
    assert_eq!(old, repair);
    assert_eq!(state(old).await.as_deref(), Some("cancelled"));
    let copy: Vec<(Option<String>, Option<String>, Option<String>)> = app
        .rows(
            "SELECT ref, why_cancelled, channel FROM shop_order WHERE order_no IN (:old, :new) ORDER BY order_no",
            Args::new().set("old", old).set("new", new),
        )
        .await;
    let old_ref = copy[0].0.clone().unwrap();
    assert_eq!(copy[0].1.as_deref(), Some("price changed"));
    assert_eq!(
        copy[1],
        (Some(format!("{old_ref}-R")), None, Some("phone".into())),
        "a copy, set anew where mapped"
    );
    assert_eq!(
        app.store
            .order_detail(new)
            .await
            .unwrap()
            .unwrap()
            .reissue_of,
        Some(old)
    );
    let money = |sql: &'static str| app.text(sql, id(new));
    assert_eq!(
        decimal(
            money("SELECT CAST(grand_total AS CHAR(20)) FROM shop_order WHERE order_no = :id")
                .await
        ),
        "250"
    );
    assert_eq!(
        decimal(
            money("SELECT CAST(price AS CHAR(20)) FROM shop_order_line WHERE order_no = :id").await
        ),
        "250"
    );
    assert_eq!(
        decimal(
            money("SELECT CAST(line_total AS CHAR(20)) FROM shop_order_line WHERE order_no = :id")
                .await
        ),
        "250"
    );
    assert_eq!(
        money("SELECT warehouse FROM shop_order_line WHERE order_no = :id")
            .await
            .as_deref(),
        Some("main")
    );

    app.drain(&worker, 5).await;
    assert_eq!(state(new).await.as_deref(), Some("processing"));
    assert_eq!(
        app.fake.count("Opportunity"),
        3,
        "the reissue updates the evaluation's Opportunity"
    );
}
on_every_backend!(a_store_with_its_own_names_and_codes_is_routed_and_repaired_in_its_own_tables);

/// A store's decimal text ("250.00", "250", "250.0000") as a normalized number.
fn decimal(text: Option<String>) -> String {
    text.expect("a value")
        .trim()
        .parse::<rust_decimal::Decimal>()
        .expect("a decimal")
        .normalize()
        .to_string()
}

async fn a_value_the_store_keeps_inexactly_parks_the_order_with_what_was_found(backend: Backend) {
    let Some((app, _)) = renamed_shop(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Okafor").await;
    let half = app.order(customer).line(widget, 2, "10.00").place().await;
    let whole = app.order(customer).line(widget, 2, "10.00").place().await;
    app.exec(
        "UPDATE shop_order_line SET qty = 2.5 WHERE order_no = :id",
        id(half),
    )
    .await;
    app.exec(
        "UPDATE shop_order_line SET qty = 3.0 WHERE order_no = :id",
        id(whole),
    )
    .await;

    let report = app.drain(&app.worker(), 5).await;

    assert_eq!(report.parked.len(), 1);
    let parked = app.store.order_detail(half).await.unwrap().unwrap();
    let reason = parked.last_error.unwrap_or_default();
    assert!(reason.contains("fractional quantity 2.5"), "{reason}");
    assert_eq!(app.status_of(whole).await, "In Process", "3.0 is three");
    let quantity = &app
        .fake
        .find("OrderItem", "Store_Line_Id__c", &line_of(&app, whole).await)[0];
    assert_eq!(quantity.fields["Quantity"].as_f64(), Some(3.0));
}
on_every_backend!(a_value_the_store_keeps_inexactly_parks_the_order_with_what_was_found);

async fn line_of(app: &TestApp, order: i64) -> String {
    let line = app.text(
        "SELECT CAST(line_id AS CHAR(20)) FROM shop_order_line WHERE order_no = :id",
        id(order),
    );
    line.await.expect("a line").trim().to_string()
}

mod opencart;
mod platforms;

async fn integer_cents_and_date_only_times_are_read_as_the_store_means_them(backend: Backend) {
    let cents_shop = |backend| {
        shops::renamed_shop_tables(backend)
            .replace("NUMERIC(12,2)", "INTEGER")
            .replace(
                "created TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
                "created DATE",
            )
    };
    let env: Vec<(&str, &str)> = shops::RENAMED_SHOP
        .iter()
        .copied()
        .chain([("ORDER_SYNC__STORE__MONEY", "cents")])
        .collect();
    let Some(app) = TestApp::spawn_on(backend, &env, |store| async move {
        store.db().execute_script(&cents_shop(backend)).await?;
        Ok(())
    })
    .await
    else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Cents").await;
    let order = app.order(customer).line(widget, 2, "19.99").place().await;
    let price = app
        .text(
            "SELECT CAST(price AS CHAR(20)) FROM shop_order_line WHERE order_no = :id",
            id(order),
        )
        .await;
    assert_eq!(price.unwrap().trim(), "1999", "the store keeps cents");

    app.drain(&app.worker(), 5).await;

    assert_eq!(
        app.status_of(order).await,
        "In Process",
        "a DATE placed_at is a time like any other"
    );
    let item = &app
        .fake
        .find("OrderItem", "Store_Line_Id__c", &line_of(&app, order).await)[0];
    assert_eq!(
        item.fields["UnitPrice"].as_f64(),
        Some(19.99),
        "1999 cents are 19.99"
    );
    let opportunity = &app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &order.to_string())[0];
    assert_eq!(opportunity.fields["Amount"].as_f64(), Some(39.98));
}
on_every_backend!(integer_cents_and_date_only_times_are_read_as_the_store_means_them);
