//! What one composite may hold and cost: query operations, sub-requests, API calls, latency and
//! faults.

use std::time::{Duration, Instant};

use fake_salesforce::{FaultKind, Faults};
use serde_json::{Value, json};

use super::{accounts, composite, query, results, statuses, sub};
use crate::common::{Env, error_code};

#[tokio::test]
async fn five_query_operations_with_a_query_more_by_reference_are_one_api_call() {
    let env = Env::new().await;
    accounts(&env, 5).await;
    let mut first = query("SELECT Id, Name FROM Account ORDER BY Name", "page1");
    first["httpHeaders"] = json!({"Sforce-Query-Options": "batchSize=2"});
    let requests = vec![
        first,
        query("SELECT COUNT() FROM Account", "count"),
        query(
            "SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Store_Customer_Id__c = '1'",
            "tree",
        ),
        sub("GET", "@{page1.nextRecordsUrl}", "page2", Value::Null),
        sub(
            "GET",
            "/queryAll?q=SELECT+Id+FROM+Account",
            "all",
            Value::Null,
        ),
    ];
    env.fake.set_latency(Duration::from_millis(300));
    let calls = env.fake.api_calls();
    let started = Instant::now();

    let resp = composite(&env, false, requests).await;

    let elapsed = started.elapsed();
    assert_eq!(env.fake.api_calls(), calls + 1);
    assert!(resp.headers.contains_key("sforce-limit-info"));
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(1200),
        "{elapsed:?}"
    );
    assert_eq!((resp.status.as_u16(), statuses(&resp)), (200, vec![200; 5]));
    let [page1, count, tree, page2, all] = &results(&resp)[..] else {
        unreachable!()
    };
    assert_eq!(
        (&page1["referenceId"], &page1["httpHeaders"]),
        (&json!("page1"), &json!({}))
    );
    assert_eq!(page1["body"]["records"][1]["Name"], "Acct 2");
    assert_eq!(count["body"]["totalSize"], 5);
    assert_eq!(tree["body"]["records"][0]["Contacts"], Value::Null);
    let names: Vec<&str> = page2["body"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acct 3", "Acct 4"]);
    assert_eq!(page2["body"]["done"], false);
    assert_eq!(all["body"]["totalSize"], 5);
}

#[tokio::test]
async fn a_sixth_query_operation_or_a_twenty_sixth_subrequest_refuses_the_whole_request() {
    let env = Env::new().await;
    accounts(&env, 3).await;
    let write = sub("POST", "/sobjects/Account", "write", json!({"Name": "New"}));
    let five_queries = (0..5).map(|i| query("SELECT Id FROM Account", &format!("q{i}")));
    let more = sub("GET", "@{q0.nextRecordsUrl}", "more", Value::Null);
    let six_queries: Vec<Value> = five_queries
        .clone()
        .chain([query("SELECT Id FROM Contact", "q5")])
        .collect();
    let five_and_more: Vec<Value> = [write.clone()]
        .into_iter()
        .chain(five_queries)
        .chain([more])
        .collect();
    let many: Vec<Value> = (0..26)
        .map(|i| {
            sub(
                "POST",
                "/sobjects/Account",
                &format!("a{i}"),
                json!({"Name": "A"}),
            )
        })
        .collect();

    for requests in [six_queries, five_and_more, many] {
        let resp = composite(&env, false, requests).await;
        assert_eq!(
            (resp.status.as_u16(), error_code(&resp.body)),
            (400, "LIMIT_EXCEEDED"),
            "{}",
            resp.body
        );
    }
    assert_eq!(env.fake.count("Account"), 3, "nothing ran");
    let resp = composite(
        &env,
        false,
        (0..25).map(|i| query_or_write(i, &write)).collect(),
    )
    .await;
    assert_eq!(statuses(&resp).len(), 25);
}

/// Five queries among twenty writes: as much as one composite may hold.
fn query_or_write(i: usize, write: &Value) -> Value {
    match i % 5 {
        0 => query("SELECT Id FROM Account", &format!("q{i}")),
        _ => {
            let mut w = write.clone();
            w["referenceId"] = json!(format!("w{i}"));
            w
        }
    }
}

#[tokio::test]
async fn a_refusing_fault_refuses_the_whole_composite_and_applies_nothing() {
    let env = Env::new().await;
    let write = || vec![sub("POST", "/sobjects/Account", "a", json!({"Name": "A"}))];
    let calls = env.fake.api_calls();
    for (kind, status) in [
        (FaultKind::Html503, 503),
        (FaultKind::UnableToLockRow, 400),
        (FaultKind::RequestLimitExceeded, 403),
    ] {
        env.fake.set_faults(Faults::always(kind));
        let resp = composite(&env, true, write()).await;
        assert_eq!(resp.status, status, "{kind}");
        assert!(resp.body.get("compositeResponse").is_none(), "{kind}");
    }
    assert_eq!(env.fake.count("Account"), 0);
    assert_eq!(env.fake.api_calls(), calls + 3);

    env.fake
        .set_faults(Faults::always(FaultKind::DropAfterApply));
    let sent = env
        .request(reqwest::Method::POST, "/composite")
        .json(&json!({"allOrNone": true, "compositeRequest": write()}))
        .send()
        .await;
    let body = match sent {
        Ok(resp) => resp.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the client sees a broken connection");
    assert_eq!(
        env.fake.count("Account"),
        1,
        "but the composite was applied"
    );
}
