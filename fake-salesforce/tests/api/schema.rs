//! The org's schema is fixed by the catalog and the test: writes naming what the org does not
//! have fail as on a real org, and declared fields, picklist values and lengths are enforced.

use serde_json::json;

use crate::common::{Env, error_code};

#[tokio::test]
async fn a_write_naming_an_undeclared_field_is_refused_and_invents_nothing() {
    let env = Env::new().await;
    env.upsert_account("5", "A").await;

    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/5",
            json!({"Custom_Thing__c": 3}),
        )
        .await;

    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_FIELD")
    );
    assert_eq!(
        resp.body[0]["message"],
        "No such column 'Custom_Thing__c' on sobject of type Account"
    );
    let describe = env.get("/sobjects/Account/describe").await.body;
    let names: Vec<_> = describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert!(!names.contains(&json!("Custom_Thing__c")));
    assert!(
        !env.fake.records("Account")[0]
            .fields
            .contains_key("Custom_Thing__c")
    );
}

#[tokio::test]
async fn a_declared_field_is_described_and_written() {
    let env = Env::new().await;
    env.fake.add_field("Account", "Custom_Thing__c", "double");
    env.upsert_account("5", "A").await;

    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/5",
            json!({"Custom_Thing__c": 3}),
        )
        .await;

    assert_eq!(resp.status, 200);
    assert_eq!(env.fake.records("Account")[0].fields["Custom_Thing__c"], 3);
    let describe = env.get("/sobjects/Account/describe").await.body;
    let field = describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Custom_Thing__c")
        .cloned()
        .unwrap();
    assert_eq!(
        (field["type"].as_str(), field["createable"].as_bool()),
        (Some("double"), Some(true))
    );
    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/5",
            json!({"Custom_Thing__c": "three"}),
        )
        .await;
    assert_eq!(error_code(&resp.body), "JSON_PARSER_ERROR");
}

#[tokio::test]
async fn a_write_to_an_unknown_object_is_not_found_and_creates_no_object() {
    let env = Env::new().await;

    let created = env.post("/sobjects/Invoice__c", json!({"Name": "x"})).await;
    let upserted = env
        .patch(
            "/sobjects/Invoice__c/Store_Order_Id__c/1",
            json!({"Name": "x"}),
        )
        .await;

    for resp in [&created, &upserted] {
        assert_eq!(
            (resp.status.as_u16(), error_code(&resp.body)),
            (404, "NOT_FOUND")
        );
    }
    assert_eq!(env.get("/sobjects/Invoice__c/describe").await.status, 404);
    assert_eq!(env.fake.count("Invoice__c"), 0);
}

#[tokio::test]
async fn an_upsert_keyed_on_a_field_that_is_not_an_external_id_is_refused() {
    let env = Env::new().await;
    env.fake.add_field("Account", "Region__c", "string");

    let plain = env
        .patch("/sobjects/Account/Region__c/north", json!({"Name": "x"}))
        .await;
    let missing = env
        .patch("/sobjects/Account/Nope__c/1", json!({"Name": "x"}))
        .await;
    env.fake.set_external_id("Account", "Region__c", true);
    let declared = env
        .patch("/sobjects/Account/Region__c/north", json!({"Name": "x"}))
        .await;

    assert_eq!(
        (plain.status.as_u16(), error_code(&plain.body)),
        (400, "INVALID_FIELD")
    );
    assert_eq!(
        plain.body[0]["message"],
        "Field Region__c is not an External ID or Id field"
    );
    assert_eq!(
        (missing.status.as_u16(), error_code(&missing.body)),
        (404, "NOT_FOUND")
    );
    assert_eq!(declared.status, 201);
    assert_eq!(env.fake.count("Account"), 1);
}

#[tokio::test]
async fn a_value_outside_a_restricted_picklist_is_refused_until_it_is_added() {
    let env = Env::new().await;
    let opp = json!({"Name": "O", "StageName": "Shipped", "CloseDate": "2026-11-27"});

    let refused = env
        .patch("/sobjects/Opportunity/Store_Order_Id__c/1", opp.clone())
        .await;
    env.fake
        .add_picklist_value("Opportunity", "StageName", "Shipped");
    let accepted = env
        .patch("/sobjects/Opportunity/Store_Order_Id__c/1", opp)
        .await;

    assert_eq!(
        (refused.status.as_u16(), error_code(&refused.body)),
        (400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    );
    assert_eq!(
        refused.body[0]["message"],
        "StageName: bad value for restricted picklist field: Shipped"
    );
    assert_eq!(accepted.status, 201);
    let describe = env.get("/sobjects/Opportunity/describe").await.body;
    let stage = describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "StageName")
        .cloned()
        .unwrap();
    assert!(
        stage["picklistValues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["value"] == "Shipped")
    );
}

#[tokio::test]
async fn order_and_quote_status_are_restricted_picklists_too() {
    let env = Env::new().await;
    env.upsert_account("1", "A").await;
    let quote = env
        .patch(
            "/sobjects/Quote/Store_Order_Id__c/1",
            json!({"Name": "Q", "Status": "Signed"}),
        )
        .await;
    let order = env
        .patch(
            "/sobjects/Order/Store_Order_Id__c/1",
            json!({"Account": {"Store_Customer_Id__c": "1"}, "EffectiveDate": "2026-11-27", "Status": "Shipped"}),
        )
        .await;

    for resp in [&quote, &order] {
        assert_eq!(
            error_code(&resp.body),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
        );
    }
}

#[tokio::test]
async fn text_longer_than_the_field_and_computed_fields_are_refused() {
    let env = Env::new().await;
    env.fake.add_field("Account", "Code__c", "string");
    env.fake.set_field_length("Account", "Code__c", 3);
    env.fake.add_field("Account", "Score__c", "double");
    env.fake.make_read_only("Account", "Score__c");
    env.upsert_account("1", "A").await;
    let path = "/sobjects/Account/Store_Customer_Id__c/1";

    let long = env.patch(path, json!({"Code__c": "ABCD"})).await;
    let computed = env.patch(path, json!({"Score__c": 1})).await;
    let fits = env.patch(path, json!({"Code__c": "ABC"})).await;

    assert_eq!(error_code(&long.body), "STRING_TOO_LONG");
    assert_eq!(
        error_code(&computed.body),
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );
    assert_eq!(fits.status, 200);
    let describe = env.get("/sobjects/Account/describe").await.body;
    let field = |n: &str| {
        describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(field("Code__c")["length"], 3);
    assert_eq!(field("Score__c")["updateable"], false);
}
