//! HTTP layer: the router, and the pipeline every `/services/data` request runs through
//! (counting, latency, auth, API limit, fault injection, dispatch, limit header).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};

use crate::error::{ApiError, OpResult, Reply};
use crate::faults::FaultKind;
use crate::state::Shared;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services/oauth2/token", post(crate::oauth::token))
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .route("/services/data/{*rest}", any(data))
        .fallback(|| async { reply_response(ApiError::not_found().into()) })
        .with_state(shared)
}

/// `GET /services/data/`: the API versions this org serves (no token needed, not counted).
async fn versions() -> Response {
    let list: Vec<serde_json::Value> = (31..=66)
        .map(|v| {
            serde_json::json!({
                "label": format!("Release {v}"), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")
            })
        })
        .collect();
    Json(list).into_response()
}

fn reply_response(reply: Reply) -> Response {
    match reply.body {
        Some(body) => (reply.status, Json(body)).into_response(),
        None => reply.status.into_response(),
    }
}

fn with_usage(mut response: Response, usage: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(usage) {
        response.headers_mut().insert("Sforce-Limit-Info", v);
    }
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("OAuth "))
        .map(str::trim)
}

async fn data(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (usage, latency) = {
        let mut state = shared.lock();
        (state.count_call(), state.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = match admit(&shared, &headers) {
        Ok(fault) => fault,
        Err(e) => return with_usage(reply_response(e.into()), &usage),
    };
    let is_graph = uri.path().ends_with("/composite/graph");
    if let Some(early) = fault.and_then(|f| refuse(f, is_graph)) {
        return with_usage(early, &usage);
    }
    let lock_first_graph = fault == Some(FaultKind::UnableToLockRow);
    let reply = handle(&shared, &method, &uri, &headers, &body, lock_first_graph)
        .unwrap_or_else(Reply::from);
    let response = with_usage(reply_response(reply), &usage);
    match fault {
        Some(FaultKind::DropAfterApply) => broken_response(),
        Some(FaultKind::SlowResponse) => {
            let slow_by = shared.lock().dice.faults.slow_by;
            let mut stop = shared.stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(slow_by) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
            response
        }
        _ => response,
    }
}

/// Auth and API-limit checks, then the fault dice; returns the fault to inject, if any.
fn admit(shared: &Shared, headers: &HeaderMap) -> Result<Option<FaultKind>, ApiError> {
    let mut state = shared.lock();
    let token = bearer(headers)
        .filter(|t| state.tokens.contains(*t))
        .ok_or_else(ApiError::invalid_session)?;
    if state.api_used > state.api_max {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        ));
    }
    let fault = state.dice.roll();
    if let Some(kind) = fault {
        *state.injected.entry(kind.name().to_string()).or_default() += 1;
        if kind == FaultKind::ExpiredToken {
            state.tokens.remove(token);
        }
    }
    Ok(fault)
}

const MAINTENANCE_PAGE: &str = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>\
<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request \
due to maintenance downtime or capacity problems. Please try again later.</p></body></html>";

/// Faults answered without applying the request.
fn refuse(kind: FaultKind, is_graph: bool) -> Option<Response> {
    let error = match kind {
        FaultKind::Html503 => {
            let ct = [(header::CONTENT_TYPE, "text/html; charset=UTF-8")];
            return Some((StatusCode::SERVICE_UNAVAILABLE, ct, MAINTENANCE_PAGE).into_response());
        }
        // A graph request is processed: only its first graph fails (see graph::run). Any other
        // request, a /composite included, is refused whole and applies nothing.
        FaultKind::UnableToLockRow if is_graph => return None,
        FaultKind::UnableToLockRow => ApiError::bad(
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access to this record or 1 records: 001000000000000AAA",
        ),
        FaultKind::RequestLimitExceeded => ApiError::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
        ),
        FaultKind::ExpiredToken => ApiError::invalid_session(),
        FaultKind::DropAfterApply | FaultKind::SlowResponse => return None,
    };
    Some(reply_response(error.into()))
}

/// A 200 whose body fails mid-stream: hyper aborts the connection, so the client sees a
/// transport error although the request was applied.
fn broken_response() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by fault injection",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn parse_body(method: &Method, body: &[u8]) -> Result<Option<Value>, ApiError> {
    if body.is_empty() || *method == Method::GET {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(ApiError::json_parse)
}

fn batch_size(headers: &HeaderMap) -> usize {
    let options = headers
        .get(crate::soql::QUERY_OPTIONS)
        .and_then(|v| v.to_str().ok());
    crate::soql::batch_size(options)
}

fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    lock_first_graph: bool,
) -> OpResult {
    let (version, segs) =
        crate::paths::split_data_path(uri.path()).ok_or_else(ApiError::not_found)?;
    let body = parse_body(method, body)?;
    let mut guard = shared.lock();
    let state = &mut *guard;
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["query" | "queryAll"]) => {
            let params = Query::<HashMap<String, String>>::try_from_uri(uri)
                .map(|q| q.0)
                .unwrap_or_default();
            let soql = params
                .get("q")
                .ok_or_else(|| ApiError::bad("MALFORMED_QUERY", "missing the q parameter"))?;
            let page = crate::soql::query(
                &state.store,
                &mut state.cursors,
                &version,
                soql,
                batch_size(headers),
            )?;
            Ok(Reply::ok(page))
        }
        ("GET", ["query" | "queryAll", locator]) => {
            crate::soql::more(&state.cursors, &version, locator).map(Reply::ok)
        }
        ("POST", ["composite"]) => crate::composite::run(
            &mut state.store,
            &mut state.cursors,
            &version,
            body.as_ref(),
        ),
        ("POST", ["composite", "graph"]) => {
            crate::graph::run(&mut state.store, body.as_ref(), lock_first_graph)
        }
        ("GET", ["limits"]) => {
            let remaining = state.api_max.saturating_sub(state.api_used);
            Ok(Reply::ok(
                json!({"DailyApiRequests": {"Max": state.api_max, "Remaining": remaining}}),
            ))
        }
        (_, ["sobjects", rest @ ..]) if !rest.is_empty() => {
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            crate::ops::dispatch(&mut state.store, &version, method, &rest, body.as_ref())
        }
        _ => Err(ApiError::not_found()),
    }
}
