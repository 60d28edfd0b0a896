//! One store order as order-sync writes it: Account, Contact, Opportunity, Quote with a line, and
//! an Order with a product, all keyed by External IDs and written in one graph.

use serde_json::{Value, json};

use crate::common::Env;

/// The ids of one order's records.
#[derive(Clone, Debug)]
pub struct Tree {
    pub account: String,
    pub contact: String,
    pub opportunity: String,
    pub quote: String,
    pub quote_line: String,
    pub order: String,
    pub order_item: String,
    pub entry: String,
}

fn node(url: &str, reference_id: &str, body: Value) -> Value {
    json!({"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/{url}"), "referenceId": reference_id, "body": body})
}

/// Writes store order `key` (customer `key`, line `key-1`) and returns the ids.
pub async fn order_tree(env: &Env, key: &str) -> Tree {
    let entry = env
        .fake
        .add_product(&format!("SKU-{key}"), "Widget", "9.50");
    let book = env.fake.standard_pricebook_id();
    let nodes = json!([
        node(
            &format!("Account/Store_Customer_Id__c/{key}"),
            "account",
            json!({"Name": format!("Customer {key}")})
        ),
        node(
            &format!("Contact/Store_Customer_Id__c/{key}"),
            "contact",
            json!({"LastName": "Buyer", "AccountId": "@{account.id}"})
        ),
        node(
            &format!("Opportunity/Store_Order_Id__c/{key}"),
            "opportunity",
            json!({
            "Name": format!("Order {key}"), "AccountId": "@{account.id}", "StageName": "Closed Won",
            "CloseDate": "2026-11-26", "Amount": 19, "Pricebook2Id": book})
        ),
        node(
            &format!("Quote/Store_Order_Id__c/{key}"),
            "quote",
            json!({"Name": format!("Quote {key}"), "OpportunityId": "@{opportunity.id}"})
        ),
        node(
            &format!("QuoteLineItem/Store_Line_Id__c/{key}-1"),
            "quote_line",
            json!({
            "QuoteId": "@{quote.id}", "PricebookEntryId": entry, "Quantity": 2, "UnitPrice": 9.5})
        ),
        node(
            &format!("Order/Store_Order_Id__c/{key}"),
            "order",
            json!({
            "AccountId": "@{account.id}", "OpportunityId": "@{opportunity.id}", "QuoteId": "@{quote.id}",
            "EffectiveDate": "2026-11-26", "Status": "Draft", "Pricebook2Id": book})
        ),
        node(
            &format!("OrderItem/Store_Line_Id__c/{key}-1"),
            "order_item",
            json!({
            "OrderId": "@{order.id}", "PricebookEntryId": entry, "Quantity": 2, "UnitPrice": 9.5})
        ),
    ]);
    let body = json!({"graphs": [{"graphId": "order", "compositeRequest": nodes}]});
    let resp = env.post("/composite/graph", body).await;
    let graph = &resp.body["graphs"][0];
    assert_eq!(graph["isSuccessful"], true, "{}", resp.body);
    let id = |i: usize| {
        graph["graphResponse"]["compositeResponse"][i]["body"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    Tree {
        account: id(0),
        contact: id(1),
        opportunity: id(2),
        quote: id(3),
        quote_line: id(4),
        order: id(5),
        order_item: id(6),
        entry,
    }
}
