//! `[salesforce.mapping]`: configured fields arrive on each object with the right values and JSON
//! types, bad mappings stop start-up naming the key, and `check` judges them against describe.

use order_sync::app::worker_with;
use order_sync::check::{CheckItem, checklist};
use order_sync::config::Settings;
use order_sync::salesforce::Salesforce;
use order_sync::sync::Worker;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, on_every_backend, test_env};

/// The mapping a store with an admin page would configure, one field of each kind.
const MAPPING: &str = r#"
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
fn declare_mapped_fields(app: &TestApp) {
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
fn settings_from(app: &TestApp, toml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
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
    let mut descriptions: Vec<Value> = app
        .fake
        .records("QuoteLineItem")
        .into_iter()
        .map(|r| r.fields["Description"].clone())
        .collect();
    descriptions.sort_by_key(|d| d.to_string());
    assert_eq!(
        descriptions,
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

#[tokio::test]
async fn each_bad_mapping_stops_start_up_naming_its_key() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let cases = [
        (
            "[salesforce.mapping.Opportunity]\nA__c = \"{order.numbr}\"",
            "salesforce.mapping.Opportunity.A__c: unknown placeholder {order.numbr}",
        ),
        (
            "[salesforce.mapping.Opportunity]\nA__c = \"x{order.number\"",
            "salesforce.mapping.Opportunity.A__c: the \"{\" at character 2 is never closed",
        ),
        (
            "[salesforce.mapping.Opportunity]\n\"Bad-Name__c\" = \"{order.id}\"",
            "salesforce.mapping.Opportunity.Bad-Name__c: \"Bad-Name__c\" is not a field API name",
        ),
        (
            "[salesforce.mapping.Opportunity]\n\"1st__c\" = \"{order.id}\"",
            "salesforce.mapping.Opportunity.1st__c: \"1st__c\" is not a field API name",
        ),
        (
            "[salesforce.mapping.Invoice__c]\nA__c = \"{order.id}\"",
            "salesforce.mapping.Invoice__c: \"Invoice__c\" is not an object order-sync writes",
        ),
        (
            "[salesforce.mapping.Opportunity]\nStageName = \"{order.number}\"",
            "salesforce.mapping.Opportunity.StageName: order-sync writes Opportunity.StageName itself",
        ),
        (
            "[salesforce.mapping.Order]\naccountid = \"{order.number}\"",
            "salesforce.mapping.Order.accountid: order-sync writes Order.accountid itself",
        ),
        (
            "[salesforce.mapping.Opportunity]\nStore_Order_Id__c = \"{order.id}\"",
            "order-sync writes Opportunity.Store_Order_Id__c itself",
        ),
        (
            "[salesforce.mapping.Opportunity]\nA__c = \"{line.sku}\"",
            "salesforce.mapping.Opportunity.A__c: {line.sku} is a line value",
        ),
    ];

    for (toml, expected) in cases {
        let err = settings_from(&app, toml, &[]).expect_err(toml);
        assert!(err.contains(expected), "{toml}\n→ {err}");
    }
    let fine = "[salesforce.mapping.OrderItem]\nA__c = \"{line.sku} of {order.number} {{x}}\"";
    assert!(settings_from(&app, fine, &[]).is_ok());
}

#[tokio::test]
async fn a_mapping_from_the_environment_is_a_json_object_and_wins_over_the_file() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let file = "[salesforce.mapping.Opportunity]\nA__c = \"{order.id}\"\nB__c = \"{order.number}\"";
    let env = [(
        "ORDER_SYNC__SALESFORCE__MAPPING__OPPORTUNITY",
        r#"{"A__c": "{customer.email}", "C__c": "{order.total}"}"#,
    )];

    let settings = settings_from(&app, file, &env).expect("valid");
    let bad = settings_from(
        &app,
        "",
        &[("ORDER_SYNC__SALESFORCE__MAPPING__ORDER", "PoNumber=x")],
    );
    let off = settings_from(
        &app,
        "",
        &[(
            "ORDER_SYNC__SALESFORCE__MAPPING__ORDER",
            r#"{"PoNumber": ""}"#,
        )],
    );

    let mapped: Vec<(String, String)> = settings
        .salesforce
        .mapping
        .for_object(order_sync::salesforce::SfObject::Opportunity)
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    assert_eq!(
        mapped,
        [
            ("B__c".to_string(), "{order.number}".to_string()),
            ("A__c".to_string(), "{customer.email}".to_string()),
            ("C__c".to_string(), "{order.total}".to_string()),
        ]
    );
    assert!(bad.expect_err("not JSON").contains("JSON object"));
    let off = off.expect("valid");
    assert_eq!(
        off.salesforce
            .mapping
            .for_object(order_sync::salesforce::SfObject::Order)
            .count(),
        0
    );
}

#[tokio::test]
async fn the_binary_refuses_to_start_with_an_unknown_placeholder_and_names_the_key() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };

    let run = app
        .run_cli(
            &["check"],
            &[(
                "ORDER_SYNC__SALESFORCE__MAPPING__OPPORTUNITY",
                r#"{"Store_Order_URL__c": "https://shop/{order.nummer}"}"#,
            )],
        )
        .await;

    assert_ne!(run.code, Some(0), "{}", run.output);
    assert!(
        run.output.contains(
            "salesforce.mapping.opportunity.Store_Order_URL__c: unknown placeholder {order.nummer}"
        ),
        "{}",
        run.output
    );
    assert_eq!(app.fake.api_calls(), 0, "nothing was sent");
}

fn failures(items: &[CheckItem]) -> Vec<&str> {
    items
        .iter()
        .filter(|i| !i.ok)
        .map(|i| i.label.as_str())
        .collect()
}

async fn check_reports_each_mapped_field_the_org_cannot_take(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.product("WIDGET-1", "standard", true).await;
    declare_mapped_fields(&app);
    app.fake.add_field("Opportunity", "Margin__c", "currency");
    app.fake.make_read_only("Opportunity", "Margin__c");
    app.fake.add_field("Opportunity", "Short__c", "string");
    app.fake.set_field_length("Opportunity", "Short__c", 10);
    app.fake.add_field("Opportunity", "Channel__c", "picklist");
    app.fake
        .add_picklist_value("Opportunity", "Channel__c", "Web");
    let opportunity = "[salesforce.mapping.Opportunity]\n";
    let extra = "Margin__c = \"{order.total}\"\nShort__c = \"order number {order.number}\"\nChannel__c = \"Shop\"\n";
    let toml = MAPPING.replace(opportunity, &format!("{opportunity}{extra}"))
        + "[salesforce.mapping.Account]\nStore_Since__c = \"{order.placed_on}\"\n\
           [salesforce.mapping.Quote]\nExpirationDate = \"{order.number}\"\n";
    let settings = settings_from(&app, &toml, &[]).expect("valid");

    let items = checklist(&settings).await;

    let failed = failures(&items);
    let expected = [
        "Account.Store_Since__c is missing (mapped by salesforce.mapping.Account.Store_Since__c)",
        "Quote.ExpirationDate cannot take \"{order.number}\": a date field takes {order.placed_on}",
        "Opportunity.Margin__c cannot take \"{order.total}\": cannot be written",
        "Opportunity.Channel__c cannot take \"Shop\": \"Shop\" is not an active value of the picklist",
        "Opportunity.Short__c cannot take \"order number {order.number}\": the template's fixed text alone is 13 characters; the field holds 10",
    ];
    assert_eq!(failed.len(), expected.len(), "{failed:#?}");
    for e in expected {
        assert!(
            failed.iter().any(|f| f.starts_with(e)),
            "{e}\nnot in {failed:#?}"
        );
    }
    let passed = |label: &str| items.iter().any(|i| i.ok && i.label.starts_with(label));
    assert!(passed("Opportunity.Store_Order_URL__c takes"), "{items:#?}");
    assert!(passed(
        "OrderItem.Store_Line_Total__c takes \"{line.total}\": a number"
    ));
    assert!(passed("Order.PoNumber takes"));
}
on_every_backend!(check_reports_each_mapped_field_the_org_cannot_take);

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
