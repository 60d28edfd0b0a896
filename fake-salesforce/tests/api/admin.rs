//! Admin hooks: deletes with Salesforce's cascades, account merges, duplicates that skip the
//! External ID uniqueness, and sandbox refreshes. None of them counts as an API call.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::{Env, error_code, id_of};
use crate::fixtures::order_tree;

fn field(env: &Env, object: &str, id: &str, name: &str) -> Value {
    let records = env.fake.records(object);
    let record = records.iter().find(|r| r.id == id);
    let record = record.unwrap_or_else(|| panic!("no {object} {id}"));
    record.fields.get(name).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn deleting_an_opportunity_takes_its_quotes_and_lines_and_unlinks_its_orders() {
    let env = Env::new().await;
    let tree = order_tree(&env, "1").await;
    let calls = env.fake.api_calls();

    env.fake.delete_record("Opportunity", &tree.opportunity);

    for object in ["Opportunity", "Quote", "QuoteLineItem"] {
        assert_eq!(env.fake.count(object), 0, "{object}");
    }
    assert_eq!(
        field(&env, "Order", &tree.order, "OpportunityId"),
        Value::Null
    );
    // The Order's QuoteId named a deleted Quote: a lookup is cleared, as Salesforce does.
    assert_eq!(field(&env, "Order", &tree.order, "QuoteId"), Value::Null);
    assert_eq!(env.fake.count("OrderItem"), 1);
    let resp = env.get(&format!("/sobjects/Quote/{}", tree.quote)).await;
    assert_eq!(error_code(&resp.body), "ENTITY_IS_DELETED");
    assert_eq!(env.fake.api_calls(), calls + 1);
}

#[tokio::test]
async fn deleting_an_account_takes_everything_of_its_orders_with_it() {
    let env = Env::new().await;
    let tree = order_tree(&env, "1").await;
    let other = order_tree(&env, "2").await;
    env.fake.delete_record("Account", &tree.account);
    for object in [
        "Account",
        "Contact",
        "Opportunity",
        "Quote",
        "QuoteLineItem",
        "Order",
        "OrderItem",
    ] {
        assert_eq!(
            env.fake.count(object),
            1,
            "{object}: only order 2's is left"
        );
    }
    assert_eq!(env.fake.records("OrderItem")[0].id, other.order_item);
    let resp = env
        .get(&format!("/sobjects/OrderItem/{}", tree.order_item))
        .await;
    assert_eq!(error_code(&resp.body), "ENTITY_IS_DELETED");
}

#[tokio::test]
async fn deleting_a_quote_or_an_order_takes_only_its_lines() {
    let env = Env::new().await;
    let tree = order_tree(&env, "1").await;
    env.fake.delete_record("Quote", &tree.quote);
    env.fake.delete_record("Order", &tree.order);
    for object in ["Quote", "QuoteLineItem", "Order", "OrderItem"] {
        assert_eq!(env.fake.count(object), 0, "{object}");
    }
    for object in ["Account", "Contact", "Opportunity"] {
        assert_eq!(env.fake.count(object), 1, "{object}");
    }
}

#[tokio::test]
#[should_panic(expected = "delete_record: no Account with id 001000000000999AAA")]
async fn deleting_an_unknown_record_is_a_test_bug() {
    let env = Env::new().await;
    env.fake.delete_record("Account", "001000000000999AAA");
}

#[tokio::test]
async fn merging_accounts_reparents_the_losers_records_and_deletes_the_loser() {
    let env = Env::new().await;
    let winner = id_of(&env.upsert_account("W", "Winner").await);
    let tree = order_tree(&env, "L").await;
    let calls = env.fake.api_calls();

    env.fake.merge_accounts(&winner, &tree.account);

    assert_eq!(env.fake.count("Account"), 1);
    assert_eq!(field(&env, "Account", &winner, "Name"), "Winner");
    assert_eq!(field(&env, "Account", &winner, "Store_Customer_Id__c"), "W");
    for (object, id) in [
        ("Contact", &tree.contact),
        ("Opportunity", &tree.opportunity),
        ("Order", &tree.order),
    ] {
        assert_eq!(
            field(&env, object, id, "AccountId"),
            json!(winner),
            "{object}"
        );
    }
    let resp = env
        .get(&format!("/sobjects/Account/{}", tree.account))
        .await;
    assert_eq!(error_code(&resp.body), "ENTITY_IS_DELETED");
    assert_eq!(env.fake.api_calls(), calls + 1);
    // The loser's External ID went with it: an upsert by that key creates a new Account.
    assert_eq!(env.upsert_account("L", "Back").await.status, 201);
}

#[tokio::test]
async fn a_duplicate_inserted_by_an_admin_makes_reads_and_upserts_by_its_key_ambiguous() {
    let env = Env::new().await;
    let first = id_of(&env.upsert_account("5", "Acme").await);
    let calls = env.fake.api_calls();

    let copy = env.fake.insert_duplicate(
        "account",
        json!({"Name": "Acme copy", "Store_Customer_Id__c": "5"}),
    );

    assert!(copy.starts_with("001") && copy != first);
    assert_eq!(env.fake.api_calls(), calls);
    assert_eq!(
        env.fake.find("Account", "Store_Customer_Id__c", "5").len(),
        2
    );
    let urls = json!([
        format!("/services/data/v62.0/sobjects/Account/{first}"),
        format!("/services/data/v62.0/sobjects/Account/{copy}"),
    ]);
    let resp = env.get("/sobjects/Account/Store_Customer_Id__c/5").await;
    assert_eq!((resp.status.as_u16(), &resp.body), (300, &urls));
    let resp = env.upsert_account("5", "Acme").await;
    assert_eq!((resp.status.as_u16(), &resp.body), (300, &urls));
    let resp = env
        .query("SELECT Id FROM Account WHERE Store_Customer_Id__c = '5'")
        .await;
    assert_eq!(resp.body["totalSize"], 2);
}

#[tokio::test]
async fn a_sandbox_refresh_gives_new_ids_and_keeps_external_ids_and_references() {
    let env = Env::new().await;
    let tree = order_tree(&env, "1").await;
    let dropped = id_of(&env.upsert_account("gone", "Gone").await);
    env.fake.delete_record("Account", &dropped);
    let old_ids: HashSet<String> = all_ids(&env);
    let old_book = env.fake.standard_pricebook_id();

    env.fake.sandbox_refresh();

    let new_ids = all_ids(&env);
    assert_eq!(new_ids.len(), old_ids.len());
    assert!(new_ids.is_disjoint(&old_ids), "no id survives or is reused");
    let one = |object: &str, key_field: &str, key: &str| {
        let found = env.fake.find(object, key_field, key);
        assert_eq!(found.len(), 1, "{object} {key}");
        found[0].clone()
    };
    let opportunity = one("Opportunity", "Store_Order_Id__c", "1");
    let order = one("Order", "Store_Order_Id__c", "1");
    let item = one("OrderItem", "Store_Line_Id__c", "1-1");
    assert!(opportunity.id.starts_with("006") && opportunity.id != tree.opportunity);
    assert_eq!(order.fields["OpportunityId"], json!(opportunity.id));
    assert_eq!(item.fields["OrderId"], json!(order.id));
    let entry = env.fake.records("PricebookEntry")[0].clone();
    assert_ne!(entry.id, tree.entry);
    assert_eq!(item.fields["PricebookEntryId"], json!(entry.id));
    assert_eq!(
        entry.fields["Pricebook2Id"],
        json!(env.fake.standard_pricebook_id())
    );
    assert_ne!(env.fake.standard_pricebook_id(), old_book);

    for (object, id) in [("Order", &tree.order), ("Account", &dropped)] {
        let resp = env.get(&format!("/sobjects/{object}/{id}")).await;
        assert_eq!(error_code(&resp.body), "NOT_FOUND", "{object}");
    }
    // The External ID index follows: an upsert by key updates the refreshed record.
    let resp = env
        .patch(
            "/sobjects/Opportunity/Store_Order_Id__c/1",
            json!({"StageName": "Closed Lost"}),
        )
        .await;
    assert_eq!((resp.status.as_u16(), id_of(&resp)), (200, opportunity.id));
}

fn all_ids(env: &Env) -> HashSet<String> {
    let objects = [
        "Account",
        "Contact",
        "Opportunity",
        "Quote",
        "QuoteLineItem",
    ];
    let more = [
        "Order",
        "OrderItem",
        "Product2",
        "Pricebook2",
        "PricebookEntry",
    ];
    objects
        .iter()
        .chain(&more)
        .flat_map(|o| env.fake.records(o))
        .map(|r| r.id)
        .collect()
}
