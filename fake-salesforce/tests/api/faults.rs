//! Fault injection: each kind's effect on the response and on what was applied.

use std::time::{Duration, Instant};

use fake_salesforce::{FaultKind, Faults};
use serde_json::json;

use crate::common::{Env, error_code};

fn injected(env: &Env, kind: FaultKind) -> u64 {
    env.fake
        .faults_injected()
        .get(kind.name())
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn html_503_applies_nothing() {
    let env = Env::new().await;
    env.fake.set_faults(Faults::always(FaultKind::Html503));
    let resp = env.upsert_account("1", "A").await;
    assert_eq!(resp.status, 503);
    assert!(
        resp.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(resp.body.as_str().unwrap().contains("<html>"));
    assert!(resp.headers.contains_key("sforce-limit-info"));
    assert_eq!(env.fake.count("Account"), 0);
    assert_eq!(injected(&env, FaultKind::Html503), 1);
}

#[tokio::test]
async fn lock_row_and_request_limit_apply_nothing() {
    let env = Env::new().await;
    env.fake
        .set_faults(Faults::always(FaultKind::UnableToLockRow));
    let resp = env.upsert_account("1", "A").await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (400, "UNABLE_TO_LOCK_ROW")
    );
    env.fake
        .set_faults(Faults::always(FaultKind::RequestLimitExceeded));
    let resp = env.upsert_account("1", "A").await;
    assert_eq!(resp.status, 403);
    assert_eq!(
        resp.body,
        json!([{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentRequests (Concurrent API Requests) Limit exceeded."}])
    );
    assert_eq!(env.fake.count("Account"), 0);
}

#[tokio::test]
async fn lock_row_fails_only_the_first_graph() {
    let env = Env::new().await;
    let graph = |id: &str, key: &str| {
        json!({"graphId": id, "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/Account/Store_Customer_Id__c/{key}"), "referenceId": "a", "body": {"Name": "A"}},
            {"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/Contact/Store_Customer_Id__c/{key}"), "referenceId": "c", "body": {"LastName": "L", "AccountId": "@{a.id}"}},
        ]})
    };
    env.fake
        .set_faults(Faults::always(FaultKind::UnableToLockRow));
    let resp = env
        .post(
            "/composite/graph",
            json!({"graphs": [graph("g1", "1"), graph("g2", "2")]}),
        )
        .await;
    assert_eq!(resp.status, 200);
    let first = &resp.body["graphs"][0];
    assert_eq!(first["isSuccessful"], false);
    let nodes = &first["graphResponse"]["compositeResponse"];
    assert_eq!(error_code(&nodes[0]["body"]), "UNABLE_TO_LOCK_ROW");
    assert!(
        nodes[0]["body"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unable to obtain exclusive access to this record or 1 records: 001")
    );
    assert_eq!(error_code(&nodes[1]["body"]), "PROCESSING_HALTED");
    assert_eq!(resp.body["graphs"][1]["isSuccessful"], true);
    assert_eq!(
        env.fake.find("Account", "Store_Customer_Id__c", "2").len(),
        1
    );
    assert_eq!(env.fake.count("Account"), 1);
}

#[tokio::test]
async fn drop_after_apply_applies_but_the_client_fails() {
    let env = Env::new().await;
    env.fake
        .set_faults(Faults::always(FaultKind::DropAfterApply));
    let req = env
        .request(
            reqwest::Method::PATCH,
            "/sobjects/Account/Store_Customer_Id__c/1",
        )
        .json(&json!({"Name": "A"}));
    let result = match req.send().await {
        Ok(resp) => resp.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(result.is_err(), "the client must see a transport error");
    assert_eq!(env.fake.count("Account"), 1);
    assert_eq!(injected(&env, FaultKind::DropAfterApply), 1);
    env.fake.set_faults(Faults::default());
    assert_eq!(env.upsert_account("1", "A").await.status, 200);
}

#[tokio::test]
async fn slow_response_applies_then_outlasts_the_client() {
    let env = Env::new().await;
    env.fake
        .set_faults(Faults::always(FaultKind::SlowResponse).with_slow_by(Duration::from_secs(3)));
    let req = env
        .request(
            reqwest::Method::PATCH,
            "/sobjects/Account/Store_Customer_Id__c/1",
        )
        .json(&json!({"Name": "A"}))
        .timeout(Duration::from_millis(300));
    let err = req.send().await.expect_err("should time out");
    assert!(err.is_timeout());
    assert_eq!(env.fake.count("Account"), 1);
}

#[tokio::test]
async fn expired_token_fault_revokes_the_token() {
    let env = Env::new().await;
    env.fake.set_faults(Faults::always(FaultKind::ExpiredToken));
    let resp = env.upsert_account("1", "A").await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (401, "INVALID_SESSION_ID")
    );
    env.fake.set_faults(Faults::default());
    assert_eq!(env.upsert_account("1", "A").await.status, 401);
    assert_eq!(env.fake.count("Account"), 0);
    let fresh = env.fake.issue_token();
    let resp = env
        .send(env.http.get(env.url("/limits")).bearer_auth(fresh))
        .await;
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn seeded_faults_are_reproducible_and_latency_applies() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let env = Env::new().await;
        env.fake.set_faults(
            Faults::new(0.5, [FaultKind::Html503, FaultKind::RequestLimitExceeded]).with_seed(7),
        );
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(env.get("/limits").await.status.as_u16());
        }
        assert!(
            statuses.contains(&200) && statuses.iter().any(|s| *s != 200),
            "{statuses:?}"
        );
        runs.push((statuses, env.fake.faults_injected()));
    }
    assert_eq!(runs[0], runs[1]);
    let env = Env::new().await;
    env.fake.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    env.get("/limits").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}
