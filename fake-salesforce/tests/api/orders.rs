//! Order statuses and activation, and currencies: what the fake refuses as a real org does.

use fake_salesforce::StatusCategory;
use serde_json::{Value, json};

use crate::common::{Env, error_code};

/// A Draft Order with one product in the standard price book; returns (order id, entry id).
async fn draft_order(env: &Env, key: &str) -> (String, String) {
    let acct = env.upsert_account(key, "A").await.body["id"].clone();
    let pbe = env
        .fake
        .add_product(&format!("SKU-{key}"), "Widget", "9.50");
    let book = env.fake.standard_pricebook_id();
    let order = json!({"AccountId": acct, "EffectiveDate": "2026-11-26", "Status": "Draft", "Pricebook2Id": book});
    let resp = env
        .patch(&format!("/sobjects/Order/Store_Order_Id__c/{key}"), order)
        .await;
    assert_eq!(resp.status, 201, "{:?}", resp.body);
    let id = resp.body["id"].as_str().unwrap().to_string();
    (id, pbe)
}

async fn add_item(env: &Env, order: &str, pbe: &str, key: &str) -> crate::common::Resp {
    let item = json!({"OrderId": order, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 9.5});
    env.patch(&format!("/sobjects/OrderItem/Store_Line_Id__c/{key}"), item)
        .await
}

fn activate() -> Value {
    json!({"Status": "Activated"})
}

#[tokio::test]
async fn an_order_is_activated_only_with_products_and_with_status_alone() {
    let env = Env::new().await;
    let (order, pbe) = draft_order(&env, "1").await;
    let path = format!("/sobjects/Order/{order}");

    let empty = env.patch(&path, activate()).await;
    add_item(&env, &order, &pbe, "1-1").await;
    let mixed = env
        .patch(&path, json!({"Status": "Activated", "PoNumber": "X"}))
        .await;
    let alone = env.patch(&path, activate()).await;

    assert_eq!(error_code(&empty.body), "FIELD_INTEGRITY_EXCEPTION");
    assert!(
        empty.body[0]["message"]
            .as_str()
            .unwrap()
            .contains("no order products")
    );
    assert_eq!(error_code(&mixed.body), "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(alone.status, 204);
    let stored = &env.fake.records("Order")[0];
    assert_eq!(stored.fields["Status"], "Activated");
    assert_eq!(stored.fields["StatusCode"], "Activated");
}

#[tokio::test]
async fn an_activated_order_keeps_its_header_and_products() {
    let env = Env::new().await;
    let (order, pbe) = draft_order(&env, "2").await;
    let item = add_item(&env, &order, &pbe, "2-1").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.patch(&format!("/sobjects/Order/{order}"), activate())
        .await;

    let header = env
        .patch(
            &format!("/sobjects/Order/{order}"),
            json!({"PoNumber": "X"}),
        )
        .await;
    let changed = env
        .patch(
            &format!("/sobjects/OrderItem/{item}"),
            json!({"Quantity": 3}),
        )
        .await;
    let added = add_item(&env, &order, &pbe, "2-2").await;
    let deleted = env
        .send(env.request(
            reqwest::Method::DELETE,
            &format!("/sobjects/OrderItem/{item}"),
        ))
        .await;
    let order_deleted = env
        .send(env.request(reqwest::Method::DELETE, &format!("/sobjects/Order/{order}")))
        .await;

    for resp in [&header, &changed, &added, &deleted, &order_deleted] {
        assert_eq!(
            (resp.status.as_u16(), error_code(&resp.body)),
            (400, "FIELD_INTEGRITY_EXCEPTION")
        );
    }
    assert_eq!(env.fake.count("OrderItem"), 1);
    assert_eq!(env.fake.records("OrderItem")[0].fields["Quantity"], 1);
}

#[tokio::test]
async fn statuses_have_categories_and_a_draft_category_value_can_be_added() {
    let env = Env::new().await;
    env.fake
        .add_order_status("Cancelled", StatusCategory::Draft);
    let acct = env.upsert_account("3", "A").await.body["id"].clone();
    let order =
        |status: &str| json!({"AccountId": acct, "EffectiveDate": "2026-11-26", "Status": status});

    let activated = env
        .patch("/sobjects/Order/Store_Order_Id__c/3", order("Activated"))
        .await;
    let unknown = env
        .patch("/sobjects/Order/Store_Order_Id__c/3", order("Booked"))
        .await;
    let cancelled = env
        .patch("/sobjects/Order/Store_Order_Id__c/3", order("Cancelled"))
        .await;
    let statuses = env
        .query("SELECT ApiName, StatusCode FROM OrderStatus")
        .await;
    let describe = env.get("/sobjects/Order/describe").await;

    assert_eq!(error_code(&activated.body), "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(
        error_code(&unknown.body),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(cancelled.status, 201);
    let pairs: Vec<(String, String)> = statuses.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ApiName"].as_str().unwrap().into(),
                r["StatusCode"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(pairs.contains(&("Cancelled".into(), "Draft".into())));
    assert!(pairs.contains(&("Activated".into(), "Activated".into())));
    let status = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Status")
        .unwrap()
        .clone();
    assert!(
        status["picklistValues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["value"] == "Cancelled")
    );
}

#[tokio::test]
async fn a_single_currency_org_has_no_currency_field_and_names_its_currency() {
    let env = Env::new().await;
    env.fake.set_org_currency("GBP");

    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/1",
            json!({"Name": "A", "CurrencyIsoCode": "GBP"}),
        )
        .await;
    let org = env
        .query("SELECT DefaultCurrencyIsoCode FROM Organization")
        .await;
    let types = env.query("SELECT IsoCode FROM CurrencyType").await;

    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_FIELD")
    );
    assert_eq!(org.body["records"][0]["DefaultCurrencyIsoCode"], "GBP");
    assert_eq!(
        error_code(&types.body),
        "INVALID_FIELD",
        "no CurrencyType in a single-currency org"
    );
}

#[tokio::test]
async fn a_multi_currency_org_wants_entries_in_the_parents_currency() {
    let env = Env::new().await;
    env.fake.enable_multi_currency(&["USD", "EUR"]);
    let (order, usd_entry) = draft_order(&env, "4").await;
    let eur_entry = env.fake.add_product_in("SKU-4", "Widget", "8.00", "EUR");

    let eur_item = add_item(&env, &order, &eur_entry, "4-1").await;
    let usd_item = add_item(&env, &order, &usd_entry, "4-2").await;
    let corporate = env
        .query("SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true")
        .await;
    let bad = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/9",
            json!({"Name": "A", "CurrencyIsoCode": "JPY"}),
        )
        .await;

    assert_eq!(error_code(&eur_item.body), "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(usd_item.status, 201, "{:?}", usd_item.body);
    assert_eq!(
        env.fake.records("Order")[0].fields["CurrencyIsoCode"],
        "USD"
    );
    assert_eq!(
        env.fake.records("OrderItem")[0].fields["CurrencyIsoCode"],
        "USD"
    );
    assert_eq!(corporate.body["records"][0]["IsoCode"], "USD");
    assert_eq!(
        error_code(&bad.body),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
}
