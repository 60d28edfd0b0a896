//! Mapping problems are caught before anything is sent: start-up names the key of each bad
//! mapping (in a file or the environment), and `check` judges each field against describe.

use order_sync::check::{CheckItem, checklist};
use order_sync::salesforce::SfObject;

use crate::field_mapping::{MAPPING, declare_mapped_fields, settings_from};
use crate::helpers::{Backend, TestApp, on_every_backend};

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
        .for_object(SfObject::Opportunity)
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
        off.salesforce.mapping.for_object(SfObject::Order).count(),
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
