//! `POST /composite`: up to 25 sub-requests (at most 5 of them query operations) in one API
//! call, each able to refer to earlier results with `@{ref.path}`. With `allOrNone` the chain is
//! one transaction; without, a failure only stops the sub-requests that refer to it.

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, OpResult, Reply};
use crate::paths::{query_param, split_data_path};
use crate::refs::Refs;
use crate::soql::Cursors;
use crate::store::Store;
use crate::subrequest::{Chain, Resolved, SubRequest};

const MAX_SUBREQUESTS: usize = 25;
/// Query, QueryAll, Query More and sObject Collections sub-requests, together.
const MAX_QUERY_OPERATIONS: usize = 5;
/// From this API version a reference to a null field resolves instead of failing.
const NULL_REFERENCES_FROM: u32 = 52;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeRequest {
    #[serde(default)]
    all_or_none: bool,
    composite_request: Vec<SubRequest>,
}

/// Runs a composite request; `version` is the one in its own URL.
pub(crate) fn run(
    store: &mut Store,
    cursors: &mut Cursors,
    version: &str,
    body: Option<&Value>,
) -> OpResult {
    let body = body.ok_or_else(|| ApiError::json_parse("the body is empty"))?;
    let request: CompositeRequest = serde_json::from_value(body.clone())
        .map_err(|e| ApiError::bad("INVALID_REQUEST", format!("Invalid composite request: {e}")))?;
    check_limits(&request.composite_request)?;
    let chain = Chain {
        requests: &request.composite_request,
        refs: Refs::new(major(version) >= NULL_REFERENCES_FROM),
        unresolved,
    };
    let run_one = |store: &mut Store, _: usize, sub: Resolved| {
        sub_request(store, cursors, sub).unwrap_or_else(Reply::from)
    };
    let results = if request.all_or_none {
        chain.all_or_none(store, run_one).0
    } else {
        chain.each(store, run_one)
    };
    Ok(Reply::ok(json!({ "compositeResponse": results })))
}

fn major(version: &str) -> u32 {
    let number = version.trim_start_matches('v');
    number
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

fn limit_exceeded(message: String) -> ApiError {
    ApiError::bad("LIMIT_EXCEEDED", message)
}

/// Refuses the whole request before anything runs when it has too many sub-requests or query
/// operations.
fn check_limits(requests: &[SubRequest]) -> Result<(), ApiError> {
    if requests.len() > MAX_SUBREQUESTS {
        return Err(limit_exceeded(format!(
            "A composite request can have at most {MAX_SUBREQUESTS} subrequests; this one has {}.",
            requests.len()
        )));
    }
    let queries = requests
        .iter()
        .filter(|r| is_query_operation(&r.url))
        .count();
    if queries > MAX_QUERY_OPERATIONS {
        return Err(limit_exceeded(format!(
            "A composite request can have at most {MAX_QUERY_OPERATIONS} query operations (Query, QueryAll, Query More and sObject Collections); this one has {queries}."
        )));
    }
    Ok(())
}

/// A query, query-more or collections URL; a URL that is only a reference to an earlier
/// query's `nextRecordsUrl` is a query-more too.
fn is_query_operation(url: &str) -> bool {
    if let Some(reference) = url.strip_prefix("@{").and_then(|u| u.strip_suffix('}')) {
        return reference.ends_with(".nextRecordsUrl");
    }
    let segs = split_data_path(url)
        .map(|(_, segs)| segs)
        .unwrap_or_default();
    match segs.as_slice() {
        [first, ..] if first == "query" || first == "queryAll" => true,
        [first, second, ..] => first == "composite" && second == "sobjects",
        _ => false,
    }
}

/// What Salesforce answers for a sub-request whose reference has no value (the referenced
/// sub-request failed, or its result lacks that field).
fn unresolved(reference: &str) -> ApiError {
    let name = reference.split(['.', '[']).next().unwrap_or_default();
    let message = format!(
        "Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('{reference}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_')."
    );
    ApiError::bad("PROCESSING_HALTED", message)
}

/// One sub-request: a query, a query-more, or an sObject operation.
fn sub_request(store: &mut Store, cursors: &mut Cursors, sub: Resolved) -> OpResult {
    let (version, segs) = split_data_path(&sub.url).ok_or_else(ApiError::not_found)?;
    let method = Method::from_bytes(sub.method.as_bytes()).map_err(|_| {
        let msg = format!("HTTP Method '{}' not allowed", sub.method);
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", msg)
    })?;
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["query" | "queryAll"]) => {
            let soql = query_param(&sub.url, "q")
                .ok_or_else(|| ApiError::bad("MALFORMED_QUERY", "missing the q parameter"))?;
            let options = sub
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(crate::soql::QUERY_OPTIONS))
                .map(|(_, value)| value.as_str());
            let batch = crate::soql::batch_size(options);
            crate::soql::query(store, cursors, &version, &soql, batch).map(Reply::ok)
        }
        ("GET", ["query" | "queryAll", locator]) => {
            crate::soql::more(cursors, &version, locator).map(Reply::ok)
        }
        (_, ["sobjects", rest @ ..]) if !rest.is_empty() => {
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            crate::ops::dispatch(store, &version, &method, &rest, sub.body.as_ref())
        }
        _ => Err(ApiError::not_found()),
    }
}
