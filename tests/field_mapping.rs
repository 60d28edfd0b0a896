//! `[salesforce.mapping]`: configured fields arrive on each object with the right values and JSON
//! types, a value the org refuses parks the order, and the demo shows the link back to the store.

use order_sync::app::worker_with;
use order_sync::config::Settings;
use order_sync::salesforce::Salesforce;
use order_sync::sync::Worker;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, on_every_backend, test_env};

/// The mapping a store with an admin page would configure, one field of each kind.
pub(crate) const MAPPING: &str = r#"
[salesforce.mapping.Opportunity]
Store_Order_Number__c = "{order.number}"
Store_Order_URL__c = "https://store.example.com/admin/orders/{order.number}"
Store_Order_Total__c = "{order.total}"
Store_Order_Key__c = "{order.id}"
Store_Placed_On__c = "{order.placed_on}"
[salesforce.mapping.Order]
Store_Payment__c = "{order.payment_method} by {customer.email}"
[salesforce.mapping.QuoteLineItem]
Description = "{line.sku}: {line.name} x {line.quantity}"
[salesforce.mapping.OrderItem]
Store_Line_Total__c = "{line.total}"
"#;

/// The org's custom fields for [`MAPPING`], as an admin would add them in Setup.
pub(crate) fn declare_mapped_fields(app: &TestApp) {
    for (object, field, ftype) in [
        ("Opportunity", "Store_Order_Number__c", "string"),
        ("Opportunity", "Store_Order_URL__c", "url"),
        ("Opportunity", "Store_Order_Total__c", "currency"),
        ("Opportunity", "Store_Order_Key__c", "double"),
        ("Opportunity", "Store_Placed_On__c", "date"),
        ("Order", "Store_Payment__c", "string"),
        ("OrderItem", "Store_Line_Total__c", "currency"),
    ] {
        app.fake.add_field(object, field, ftype);
    }
}

/// Settings from `toml` as a config file, with the test's store and fake in the environment.
pub(crate) fn settings_from(
    app: &TestApp,
    toml: &str,
    env: &[(&str, &str)],
) -> Result<Settings, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("order-sync.toml");
    std::fs::write(&path, toml).expect("write config");
    let mut vars = test_env(&app.fake.url(), &app.settings.database.url);
    for (k, v) in env {
        vars.insert(k.to_string(), v.to_string());
    }
    Settings::load_with_env(Some(&path), Some(vars)).map_err(|e| e.to_string())
}

fn worker_for(app: &TestApp, settings: &Settings) -> Worker {
    let sf = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)
        .expect("client");
    worker_with(settings, app.store.clone(), sf)
}

fn one(app: &TestApp, object: &str, field: &str, value: &str) -> serde_json::Map<String, Value> {
    let found = app.fake.find(object, field, value);
    assert_eq!(found.len(), 1, "one {object} with {field} = {value}");
    found[0].fields.clone()
}

/// `field` of every record of a line-item object, sorted.
fn line_values(app: &TestApp, object: &str, field: &str) -> Vec<Value> {
    let mut values: Vec<Value> = app
        .fake
        .records(object)
        .into_iter()
        .map(|r| r.fields[field].clone())
        .collect();
    values.sort_by_key(|v| v.to_string());
    values
}

async fn mapped_fields_arrive_on_each_object_with_their_values_and_types(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    declare_mapped_fields(&app);
    let settings = settings_from(&app, MAPPING, &[]).expect("valid mapping");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hopper").await;
    let order = app
        .order(customer)
        .purchase_order("PO-77")
        .line(widget, 2, "19.99")
        .line(widget, 1, "5.02")
        .place()
        .await;

    let report = app.drain(&worker_for(&app, &settings), 20).await;

    assert_eq!(report.sent.len(), 1, "{report:?}");
    let key = order.to_string();
    let opp = one(&app, "Opportunity", "Store_Order_Id__c", &key);
    let number = opp["Store_Order_Number__c"]
        .as_str()
        .expect("text")
        .to_string();
    assert!(number.starts_with("T-"), "{number}");
    assert_eq!(
        opp["Store_Order_URL__c"],
        json!(format!("https://store.example.com/admin/orders/{number}"))
    );
    assert_eq!(
        opp["Store_Order_Total__c"],
        json!(45.0),
        "money as a JSON number"
    );
    assert_eq!(
        opp["Store_Order_Key__c"],
        json!(order),
        "a whole number as a JSON integer"
    );
    let placed_on = opp["Store_Placed_On__c"].as_str().expect("a date as text");
    assert_eq!(placed_on, chrono::Utc::now().format("%Y-%m-%d").to_string());
    let sf_order = one(&app, "Order", "Store_Order_Id__c", &key);
    assert_eq!(sf_order["PoNumber"], "PO-77", "the default mapping");
    assert_eq!(
        sf_order["Store_Payment__c"],
        "purchase_order by hopper@example.com"
    );
    assert_eq!(
        line_values(&app, "QuoteLineItem", "Description"),
        [
            json!("WIDGET-1: Product WIDGET-1 x 1"),
            json!("WIDGET-1: Product WIDGET-1 x 2")
        ]
    );
    let mut totals: Vec<f64> = app
        .fake
        .records("OrderItem")
        .iter()
        .map(|r| {
            r.fields["Store_Line_Total__c"]
                .as_f64()
                .expect("a JSON number")
        })
        .collect();
    totals.sort_by(f64::total_cmp);
    assert_eq!(totals, [5.02, 39.98]);
}
on_every_backend!(mapped_fields_arrive_on_each_object_with_their_values_and_types);

async fn a_mapped_value_the_org_refuses_parks_the_order_with_the_field_named(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.fake
        .add_field("Opportunity", "Store_Order_Number__c", "string");
    app.fake
        .set_field_length("Opportunity", "Store_Order_Number__c", 5);
    let toml = "[salesforce.mapping.Opportunity]\nStore_Order_Number__c = \"{order.number}\"\n";
    let settings = settings_from(&app, toml, &[]).expect("valid mapping");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Hopper").await;
    let order = app.order(customer).line(widget, 1, "9.00").place().await;

    let report = app.drain(&worker_for(&app, &settings), 20).await;

    assert_eq!(report.parked, vec![order_sync::domain::OrderId(order)]);
    let d = app.store.order_detail(order).await.unwrap().unwrap();
    assert_eq!(d.last_error_code.as_deref(), Some("STRING_TOO_LONG"));
    assert!(
        d.last_error
            .unwrap_or_default()
            .contains("Store_Order_Number__c")
    );
}
on_every_backend!(a_mapped_value_the_org_refuses_parks_the_order_with_the_field_named);

#[test]
fn the_readme_documents_every_placeholder() {
    let readme = include_str!("../README.md");

    for (_, name, ..) in order_sync::config::PLACEHOLDERS {
        assert!(
            readme.contains(&format!("| `{{{name}}}` |")),
            "README: Field mapping lacks {{{name}}}"
        );
    }
}

#[tokio::test]
async fn the_demo_shows_the_link_from_salesforce_back_to_the_store() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };

    let run = app.run_cli(&["demo"], &[]).await;

    assert_eq!(run.code, Some(0), "{}", run.output);
    assert!(
        run.output
            .contains("Store_Order_URL__c = https://store.example.com/admin/orders/ATS-1001"),
        "{}",
        run.output
    );
}
