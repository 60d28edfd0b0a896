//! How sub-requests depend on each other: allOrNone rollback, failures stopping their
//! dependents, and references into earlier results.

use serde_json::{Value, json};

use super::{accounts, composite, query, results, statuses, sub};
use crate::common::{Env, error_code};

#[tokio::test]
async fn all_or_none_rolls_back_every_write_and_halts_the_other_subrequests() {
    let env = Env::new().await;
    let [kept] = &accounts(&env, 1).await[..] else {
        unreachable!()
    };
    let requests = vec![
        sub(
            "POST",
            "/sobjects/Account",
            "created",
            json!({"Name": "New"}),
        ),
        sub(
            "DELETE",
            &format!("/sobjects/Account/{kept}"),
            "deleted",
            Value::Null,
        ),
        query("SELECT Id FROM Account", "read"),
        sub(
            "POST",
            "/sobjects/Contact",
            "bad",
            json!({"AccountId": "@{created.id}"}),
        ),
        sub(
            "GET",
            &format!("/sobjects/Account/{kept}"),
            "after",
            Value::Null,
        ),
    ];

    let resp = composite(&env, true, requests).await;

    assert_eq!((resp.status.as_u16(), statuses(&resp)), (200, vec![400; 5]));
    let codes: Vec<&str> = results(&resp)
        .iter()
        .map(|r| error_code(&r["body"]))
        .collect();
    let halted = "PROCESSING_HALTED";
    assert_eq!(
        codes,
        [halted, halted, halted, "REQUIRED_FIELD_MISSING", halted]
    );
    assert_eq!(results(&resp)[3]["referenceId"], "bad");
    assert_eq!(env.fake.count("Account") + env.fake.count("Contact"), 1);
    assert_eq!(
        env.get(&format!("/sobjects/Account/{kept}")).await.status,
        200
    );
}

#[tokio::test]
async fn without_all_or_none_a_failure_stops_only_the_subrequests_that_refer_to_it() {
    let env = Env::new().await;
    let requests = vec![
        sub("POST", "/sobjects/Account", "bad", json!({"Phone": "1"})),
        sub(
            "POST",
            "/sobjects/Contact",
            "orphan",
            json!({"LastName": "O", "AccountId": "@{bad.id}"}),
        ),
        sub("POST", "/sobjects/Account", "good", json!({"Name": "Good"})),
        sub(
            "PATCH",
            "/sobjects/Contact/Store_Customer_Id__c/1",
            "contact",
            json!({"LastName": "C", "AccountId": "@{good.id}"}),
        ),
    ];

    let resp = composite(&env, false, requests).await;

    assert_eq!(statuses(&resp), [400, 400, 201, 201]);
    let orphan = &results(&resp)[1]["body"][0];
    assert_eq!(orphan["errorCode"], "PROCESSING_HALTED");
    let message = orphan["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid reference specified. No value for bad.id found in bad."),
        "{message}"
    );
    let good = results(&resp)[2]["body"]["id"].clone();
    assert_eq!(env.fake.records("Contact")[0].fields["AccountId"], good);
    assert_eq!(env.fake.count("Account"), 1);
}

#[tokio::test]
async fn references_reach_into_query_results_and_a_missing_value_halts_its_subrequest() {
    let env = Env::new().await;
    let ids = accounts(&env, 2).await;
    env.fake.delete_record("Account", &ids[1]);
    let requests = vec![
        query(
            "SELECT Id, Phone FROM Account WHERE Store_Customer_Id__c = '1'",
            "found",
        ),
        query(
            "SELECT Id FROM Account WHERE Store_Customer_Id__c = 'none'",
            "empty",
        ),
        sub(
            "GET",
            "/sobjects/Account/@{found.records[0].Id}",
            "read",
            Value::Null,
        ),
        sub(
            "POST",
            "/sobjects/Contact",
            "linked",
            json!({"LastName": "L", "AccountId": "@{found.records[0].Id}", "Phone": "@{found.records[0].Phone}"}),
        ),
        sub(
            "GET",
            "/sobjects/Account/@{empty.records[0].Id}",
            "nothing",
            Value::Null,
        ),
        sub("GET", "@{found.nextRecordsUrl}", "no_more", Value::Null),
        sub(
            "GET",
            &format!("/sobjects/Account/{}", ids[1]),
            "deleted",
            Value::Null,
        ),
    ];

    let resp = composite(&env, false, requests).await;

    assert_eq!(statuses(&resp), [200, 200, 200, 201, 400, 400, 404]);
    let codes: Vec<&str> = results(&resp)[4..]
        .iter()
        .map(|r| error_code(&r["body"]))
        .collect();
    assert_eq!(
        codes,
        [
            "PROCESSING_HALTED",
            "PROCESSING_HALTED",
            "ENTITY_IS_DELETED"
        ]
    );
    assert_eq!(results(&resp)[2]["body"]["Id"], json!(ids[0]));
    let contact = &env.fake.records("Contact")[0];
    assert_eq!(contact.fields["AccountId"], json!(ids[0]));
    assert_eq!(
        contact.fields["Phone"],
        Value::Null,
        "a null field is a value from v52.0"
    );
}
