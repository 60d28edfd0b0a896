//! Single-record endpoints and the write rules they enforce.

use serde_json::json;

use crate::common::{Env, error_code};

#[tokio::test]
async fn upsert_creates_then_updates_without_duplicate() {
    let env = Env::new().await;
    let resp = env.upsert_account("42", "Acme").await;
    assert_eq!(resp.status, 201);
    let id = resp.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        resp.body,
        json!({"id": id, "success": true, "errors": [], "created": true})
    );
    assert!(id.starts_with("001") && id.len() == 18 && id.ends_with("AAA"));
    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/42",
            json!({"Phone": "555"}),
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    assert_eq!(env.fake.count("Account"), 1);
    let resp = env.get(&format!("/sobjects/Account/{id}")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.body["attributes"],
        json!({"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{id}")})
    );
    assert_eq!(
        (resp.body["Name"].as_str(), resp.body["Phone"].as_str()),
        (Some("Acme"), Some("555"))
    );
    assert_eq!(resp.body["Store_Customer_Id__c"], "42");
    let stamp = resp.body["SystemModstamp"].as_str().unwrap();
    assert_eq!(stamp.len(), "2026-11-26T05:56:24.000+0000".len());
    assert!(stamp.ends_with("+0000") && stamp.contains('.'));
    assert_eq!(
        env.fake.find("Account", "store_customer_id__c", "42").len(),
        1
    );
}

#[tokio::test]
async fn required_fields_and_order_status() {
    let env = Env::new().await;
    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/1",
            json!({"Phone": "1"}),
        )
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.body,
        json!([{"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]", "fields": ["Name"]}])
    );
    let resp = env
        .post("/sobjects/Opportunity", json!({"Name": "x"}))
        .await;
    assert_eq!(resp.body[0]["fields"], json!(["StageName", "CloseDate"]));
    assert_eq!(env.fake.count("Account") + env.fake.count("Opportunity"), 0);
    let acct = env.upsert_account("1", "A").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let order = json!({"AccountId": acct, "EffectiveDate": "2026-11-26", "Status": "Activated"});
    let resp = env
        .patch("/sobjects/Order/Store_Order_Id__c/9", order)
        .await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "FIELD_INTEGRITY_EXCEPTION")
    );
}

#[tokio::test]
async fn references_must_exist() {
    let env = Env::new().await;
    let contact = |acct: &str| json!({"LastName": "L", "AccountId": acct});
    let resp = env
        .patch("/sobjects/Contact/Store_Customer_Id__c/1", contact("bogus"))
        .await;
    assert_eq!(error_code(&resp.body), "MALFORMED_ID");
    let resp = env
        .patch(
            "/sobjects/Contact/Store_Customer_Id__c/1",
            contact("001000000000999AAA"),
        )
        .await;
    assert_eq!(error_code(&resp.body), "INVALID_CROSS_REFERENCE_KEY");
    let acct = env.upsert_account("1", "A").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = env
        .patch(
            "/sobjects/Contact/Store_Customer_Id__c/1",
            contact(&acct[..15]),
        )
        .await;
    assert_eq!(resp.status, 201);
    assert_eq!(
        env.fake.records("Contact")[0].fields["AccountId"],
        json!(acct)
    );
}

#[tokio::test]
async fn order_item_entry_must_be_in_the_order_price_book() {
    let env = Env::new().await;
    let acct = env.upsert_account("1", "A").await.body["id"].clone();
    let pbe = env.fake.add_product("SKU-1", "Widget", "9.50");
    let custom_book = env
        .post("/sobjects/Pricebook2", json!({"Name": "Web"}))
        .await
        .body["id"]
        .clone();
    let order = json!({"AccountId": acct, "EffectiveDate": "2026-11-26", "Status": "Draft", "Pricebook2Id": custom_book});
    let order_id = env
        .patch("/sobjects/Order/Store_Order_Id__c/7", order)
        .await
        .body["id"]
        .clone();
    let item =
        json!({"OrderId": order_id, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 9.5});
    let resp = env
        .patch("/sobjects/OrderItem/Store_Line_Id__c/7-1", item)
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(error_code(&resp.body), "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(
        resp.body[0]["message"],
        "Order Products must have a Price Book Entry that belongs to the Price Book related to the parent Order."
    );
    assert_eq!(env.fake.count("OrderItem"), 0);
}

#[tokio::test]
async fn duplicates_rules_and_removed_fields() {
    let env = Env::new().await;
    env.upsert_account("1", "A").await;
    let resp = env
        .post(
            "/sobjects/Account",
            json!({"Name": "B", "Store_Customer_Id__c": "1"}),
        )
        .await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "DUPLICATE_VALUE")
    );
    env.fake
        .add_validation_rule("Account", "Name", "Forbidden", "Name may not be Forbidden");
    let resp = env.upsert_account("2", "Forbidden").await;
    assert_eq!(error_code(&resp.body), "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(resp.body[0]["message"], "Name may not be Forbidden");
    env.fake.remove_field("Account", "Phone");
    let resp = env
        .patch(
            "/sobjects/Account/Store_Customer_Id__c/1",
            json!({"Phone": "1"}),
        )
        .await;
    assert_eq!(error_code(&resp.body), "INVALID_FIELD");
    let describe = env.get("/sobjects/Account/describe").await.body;
    assert!(
        describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"] != "Phone")
    );
    assert_eq!(env.fake.count("Account"), 1);
}

#[tokio::test]
async fn describe_reports_keys_and_picklists() {
    let env = Env::new().await;
    let describe = env.get("/sobjects/Opportunity/describe").await.body;
    assert_eq!(describe["name"], "Opportunity");
    let field = |n: &str| {
        describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == n)
            .cloned()
            .unwrap()
    };
    let key = field("Store_Order_Id__c");
    assert_eq!(
        (
            key["externalId"].as_bool(),
            key["unique"].as_bool(),
            key["idLookup"].as_bool()
        ),
        (Some(true), Some(true), Some(true))
    );
    let values: Vec<_> = field("Evaluation_Status__c")["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].clone())
        .collect();
    assert_eq!(
        values,
        [
            json!("Not Started"),
            json!("In Progress"),
            json!("Evaluation Complete")
        ]
    );
}

#[tokio::test]
async fn update_admin_edit_and_not_found() {
    let env = Env::new().await;
    let id = env.upsert_account("5", "A").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = env
        .patch(&format!("/sobjects/Account/{id}"), json!({"Name": "B"}))
        .await;
    assert_eq!(resp.status, 204);
    let before = env.fake.records("Account")[0].fields["SystemModstamp"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    env.fake
        .update_fields("Account", &id, json!({"Name": "Admin edit"}));
    let after = env.fake.records("Account")[0].clone();
    assert_eq!(after.fields["Name"], "Admin edit");
    assert_ne!(after.fields["SystemModstamp"], before);
    let resp = env.get("/sobjects/Account/001000000000777AAA").await;
    assert_eq!(resp.status, 404);
    assert_eq!(
        resp.body,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );
}
