//! Composite: sub-requests chained by references in one API call, its limits, allOrNone
//! rollback, and faults refusing the whole request. Helpers build sub-requests as a client does.

mod chains;
mod limits;

use serde_json::{Value, json};

use crate::common::{Env, Resp, id_of};

/// A sub-request; `url` is relative to `/services/data/v62.0` unless it is a reference.
pub fn sub(method: &str, url: &str, reference_id: &str, body: Value) -> Value {
    let url = if url.starts_with('@') {
        url.to_string()
    } else {
        format!("/services/data/v62.0{url}")
    };
    let mut sub = json!({"method": method, "url": url, "referenceId": reference_id});
    if !body.is_null() {
        sub["body"] = body;
    }
    sub
}

/// A query sub-request, its SOQL URL-encoded as a client sends it.
pub fn query(soql: &str, reference_id: &str) -> Value {
    let encoded: String = soql
        .bytes()
        .map(|b| match b {
            b' ' => "+".to_string(),
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect();
    sub(
        "GET",
        &format!("/query?q={encoded}"),
        reference_id,
        Value::Null,
    )
}

/// Sends one composite request.
pub async fn composite(env: &Env, all_or_none: bool, requests: Vec<Value>) -> Resp {
    let body = json!({"allOrNone": all_or_none, "compositeRequest": requests});
    env.post("/composite", body).await
}

pub fn results(resp: &Resp) -> &Vec<Value> {
    match resp.body["compositeResponse"].as_array() {
        Some(results) => results,
        None => panic!("not a composite response: {} {}", resp.status, resp.body),
    }
}

pub fn statuses(resp: &Resp) -> Vec<u64> {
    let status = |r: &Value| r["httpStatusCode"].as_u64().unwrap();
    results(resp).iter().map(status).collect()
}

/// Accounts keyed 1..=n through the API; returns their ids.
pub async fn accounts(env: &Env, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 1..=n {
        ids.push(id_of(
            &env.upsert_account(&i.to_string(), &format!("Acct {i}"))
                .await,
        ));
    }
    ids
}
