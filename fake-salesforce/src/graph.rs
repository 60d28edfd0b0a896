//! `POST /composite/graph`: independent graphs, each applied all-or-nothing: its nodes run
//! inside a store transaction that commits only when every node succeeded.

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, OpResult, Reply};
use crate::paths::split_data_path;
use crate::refs::Refs;
use crate::store::Store;
use crate::subrequest::{Chain, Resolved, SubRequest, halted, result_json};

const MAX_GRAPHS: usize = 75;
const MAX_NODES: usize = 500;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphRequest {
    graphs: Vec<Graph>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Graph {
    graph_id: String,
    composite_request: Vec<SubRequest>,
}

/// Runs every graph; `lock_first` makes the first graph fail with UNABLE_TO_LOCK_ROW.
pub(crate) fn run(store: &mut Store, body: Option<&Value>, lock_first: bool) -> OpResult {
    let body = body.ok_or_else(|| ApiError::json_parse("the body is empty"))?;
    let request: GraphRequest = serde_json::from_value(body.clone())
        .map_err(|e| ApiError::bad("INVALID_REQUEST", format!("Invalid graph request: {e}")))?;
    let nodes: usize = request
        .graphs
        .iter()
        .map(|g| g.composite_request.len())
        .sum();
    if request.graphs.len() > MAX_GRAPHS {
        let msg = format!(
            "Too many graphs: {} (limit {MAX_GRAPHS})",
            request.graphs.len()
        );
        return Err(ApiError::bad("INVALID_REQUEST", msg));
    }
    if nodes > MAX_NODES {
        return Err(ApiError::bad(
            "INVALID_REQUEST",
            format!("Too many nodes: {nodes} (limit {MAX_NODES})"),
        ));
    }
    // As Salesforce: after 14 failed graphs, the rest of the request is not processed and every
    // node of every remaining graph reports PROCESSING_HALTED.
    let mut failed = 0;
    let graphs: Vec<Value> = request
        .graphs
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if failed >= MAX_FAILED_GRAPHS {
                return halted_graph(g);
            }
            let result = run_graph(store, g, lock_first && i == 0);
            if result["isSuccessful"] == json!(false) {
                failed += 1;
            }
            result
        })
        .collect();
    Ok(Reply::ok(json!({ "graphs": graphs })))
}

/// Failed graphs after which Salesforce stops processing a request.
const MAX_FAILED_GRAPHS: usize = 14;

/// A graph left unprocessed: every node PROCESSING_HALTED, nothing written.
fn halted_graph(graph: &Graph) -> Value {
    let replies = graph
        .composite_request
        .iter()
        .map(|n| result_json(&n.reference_id, &halted()))
        .collect();
    graph_json(&graph.graph_id, replies, false)
}

fn lock_error(store: &Store) -> Reply {
    let id = store
        .records("Account")
        .next()
        .map_or("001000000000000AAA".to_string(), |r| r.id.clone());
    let msg = format!("unable to obtain exclusive access to this record or 1 records: {id}");
    ApiError::bad("UNABLE_TO_LOCK_ROW", msg).into()
}

fn run_graph(store: &mut Store, graph: &Graph, locked: bool) -> Value {
    let chain = Chain {
        requests: &graph.composite_request,
        refs: Refs::new(false),
        unresolved: unknown_reference,
    };
    let (replies, ok) = chain.all_or_none(store, |store, i, node| {
        if locked && i == 0 {
            return lock_error(store);
        }
        run_node(store, node).unwrap_or_else(Reply::from)
    });
    graph_json(&graph.graph_id, replies, ok)
}

fn graph_json(graph_id: &str, replies: Vec<Value>, ok: bool) -> Value {
    json!({
        "graphId": graph_id,
        "graphResponse": { "compositeResponse": replies },
        "isSuccessful": ok,
    })
}

/// A graph node: only sObject resources are allowed.
fn run_node(store: &mut Store, node: Resolved) -> OpResult {
    let unsupported = || {
        ApiError::bad(
            "INVALID_REQUEST",
            format!("Unsupported graph node url: {}", node.url),
        )
    };
    let (version, segs) = split_data_path(&node.url).ok_or_else(unsupported)?;
    let method = Method::from_bytes(node.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| unsupported())?;
    match segs.split_first() {
        Some((first, rest)) if first == "sobjects" && !rest.is_empty() => {
            crate::ops::dispatch(store, &version, &method, rest, node.body.as_ref())
        }
        _ => Err(unsupported()),
    }
}

fn unknown_reference(reference: &str) -> ApiError {
    let name = reference.split('.').next().unwrap_or_default();
    let msg = format!(
        "Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('{name}') must be the referenceId of a previous successful node."
    );
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_REFERENCE", msg)
}
