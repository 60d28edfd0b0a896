//! The most used self-hosted shops on their own order tables, as each platform's install SQL
//! creates them (platforms/*.sql, each naming its source file and version), described by
//! README's worked examples (config/stores/*.toml, the very files README shows): on MariaDB.

use chrono::{Duration, Utc};
use order_sync::check::{CheckItem, checklist};
use order_sync::store::mapping::Ident;
use order_sync::store::schema::Kind;
use order_sync::store::sql::{Args, Value};

use crate::helpers::{Backend, TestApp};
use order_sync::sync::Worker;

mod magento;
mod opencart;
mod prestashop;
mod woocommerce;

/// Runs a platform test on MariaDB, reported as ignored (with the variable to set) without it.
macro_rules! on_mariadb {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(mysql_tests),
                ignore = "skipped: set ORDER_SYNC_TEST_MYSQL_URL to run"
            )]
            async fn mysql() {
                super::$name($crate::helpers::Backend::Mysql).await
            }
        }
    };
}
pub(crate) use on_mariadb;

/// A fresh database holding `platform`'s tables from its install SQL, and order-sync configured
/// with README's worked example for it.
pub async fn platform(backend: Backend, platform: &'static str) -> Option<TestApp> {
    let ddl = std::fs::read_to_string(format!(
        "{}/tests/store_adapter/platforms/{platform}.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the platform's install SQL");
    let config = format!("config/stores/{platform}.toml");
    TestApp::spawn_configured(backend, Some(&config), &[], |store| async move {
        store.db().execute_script(&ddl).await?;
        Ok(())
    })
    .await
}

/// `check`'s store lines: every one ✓, the store's own statuses as information naming `own`.
pub async fn check_passes_with_information(app: &TestApp, own: &[&str]) -> Vec<CheckItem> {
    let items = checklist(&app.settings).await;
    let failed: Vec<&CheckItem> = items
        .iter()
        .filter(|i| !i.ok && !i.label.contains("Salesforce") && !i.label.contains("price book"))
        .collect();
    assert!(failed.is_empty(), "no ✗ on the store's side: {failed:#?}");
    let info: Vec<&CheckItem> = items.iter().filter(|i| i.info).collect();
    for code in own {
        assert!(
            info.iter().any(|i| i.label.contains(&format!("{code:?}"))),
            "{code} is reported as information: {info:#?}"
        );
    }
    items
}

/// The Quote lines of `order`'s Quote as (sku, quantity, unit price).
pub fn quote_lines(app: &TestApp, order: i64) -> Vec<(String, f64, f64)> {
    let quote = app
        .fake
        .find("Quote", "Store_Order_Id__c", &order.to_string());
    assert_eq!(quote.len(), 1, "one Quote for order {order}");
    let entries = app.fake.records("PricebookEntry");
    let mut lines: Vec<(String, f64, f64)> = app
        .fake
        .find("QuoteLineItem", "QuoteId", &quote[0].id)
        .iter()
        .map(|l| {
            let entry = l
                .get("PricebookEntryId")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let sku = entries
                .iter()
                .find(|e| e.id == entry)
                .and_then(|e| e.get("ProductCode"))
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string();
            let number = |f: &str| l.get(f).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
            (sku, number("Quantity"), number("UnitPrice"))
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines
}

/// The Opportunity's Amount for `order`.
pub fn amount(app: &TestApp, order: i64) -> f64 {
    let opp = app
        .fake
        .find("Opportunity", "Store_Order_Id__c", &order.to_string());
    opp.first()
        .and_then(|o| o.get("Amount"))
        .and_then(|a| a.as_f64())
        .unwrap_or(f64::NAN)
}

/// The repair flow as technicians and the customer drive it: the evaluation is marked complete
/// (the order waits for approval), its quote accepted at `price` for every line; returns the
/// reissued order's id.
pub async fn evaluated_and_accepted(app: &TestApp, worker: &Worker, eval: i64, price: &str) -> i64 {
    app.mark_evaluation_complete(eval);
    let repairer = app.repairer(worker);
    repairer.run_pass().await.expect("repair pass");
    assert_eq!(app.status_of(eval).await, "Awaiting Customer Approval");
    app.accept_quote(eval, Some(price));
    let reissued = repairer.run_pass().await.expect("repair pass").reissued;
    let [(old, new)] = reissued[..] else {
        let why = app.store.order_detail(eval).await;
        panic!("one reissue: {reissued:?}; the evaluation: {why:?}")
    };
    assert_eq!((old, app.status_of(old).await.as_str()), (eval, "Canceled"));
    new
}

/// Whether Salesforce holds anything for store order `id`.
pub fn sent(app: &TestApp, id: i64) -> bool {
    !app.fake
        .find("Opportunity", "Store_Order_Id__c", &id.to_string())
        .is_empty()
}

/// A store column of one row, as text.
pub async fn value(app: &TestApp, sql: &str, id: i64) -> String {
    app.text(sql, Args::new().set("id", id))
        .await
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Nothing is stuck: `orders stuck` would say "No stuck orders".
pub async fn nothing_stuck(app: &TestApp) {
    let stuck = app
        .store
        .stuck_orders(Utc::now() - Duration::minutes(10))
        .await
        .expect("stuck");
    assert!(stuck.is_empty(), "no order is stuck: {stuck:#?}");
    let parked = app.store.parked_changes().await.expect("parked");
    assert!(parked.is_empty(), "no change is parked: {parked:?}");
}

/// Inserts a row into `table` with `given` values, and what a non-strict shop leaves to MySQL
/// for every other NOT NULL column without a default (`''`, 0, or now): a strict session needs it.
pub async fn insert_row(app: &TestApp, table: &str, given: &[(&'static str, Value)]) {
    let ident = Ident::required("table", table, false).expect("a table name");
    let columns = app.store.columns(&ident).await.expect("columns");
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut args = Args::new();
    for (name, v) in given {
        names.push(format!("`{name}`"));
        values.push(format!(":{name}"));
        args = args.set(name, v.clone());
    }
    for c in columns.iter().filter(|c| c.must_be_given()) {
        if given.iter().any(|(n, _)| *n == c.name) {
            continue;
        }
        names.push(format!("`{}`", c.name));
        values.push(match c.kind() {
            Kind::Integer | Kind::Decimal | Kind::Float => "0".into(),
            Kind::Time | Kind::Date => "UTC_TIMESTAMP()".into(),
            _ => "''".into(),
        });
    }
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        values.join(", ")
    );
    app.exec(&sql, args).await;
}

#[test]
fn readme_shows_each_worked_example_exactly_as_the_tests_run_it() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README");
    for platform in ["opencart", "magento", "woocommerce", "prestashop"] {
        let file = std::fs::read_to_string(format!("{root}/config/stores/{platform}.toml"))
            .expect("the worked example");
        assert!(
            readme.contains(&format!("```toml\n{file}```")),
            "README's {platform} example differs from config/stores/{platform}.toml"
        );
    }
}
