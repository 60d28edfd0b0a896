//! `POST /composite/graph`: independent graphs, each applied all-or-nothing: its nodes run
//! inside a store transaction that commits only when every node succeeded.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, OpResult, Reply};
use crate::paths::split_data_path;
use crate::store::Store;

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
    composite_request: Vec<Node>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    method: String,
    url: String,
    reference_id: String,
    #[serde(default)]
    body: Option<Value>,
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

fn halted() -> Reply {
    Reply::from(ApiError::bad(
        "PROCESSING_HALTED",
        "The transaction was rolled back since another operation in the same transaction failed.",
    ))
}

/// A graph left unprocessed: every node PROCESSING_HALTED, nothing written.
fn halted_graph(graph: &Graph) -> Value {
    let replies = graph
        .composite_request
        .iter()
        .map(|n| node_json(&n.reference_id, &halted()))
        .collect();
    graph_json(&graph.graph_id, replies, false)
}

fn node_json(reference_id: &str, reply: &Reply) -> Value {
    json!({
        "body": reply.body.clone().unwrap_or(Value::Null),
        "httpHeaders": {},
        "httpStatusCode": reply.status.as_u16(),
        "referenceId": reference_id,
    })
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
    store.begin();
    let mut refs: HashMap<&str, Value> = HashMap::new();
    let mut replies: Vec<Value> = Vec::new();
    let mut failed_at: Option<usize> = None;
    for (i, node) in graph.composite_request.iter().enumerate() {
        let reply = if locked && i == 0 {
            lock_error(store)
        } else {
            run_node(store, node, &refs)
        };
        replies.push(node_json(&node.reference_id, &reply));
        if reply.status.as_u16() >= 300 {
            failed_at = Some(i);
            break;
        }
        refs.insert(&node.reference_id, reply.body.unwrap_or(Value::Null));
    }
    let Some(failed_at) = failed_at else {
        store.commit();
        return graph_json(&graph.graph_id, replies, true);
    };
    store.rollback();
    let halted = halted();
    let replies = graph
        .composite_request
        .iter()
        .enumerate()
        .map(|(i, node)| match replies.get(i) {
            Some(failed) if i == failed_at => failed.clone(),
            _ => node_json(&node.reference_id, &halted),
        })
        .collect();
    graph_json(&graph.graph_id, replies, false)
}

fn graph_json(graph_id: &str, replies: Vec<Value>, ok: bool) -> Value {
    json!({
        "graphId": graph_id,
        "graphResponse": { "compositeResponse": replies },
        "isSuccessful": ok,
    })
}

fn run_node(scratch: &mut Store, node: &Node, refs: &HashMap<&str, Value>) -> Reply {
    match try_node(scratch, node, refs) {
        Ok(reply) => reply,
        Err(e) => e.into(),
    }
}

fn try_node(scratch: &mut Store, node: &Node, refs: &HashMap<&str, Value>) -> OpResult {
    let url = substitute_str(&node.url, refs)?;
    let body = node
        .body
        .as_ref()
        .map(|b| substitute(b, refs))
        .transpose()?;
    let unsupported = || {
        ApiError::bad(
            "INVALID_REQUEST",
            format!("Unsupported graph node url: {}", node.url),
        )
    };
    let (version, segs) = split_data_path(&url).ok_or_else(unsupported)?;
    let method = Method::from_bytes(node.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| unsupported())?;
    match segs.split_first() {
        Some((first, rest)) if first == "sobjects" && !rest.is_empty() => {
            crate::ops::dispatch(scratch, &version, &method, rest, body.as_ref())
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

/// The value `@{ref.path}` points at: a field of an earlier node's response body.
fn lookup(reference: &str, refs: &HashMap<&str, Value>) -> Result<Value, ApiError> {
    let mut parts = reference.split('.');
    let mut current = parts
        .next()
        .and_then(|r| refs.get(r))
        .ok_or_else(|| unknown_reference(reference))?;
    for part in parts {
        let next = match current {
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            other => other.get(part),
        };
        current = next
            .filter(|v| !v.is_null())
            .ok_or_else(|| unknown_reference(reference))?;
    }
    Ok(current.clone())
}

fn substitute_str(s: &str, refs: &HashMap<&str, Value>) -> Result<String, ApiError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("@{") {
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| unknown_reference(&rest[start..]))?;
        out.push_str(&rest[..start]);
        let value = lookup(&rest[start + 2..start + end], refs)?;
        out.push_str(&crate::record::value_text(&value).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Replaces references in every string of a node body; a string that is exactly one
/// reference takes the referenced value with its JSON type.
fn substitute(v: &Value, refs: &HashMap<&str, Value>) -> Result<Value, ApiError> {
    Ok(match v {
        Value::String(s) => match s.strip_prefix("@{").and_then(|r| r.strip_suffix('}')) {
            Some(r) if !r.contains(['{', '}']) => lookup(r, refs)?,
            _ => Value::String(substitute_str(s, refs)?),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| substitute(i, refs))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, item) in map {
                out.insert(k.clone(), substitute(item, refs)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}
