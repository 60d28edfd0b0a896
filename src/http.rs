//! The ops endpoint of `run`: `/healthz` (alive; says whether Salesforce answers), `/readyz`
//! (able to work: the store and the loops), `/metrics` (Prometheus); the console beside them.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::health::check_salesforce;
use crate::salesforce::Salesforce;
use crate::store::Store;
use crate::sync::Heartbeat;

/// What the endpoints look at.
#[derive(Clone)]
pub struct Readiness {
    pub store: Store,
    /// Reported by `/healthz` and `order_sync_salesforce_up`; not part of readiness.
    pub salesforce: Salesforce,
    /// Loops and how long each may go without a beat before the process counts as wedged.
    pub loops: Vec<(&'static str, Arc<Heartbeat>, Duration)>,
    /// A token older than this (with no successful call since) means Salesforce access is lost.
    pub max_token_silence: Duration,
}

pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(readiness)
}

/// Serves the ops endpoints, and `console` beside them when given, until `cancel`; binds first
/// so a bad address fails start-up, not later.
pub async fn serve(
    addr: std::net::SocketAddr,
    readiness: Readiness,
    console: Option<Router>,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let what = if console.is_some() {
        "/healthz, /readyz, /metrics and the console"
    } else {
        "/healthz, /readyz and /metrics"
    };
    let app = match console {
        Some(c) => router(readiness).merge(c),
        None => router(readiness),
    };
    let upkeep = crate::metrics::handle();
    let upkeep_cancel = cancel.clone();
    tokio::spawn(async move {
        // The exporter needs periodic upkeep when its own listener is not used.
        while !upkeep_cancel.is_cancelled() {
            upkeep.run_upkeep();
            tokio::select! { _ = tokio::time::sleep(Duration::from_secs(5)) => {}, _ = upkeep_cancel.cancelled() => {} }
        }
    });
    serve_app(addr, app, what, cancel).await
}

/// Serves `app` on `addr` until `cancel`; binding fails at once with the address named.
pub async fn serve_app(
    addr: std::net::SocketAddr,
    app: Router,
    what: &str,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))?;
    tracing::info!(%addr, "serving {what}");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "http endpoint stopped");
        }
    }))
}

/// Alive whenever it answers (200); the body says whether Salesforce answers, for people and alerts.
async fn healthz(State(r): State<Readiness>) -> Json<Value> {
    let salesforce = check_salesforce(&r.salesforce, r.max_token_silence).await;
    Json(json!({ "alive": true, "salesforce": salesforce }))
}

/// Refreshes `order_sync_salesforce_up`, then renders every series.
async fn metrics(State(r): State<Readiness>) -> String {
    check_salesforce(&r.salesforce, r.max_token_silence).await;
    crate::metrics::handle().render()
}

/// Ready when the store answers and every loop beats. A Salesforce outage does not count: the
/// worker is healthy and waiting, and an unready pod would stall a rolling update for nothing.
async fn readyz(State(r): State<Readiness>) -> (StatusCode, Json<Value>) {
    let mut problems = Vec::new();
    if let Err(e) = r.store.ping().await {
        problems.push(format!("store unreachable: {e}"));
    }
    for (name, beat, max) in &r.loops {
        match beat.age_ms() {
            Some(ms) if ms as u128 > max.as_millis() => {
                problems.push(format!("the {name} loop has not run for {ms} ms"))
            }
            _ => {}
        }
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    // Not a readiness problem (the worker waits it out), but said here too, so whoever looks
    // at /readyz during an outage learns why nothing moves.
    let salesforce = r.salesforce.pause_reason();
    (
        status,
        Json(
            json!({ "ready": problems.is_empty(), "problems": problems, "salesforce_paused": salesforce }),
        ),
    )
}
