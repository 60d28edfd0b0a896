//! Deleted records: ENTITY_IS_DELETED for a deleted id, NOT_FOUND for one never seen, and writes
//! naming a deleted parent refused as INVALID_CROSS_REFERENCE_KEY.

use serde_json::json;

use crate::common::{Env, error_code, id_of};

const NEVER_EXISTED: &str = "001000000000999AAA";

fn status_and_code(resp: &crate::common::Resp) -> (u16, &str) {
    (resp.status.as_u16(), error_code(&resp.body))
}

#[tokio::test]
async fn a_deleted_record_is_entity_is_deleted_while_an_unknown_id_is_not_found() {
    let env = Env::new().await;
    let id = id_of(&env.upsert_account("1", "Acme").await);
    assert_eq!(
        env.delete(&format!("/sobjects/Account/{id}")).await.status,
        204
    );

    let path = format!("/sobjects/Account/{id}");
    let gone = (404, "ENTITY_IS_DELETED");
    assert_eq!(status_and_code(&env.get(&path).await), gone);
    assert_eq!(
        status_and_code(&env.patch(&path, json!({"Name": "B"})).await),
        gone
    );
    assert_eq!(status_and_code(&env.delete(&path).await), gone);
    let short = env.get(&format!("/sobjects/Account/{}", &id[..15])).await;
    assert_eq!(status_and_code(&short), gone);
    assert_eq!(
        env.get(&path).await.body,
        json!([{"errorCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}])
    );

    let unknown = (404, "NOT_FOUND");
    let never = format!("/sobjects/Account/{NEVER_EXISTED}");
    assert_eq!(status_and_code(&env.get(&never).await), unknown);
    assert_eq!(
        status_and_code(&env.patch(&never, json!({"Name": "B"})).await),
        unknown
    );
    assert_eq!(status_and_code(&env.delete(&never).await), unknown);
    let other_object = env.get(&format!("/sobjects/Contact/{id}")).await;
    assert_eq!(status_and_code(&other_object), unknown);
}

#[tokio::test]
async fn a_record_deleted_by_an_admin_is_entity_is_deleted_too() {
    let env = Env::new().await;
    let id = id_of(&env.upsert_account("1", "Acme").await);
    env.fake.delete_record("Account", &id);
    let resp = env.get(&format!("/sobjects/Account/Id/{id}")).await;
    assert_eq!(status_and_code(&resp), (404, "ENTITY_IS_DELETED"));
    let resp = env
        .patch(&format!("/sobjects/Account/Id/{id}"), json!({"Name": "B"}))
        .await;
    assert_eq!(status_and_code(&resp), (404, "ENTITY_IS_DELETED"));
}

#[tokio::test]
async fn a_write_naming_a_deleted_parent_is_an_invalid_cross_reference() {
    let env = Env::new().await;
    let account = id_of(&env.upsert_account("1", "Acme").await);
    let contact = id_of(
        &env.patch(
            "/sobjects/Contact/Store_Customer_Id__c/1",
            json!({"LastName": "L", "AccountId": account}),
        )
        .await,
    );
    env.fake.delete_record("Account", &account);

    let refused = (400, "INVALID_CROSS_REFERENCE_KEY");
    let contact_body = json!({"LastName": "L", "AccountId": account});
    let resp = env.post("/sobjects/Contact", contact_body.clone()).await;
    assert_eq!(status_and_code(&resp), refused);
    assert_eq!(resp.body[0]["fields"], json!(["AccountId"]));
    let resp = env
        .patch("/sobjects/Contact/Store_Customer_Id__c/2", contact_body)
        .await;
    assert_eq!(status_and_code(&resp), refused);
    // The Contact went with its Account; a Contact of another Account can't point at it either.
    assert_eq!(env.fake.count("Contact"), 0);
    let other = id_of(&env.upsert_account("2", "Other").await);
    let kept = id_of(
        &env.patch(
            "/sobjects/Contact/Store_Customer_Id__c/3",
            json!({"LastName": "K", "AccountId": other}),
        )
        .await,
    );
    let resp = env
        .patch(
            &format!("/sobjects/Contact/{kept}"),
            json!({"AccountId": account}),
        )
        .await;
    assert_eq!(status_and_code(&resp), refused);
    let resp = env.get(&format!("/sobjects/Contact/{contact}")).await;
    assert_eq!(status_and_code(&resp), (404, "ENTITY_IS_DELETED"));
    // A custom lookup is checked the same way.
    env.fake.add_field("Contact", "Referrer__c", "reference");
    let resp = env
        .patch(
            &format!("/sobjects/Contact/{kept}"),
            json!({"Referrer__c": contact}),
        )
        .await;
    assert_eq!(status_and_code(&resp), refused);
}

#[tokio::test]
async fn a_graph_node_naming_a_deleted_account_fails_its_graph_and_writes_nothing() {
    let env = Env::new().await;
    let account = id_of(&env.upsert_account("1", "Acme").await);
    env.fake.delete_record("Account", &account);
    let node = |url: &str, reference_id: &str, body| json!({"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/{url}"), "referenceId": reference_id, "body": body});
    let graph = json!({"graphId": "g", "compositeRequest": [
        node("Account/Store_Customer_Id__c/2", "fresh", json!({"Name": "Fresh"})),
        node("Opportunity/Store_Order_Id__c/1", "opp", json!({
            "Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01", "AccountId": account})),
    ]});
    let resp = env
        .post("/composite/graph", json!({"graphs": [graph]}))
        .await;
    let graph = &resp.body["graphs"][0];
    assert_eq!(graph["isSuccessful"], false);
    let nodes = &graph["graphResponse"]["compositeResponse"];
    assert_eq!(error_code(&nodes[0]["body"]), "PROCESSING_HALTED");
    assert_eq!(error_code(&nodes[1]["body"]), "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(env.fake.count("Account") + env.fake.count("Opportunity"), 0);
}

#[tokio::test]
async fn an_upsert_by_the_external_id_of_a_deleted_record_creates_a_new_one() {
    let env = Env::new().await;
    let old = id_of(&env.upsert_account("7", "Acme").await);
    env.delete(&format!("/sobjects/Account/{old}")).await;
    let resp = env.upsert_account("7", "Acme again").await;
    assert_eq!(
        (resp.status.as_u16(), resp.body["created"].as_bool()),
        (201, Some(true))
    );
    let new = id_of(&resp);
    assert_ne!(new, old);
    let found = env.fake.find("Account", "Store_Customer_Id__c", "7");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, new);
}
