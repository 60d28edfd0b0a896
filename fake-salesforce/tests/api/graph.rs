//! Composite graph: references, all-or-nothing graphs, independence, limits.

use serde_json::{Value, json};

use crate::common::{Env, error_code};

fn node(method: &str, url: &str, reference_id: &str, body: Value) -> Value {
    json!({"method": method, "url": format!("/services/data/v62.0{url}"), "referenceId": reference_id, "body": body})
}

fn order_graph(graph_id: &str, key: &str, pbe: &str, pricebook: &str) -> Value {
    json!({"graphId": graph_id, "compositeRequest": [
        node("PATCH", &format!("/sobjects/Account/Store_Customer_Id__c/{key}"), "acct", json!({"Name": "Acme"})),
        node("PATCH", &format!("/sobjects/Contact/Store_Customer_Id__c/{key}"), "contact", json!({"LastName": "O'Brien", "AccountId": "@{acct.id}"})),
        node("PATCH", &format!("/sobjects/Order/Store_Order_Id__c/{key}"), "order",
            json!({"AccountId": "@{acct.id}", "EffectiveDate": "2026-11-26", "Status": "Draft", "Pricebook2Id": pricebook})),
        node("PATCH", &format!("/sobjects/OrderItem/Store_Line_Id__c/{key}-1"), "line",
            json!({"OrderId": "@{order.id}", "PricebookEntryId": pbe, "Quantity": 2, "UnitPrice": 9.5})),
        node("GET", "/sobjects/Order/@{order.id}", "read", Value::Null),
    ]})
}

fn statuses(graph: &Value) -> Vec<u64> {
    graph["graphResponse"]["compositeResponse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["httpStatusCode"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn graph_with_references_commits_and_a_replay_duplicates_nothing() {
    let env = Env::new().await;
    let pbe = env.fake.add_product("SKU-1", "Widget", "9.50");
    let book = env.fake.standard_pricebook_id();
    let body = json!({"graphs": [order_graph("g1", "100", &pbe, &book)]});
    let resp = env.post("/composite/graph", body.clone()).await;
    assert_eq!(resp.status, 200);
    let graph = &resp.body["graphs"][0];
    assert_eq!(
        (graph["graphId"].as_str(), graph["isSuccessful"].as_bool()),
        (Some("g1"), Some(true))
    );
    assert_eq!(statuses(graph), [201, 201, 201, 201, 200]);
    let acct = env.fake.records("Account")[0].id.clone();
    assert_eq!(
        env.fake.records("Contact")[0].fields["AccountId"],
        json!(acct)
    );
    let order = graph["graphResponse"]["compositeResponse"][4]["body"].clone();
    assert_eq!(order["AccountId"], json!(acct));
    assert_eq!(
        env.fake.records("OrderItem")[0].fields["Product2Id"],
        env.fake.records("Product2")[0].fields["Id"]
    );

    // Replayed as is, the OrderItem update names its insert-only OrderId: the graph is refused
    // as Salesforce refuses it, and nothing is duplicated.
    let resp = env.post("/composite/graph", body).await;
    assert_eq!(resp.body["graphs"][0]["isSuccessful"], false);
    let text = resp.body.to_string();
    assert!(
        text.contains("INVALID_FIELD_FOR_INSERT_UPDATE") && text.contains("OrderId"),
        "{text}"
    );
    for object in ["Account", "Contact", "Order", "OrderItem"] {
        assert_eq!(env.fake.count(object), 1, "{object}");
    }
    assert_eq!(env.fake.api_calls(), 2);
}

#[tokio::test]
async fn failing_node_rolls_back_its_graph_only() {
    let env = Env::new().await;
    let bad = json!({"graphId": "bad", "compositeRequest": [
        node("PATCH", "/sobjects/Account/Store_Customer_Id__c/1", "acct", json!({"Name": "A"})),
        node("PATCH", "/sobjects/Contact/Store_Customer_Id__c/1", "contact", json!({"AccountId": "@{acct.id}"})),
        node("PATCH", "/sobjects/Opportunity/Store_Order_Id__c/1", "opp", json!({"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01"})),
    ]});
    let good = json!({"graphId": "good", "compositeRequest": [
        node("POST", "/sobjects/Account", "acct", json!({"Name": "B", "Store_Customer_Id__c": "2"})),
    ]});
    let resp = env
        .post("/composite/graph", json!({"graphs": [bad, good]}))
        .await;
    let graphs = resp.body["graphs"].as_array().unwrap();
    assert_eq!(graphs[0]["isSuccessful"], false);
    assert_eq!(statuses(&graphs[0]), [400, 400, 400]);
    let nodes = &graphs[0]["graphResponse"]["compositeResponse"];
    let halted = json!([{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}]);
    assert_eq!(nodes[0]["body"], halted);
    assert_eq!(error_code(&nodes[1]["body"]), "REQUIRED_FIELD_MISSING");
    assert_eq!(nodes[2]["body"], halted);
    assert_eq!(nodes[2]["referenceId"], "opp");
    assert_eq!(graphs[1]["isSuccessful"], true);
    assert_eq!(statuses(&graphs[1]), [201]);
    let accounts = env.fake.records("Account");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].fields["Store_Customer_Id__c"], "2");
    assert_eq!(env.fake.count("Contact") + env.fake.count("Opportunity"), 0);
}

#[tokio::test]
async fn unknown_reference_fails_the_node() {
    let env = Env::new().await;
    let graph = json!({"graphId": "g", "compositeRequest": [
        node("PATCH", "/sobjects/Contact/Store_Customer_Id__c/1", "c", json!({"LastName": "L", "AccountId": "@{nope.id}"})),
    ]});
    let resp = env
        .post("/composite/graph", json!({"graphs": [graph]}))
        .await;
    assert_eq!(resp.body["graphs"][0]["isSuccessful"], false);
    assert_eq!(env.fake.count("Contact"), 0);
}

#[tokio::test]
async fn too_many_graphs_or_nodes_apply_nothing() {
    let env = Env::new().await;
    let one = |i: usize| {
        json!({"graphId": format!("g{i}"), "compositeRequest": [
            node("PATCH", &format!("/sobjects/Account/Store_Customer_Id__c/{i}"), "a", json!({"Name": "A"})),
        ]})
    };
    let resp = env
        .post(
            "/composite/graph",
            json!({"graphs": (0..76).map(one).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_REQUEST")
    );
    let nodes: Vec<Value> = (0..501)
        .map(|i| {
            node(
                "PATCH",
                &format!("/sobjects/Account/Store_Customer_Id__c/{i}"),
                &format!("a{i}"),
                json!({"Name": "A"}),
            )
        })
        .collect();
    let resp = env
        .post(
            "/composite/graph",
            json!({"graphs": [{"graphId": "big", "compositeRequest": nodes}]}),
        )
        .await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_REQUEST")
    );
    assert_eq!(env.fake.count("Account"), 0);
    let resp = env
        .post(
            "/composite/graph",
            json!({"graphs": (0..75).map(one).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(env.fake.count("Account"), 75);
}

#[tokio::test]
async fn rollback_restores_updated_records() {
    let env = Env::new().await;
    env.fake.add_field("Account", "New_Field__c", "string");
    env.upsert_account("1", "Original").await;
    let graph = json!({"graphId": "g", "compositeRequest": [
        node("PATCH", "/sobjects/Account/Store_Customer_Id__c/1", "acct", json!({"Name": "Changed", "New_Field__c": "x"})),
        node("POST", "/sobjects/Contact", "bad", json!({"AccountId": "@{acct.id}"})),
    ]});
    let resp = env
        .post("/composite/graph", json!({"graphs": [graph]}))
        .await;
    assert_eq!(resp.body["graphs"][0]["isSuccessful"], false);
    let account = &env.fake.records("Account")[0];
    assert_eq!(account.fields["Name"], "Original");
    assert!(!account.fields.contains_key("New_Field__c"));
}
