//! The ops endpoint of `run`: `/healthz` (alive; says whether Salesforce answers), `/readyz`
//! (able to work: the store and the loops; while starting, what is waited for), `/metrics`
//! (Prometheus); the console beside them. [`server`] says what the endpoint refuses.

mod server;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::health::check_salesforce;
use crate::salesforce::Salesforce;
use crate::startup::{Phase, Startup};
use crate::store::Store;
use crate::sync::Heartbeat;

pub use server::{Limits, serve_on};

/// /readyz's words for a store that does not answer.
pub const STORE_UNREACHABLE: &str = "store unreachable (the log says why)";

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

/// What the endpoints look at from the first request on, before the store or Salesforce answer.
#[derive(Clone)]
pub struct Ops {
    /// Built (not connected) before serving, so `/healthz` and the gauge say "no token yet".
    pub salesforce: Salesforce,
    pub max_token_silence: Duration,
    pub startup: Startup,
}

/// The ops endpoints of a process that is already running.
pub fn router(readiness: Readiness) -> Router {
    ops_router(Ops {
        salesforce: readiness.salesforce.clone(),
        max_token_silence: readiness.max_token_silence,
        startup: Startup::running(readiness, None),
    })
}

/// The ops endpoints, following `ops.startup` from waiting to running.
pub fn ops_router(ops: Ops) -> Router {
    routes().with_state(ops)
}

fn routes() -> Router<Ops> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Serves the ops endpoints until `cancel`, and the console beside them once `ops.startup`
/// runs with one (`with_console`); binds first so a bad address fails start-up, not later.
pub async fn serve(
    addr: std::net::SocketAddr,
    ops: Ops,
    with_console: bool,
    limits: Limits,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let what = if with_console {
        "/healthz, /readyz, /metrics and the console"
    } else {
        "/healthz, /readyz and /metrics"
    };
    let app = match with_console {
        true => routes().fallback(console_when_running).with_state(ops),
        false => ops_router(ops),
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
    serve_app(addr, app, what, limits, cancel).await
}

/// Serves `app` on `addr` within `limits` until `cancel`; binding fails at once with the
/// address named.
pub async fn serve_app(
    addr: std::net::SocketAddr,
    app: Router,
    what: &str,
    limits: Limits,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))?;
    tracing::info!(%addr, "serving {what}");
    Ok(serve_on(listener, app, limits, cancel))
}

/// The console's pages once `run` has connected; until then 503 with what is waited for.
async fn console_when_running(State(ops): State<Ops>, request: Request) -> Response {
    use tower::ServiceExt;
    match ops.startup.phase() {
        Phase::Waiting(why) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response()
        }
        Phase::Running {
            console: Some(console),
            ..
        } => match console.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Phase::Running { console: None, .. } => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Alive whenever it answers (200), from start-up on; the body says whether Salesforce answers,
/// for people and alerts.
async fn healthz(State(ops): State<Ops>) -> Json<Value> {
    let salesforce = check_salesforce(&ops.salesforce, ops.max_token_silence).await;
    Json(json!({ "alive": true, "salesforce": salesforce }))
}

/// Refreshes `order_sync_salesforce_up`, then renders every series.
async fn metrics(State(ops): State<Ops>) -> String {
    check_salesforce(&ops.salesforce, ops.max_token_silence).await;
    crate::metrics::handle().render()
}

/// While starting: 503 with one plain line saying what is waited for. Then as [`running`].
async fn readyz(State(ops): State<Ops>) -> Response {
    match ops.startup.phase() {
        Phase::Waiting(why) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response()
        }
        Phase::Running { readiness, .. } => running(&readiness).await.into_response(),
    }
}

/// Ready when the store answers and every loop beats. A Salesforce outage does not count: the
/// worker is healthy and waiting, and an unready pod would stall a rolling update for nothing.
async fn running(r: &Readiness) -> (StatusCode, Json<Value>) {
    let mut problems = Vec::new();
    if let Err(e) = r.store.ping().await {
        // The driver's words (host names, user names) stay in the log: /readyz answers anyone.
        tracing::warn!(error = %e, "readyz: the store does not answer");
        problems.push(STORE_UNREACHABLE.to_string());
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
