//! Sub-requests as composite and composite graph carry them, and the two ways a chain of them
//! runs: all-or-none (one store transaction; the first failure rolls everything back and every
//! other sub-request reports PROCESSING_HALTED) or each on its own (a failure only stops the
//! sub-requests that refer to it).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, Reply};
use crate::refs::Refs;
use crate::store::Store;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubRequest {
    pub method: String,
    pub url: String,
    pub reference_id: String,
    #[serde(default)]
    pub body: Option<Value>,
    /// Headers for this sub-request alone (e.g. `Sforce-Query-Options`).
    #[serde(default)]
    pub http_headers: HashMap<String, String>,
}

/// A sub-request with its references replaced by the values they point at.
pub(crate) struct Resolved<'a> {
    pub method: &'a str,
    pub url: String,
    pub body: Option<Value>,
    pub headers: &'a HashMap<String, String>,
}

/// A chain's shared settings: where references resolve, and what an unresolved one answers.
pub(crate) struct Chain<'a> {
    pub requests: &'a [SubRequest],
    pub refs: Refs,
    pub unresolved: fn(&str) -> ApiError,
}

pub(crate) fn halted() -> Reply {
    Reply::from(ApiError::bad(
        "PROCESSING_HALTED",
        "The transaction was rolled back since another operation in the same transaction failed.",
    ))
}

/// One entry of a `compositeResponse` list.
pub(crate) fn result_json(reference_id: &str, reply: &Reply) -> Value {
    json!({
        "body": reply.body.clone().unwrap_or(Value::Null),
        "httpHeaders": {},
        "httpStatusCode": reply.status.as_u16(),
        "referenceId": reference_id,
    })
}

fn failed(reply: &Reply) -> bool {
    reply.status.as_u16() >= 300
}

impl Chain<'_> {
    /// Resolves sub-request `i` and runs it; a success becomes referenceable.
    fn step<F>(&mut self, store: &mut Store, i: usize, run: &mut F) -> Reply
    where
        F: FnMut(&mut Store, usize, Resolved) -> Reply,
    {
        let request = &self.requests[i];
        let url = self.refs.in_text(&request.url);
        let body = request
            .body
            .as_ref()
            .map(|b| self.refs.in_body(b))
            .transpose();
        let reply = match (url, body) {
            (Ok(url), Ok(body)) => {
                let resolved = Resolved {
                    method: &request.method,
                    url,
                    body,
                    headers: &request.http_headers,
                };
                run(store, i, resolved)
            }
            (Err(reference), _) | (_, Err(reference)) => (self.unresolved)(&reference).into(),
        };
        if !failed(&reply) {
            let body = reply.body.clone().unwrap_or(Value::Null);
            self.refs.insert(&request.reference_id, body);
        }
        reply
    }

    /// Runs the chain in one store transaction. Returns the results and whether all succeeded;
    /// on a failure nothing stays written and every other result is PROCESSING_HALTED.
    pub fn all_or_none<F>(mut self, store: &mut Store, mut run: F) -> (Vec<Value>, bool)
    where
        F: FnMut(&mut Store, usize, Resolved) -> Reply,
    {
        store.begin();
        let mut replies = Vec::new();
        for i in 0..self.requests.len() {
            let reply = self.step(store, i, &mut run);
            let stop = failed(&reply);
            replies.push(reply);
            if stop {
                break;
            }
        }
        let ok = replies.last().is_none_or(|r| !failed(r));
        if ok {
            store.commit();
        } else {
            store.rollback();
        }
        let halted = halted();
        let results = self.requests.iter().enumerate().map(|(i, request)| {
            let reply = match replies.get(i) {
                Some(reply) if ok || failed(reply) => reply,
                _ => &halted,
            };
            result_json(&request.reference_id, reply)
        });
        (results.collect(), ok)
    }

    /// Runs every sub-request in order; a failed one is reported as it failed, and those
    /// referring to it fail as their references can't resolve.
    pub fn each<F>(mut self, store: &mut Store, mut run: F) -> Vec<Value>
    where
        F: FnMut(&mut Store, usize, Resolved) -> Reply,
    {
        (0..self.requests.len())
            .map(|i| {
                let reply = self.step(store, i, &mut run);
                result_json(&self.requests[i].reference_id, &reply)
            })
            .collect()
    }
}
