//! Parent-to-child subqueries: nested child relationships, their own clauses, null when empty,
//! paging, and the errors a real org gives.

use fake_salesforce::StatusCategory;
use serde_json::{Value, json};

use crate::common::{Env, error_code, id_of};
use crate::fixtures::order_tree;

const ORDERS_WITH_CHILDREN: &str = "SELECT Id, Store_Order_Id__c, Amount, StageName, \
    (SELECT Id, Store_Order_Id__c, (SELECT Id, Store_Line_Id__c, Quantity, UnitPrice FROM QuoteLineItems) FROM Quotes), \
    (SELECT Id, Store_Order_Id__c, Status, StatusCode, (SELECT Id, Store_Line_Id__c, Quantity, UnitPrice FROM OrderItems) FROM Orders) \
    FROM Opportunity WHERE Store_Order_Id__c IN ('1','2','3') ORDER BY Store_Order_Id__c";

async fn bare_opportunity(env: &Env, key: &str) -> String {
    let body = json!({"Name": "Bare", "StageName": "Prospecting", "CloseDate": "2026-12-01"});
    let resp = env
        .patch(
            &format!("/sobjects/Opportunity/Store_Order_Id__c/{key}"),
            body,
        )
        .await;
    id_of(&resp)
}

/// The LastName of the first Account's Contacts as `soql` (a subquery on Contacts) reads them.
async fn contact_names(env: &Env, soql: &str) -> Vec<String> {
    let resp = env.query(soql).await;
    let contacts = &records(&resp.body)[0]["Contacts"];
    if contacts.is_null() {
        return Vec::new();
    }
    records(contacts)
        .iter()
        .map(|c| c["LastName"].as_str().unwrap().to_string())
        .collect()
}

fn records(result: &Value) -> &Vec<Value> {
    result["records"].as_array().unwrap()
}

#[tokio::test]
async fn nested_children_come_as_query_results_and_as_null_when_there_are_none() {
    let env = Env::new().await;
    let full = order_tree(&env, "1").await;
    let no_lines = order_tree(&env, "2").await;
    env.fake
        .delete_record("QuoteLineItem", &no_lines.quote_line);
    bare_opportunity(&env, "3").await;

    let resp = env.query(ORDERS_WITH_CHILDREN).await;

    assert_eq!(resp.status, 200, "{}", resp.body);
    let opps = records(&resp.body);
    assert_eq!(opps.len(), 3);
    let quotes = &opps[0]["Quotes"];
    assert_eq!(
        (&quotes["totalSize"], &quotes["done"]),
        (&json!(1), &json!(true))
    );
    let quote = &records(quotes)[0];
    assert_eq!(quote["Id"], json!(full.quote));
    assert_eq!(quote["attributes"]["type"], "Quote");
    let line = &records(&quote["QuoteLineItems"])[0];
    assert_eq!(
        (
            &line["Store_Line_Id__c"],
            &line["Quantity"],
            &line["UnitPrice"]
        ),
        (&json!("1-1"), &json!(2), &json!(9.5))
    );
    assert_eq!(
        line["attributes"]["url"],
        json!(format!(
            "/services/data/v62.0/sobjects/QuoteLineItem/{}",
            full.quote_line
        ))
    );
    let order = &records(&opps[0]["Orders"])[0];
    assert_eq!(
        (&order["Status"], &order["StatusCode"]),
        (&json!("Draft"), &json!("Draft"))
    );
    assert_eq!(
        records(&order["OrderItems"])[0]["Id"],
        json!(full.order_item)
    );

    assert_eq!(
        records(&opps[1]["Quotes"])[0]["QuoteLineItems"],
        Value::Null
    );
    assert_eq!(records(&opps[1]["Orders"])[0]["OrderItems"]["totalSize"], 1);
    assert_eq!(
        (&opps[2]["Quotes"], &opps[2]["Orders"]),
        (&Value::Null, &Value::Null)
    );
    assert!(opps[2].as_object().unwrap().contains_key("Quotes"));
}

#[tokio::test]
async fn an_orders_status_code_follows_its_status_inside_a_subquery() {
    let env = Env::new().await;
    env.fake.add_order_status("Paid", StatusCategory::Activated);
    let tree = order_tree(&env, "1").await;
    let resp = env
        .patch(
            &format!("/sobjects/Order/{}", tree.order),
            json!({"Status": "Paid"}),
        )
        .await;
    assert_eq!(resp.status, 204, "{}", resp.body);

    let resp = env
        .query("SELECT Id, (SELECT Status, StatusCode FROM Orders WHERE StatusCode = 'Activated') FROM Account")
        .await;

    let order = &records(&records(&resp.body)[0]["Orders"])[0];
    assert_eq!(
        (&order["Status"], &order["StatusCode"]),
        (&json!("Paid"), &json!("Activated"))
    );
}

#[tokio::test]
async fn a_subquery_has_its_own_where_order_by_and_limit() {
    let env = Env::new().await;
    let account = id_of(&env.upsert_account("1", "Acme").await);
    for (key, name, email) in [
        ("a", "Cole", json!("c@x")),
        ("b", "Adams", json!("a@x")),
        ("c", "Baker", Value::Null),
    ] {
        let body = json!({"LastName": name, "Email": email, "AccountId": account});
        env.patch(
            &format!("/sobjects/Contact/Store_Customer_Id__c/{key}"),
            body,
        )
        .await;
    }
    let with_email = contact_names(&env, "SELECT Id, (SELECT LastName FROM Contacts WHERE Email != null ORDER BY LastName) FROM Account").await;
    let last_one = contact_names(
        &env,
        "SELECT Id, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account",
    )
    .await;
    let without = contact_names(
        &env,
        "SELECT Id, (SELECT LastName FROM Contacts WHERE Email = null) FROM Account",
    )
    .await;
    let none = contact_names(
        &env,
        "SELECT Id, (SELECT LastName FROM contacts WHERE LastName = 'Nobody') FROM Account",
    )
    .await;

    assert_eq!(with_email, ["Adams", "Cole"]);
    assert_eq!(last_one, ["Cole"]);
    assert_eq!(without, ["Baker"]);
    assert!(none.is_empty());
}

#[tokio::test]
async fn paging_with_subqueries_returns_each_parent_once_with_all_its_children() {
    let env = Env::new().await;
    for key in ["1", "2", "3", "4", "5"] {
        order_tree(&env, key).await;
    }
    let soql = "SELECT Id, Store_Customer_Id__c, (SELECT Id FROM Contacts), (SELECT Id, (SELECT Id FROM Quotes) FROM Opportunities) FROM Account";
    let mut page = env
        .send(
            env.request(reqwest::Method::GET, "/query")
                .query(&[("q", soql)])
                .header("Sforce-Query-Options", "batchSize=2"),
        )
        .await
        .body;
    let mut keys = Vec::new();
    loop {
        for account in records(&page) {
            keys.push(
                account["Store_Customer_Id__c"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
            assert_eq!(account["Contacts"]["totalSize"], 1);
            let opportunity = &records(&account["Opportunities"])[0];
            assert_eq!(opportunity["Quotes"]["totalSize"], 1);
        }
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            break;
        };
        let url = format!("{}{next}", env.fake.url());
        page = env
            .send(env.http.get(url).bearer_auth(&env.token))
            .await
            .body;
    }
    assert_eq!(keys, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn unknown_relationships_and_nesting_beyond_the_versions_limit_are_refused() {
    let env = Env::new().await;
    let resp = env
        .query("SELECT Id, (SELECT Id FROM Nopes) FROM Account")
        .await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "INVALID_TYPE")
    );
    let resp = env
        .query("SELECT Id, (SELECT Nope__c FROM Contacts) FROM Account")
        .await;
    assert_eq!(error_code(&resp.body), "INVALID_FIELD");
    let resp = env
        .query("SELECT Id, (SELECT Id FROM Contacts FROM Account")
        .await;
    assert_eq!(error_code(&resp.body), "MALFORMED_QUERY");

    let three_levels =
        "SELECT Id, (SELECT Id, (SELECT Id FROM Quotes) FROM Opportunities) FROM Account";
    let query_in = |version: &str| {
        let url = format!("{}/services/data/{version}/query", env.fake.url());
        env.http
            .get(url)
            .query(&[("q", three_levels)])
            .bearer_auth(&env.token)
    };
    let old = env.send(query_in("v57.0")).await;
    assert_eq!(
        (old.status.as_u16(), error_code(&old.body)),
        (400, "MALFORMED_QUERY")
    );
    assert_eq!(env.send(query_in("v58.0")).await.status, 200);
}
