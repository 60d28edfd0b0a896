//! The ops endpoint of `run`: `/healthz` (alive), `/readyz` (able to work), `/metrics` (Prometheus).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::salesforce::Salesforce;
use crate::store::Store;
use crate::sync::Heartbeat;

/// What `/readyz` looks at.
#[derive(Clone)]
pub struct Readiness {
    pub store: Store,
    pub salesforce: Salesforce,
    /// Loops and how long each may go without a beat before the process counts as wedged.
    pub loops: Vec<(&'static str, Arc<Heartbeat>, Duration)>,
    /// A token older than this (with no successful call since) means Salesforce access is lost.
    pub max_token_silence: Duration,
}

pub fn router(readiness: Readiness) -> Router {
    let handle = crate::metrics::handle();
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(move || std::future::ready(handle.render())))
        .with_state(readiness)
}

/// Serves until `cancel`; binds first so a bad address fails start-up, not later.
pub async fn serve(
    addr: std::net::SocketAddr,
    readiness: Readiness,
    cancel: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("http.listen {addr}: {e}"))?;
    tracing::info!(%addr, "serving /healthz, /readyz and /metrics");
    let app = router(readiness);
    let upkeep = crate::metrics::handle();
    Ok(tokio::spawn(async move {
        let upkeep_cancel = cancel.clone();
        tokio::spawn(async move {
            // The exporter needs periodic upkeep when its own listener is not used.
            while !upkeep_cancel.is_cancelled() {
                upkeep.run_upkeep();
                tokio::select! { _ = tokio::time::sleep(Duration::from_secs(5)) => {}, _ = upkeep_cancel.cancelled() => {} }
            }
        });
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "http endpoint stopped");
        }
    }))
}

async fn readyz(State(r): State<Readiness>) -> (StatusCode, Json<Value>) {
    let mut problems = Vec::new();
    if let Err(e) = r.store.ping().await {
        problems.push(format!("store unreachable: {e}"));
    }
    match r.salesforce.token_age().await {
        None => problems.push("no Salesforce token yet".to_string()),
        Some(age) if age > r.max_token_silence => {
            let recent_success = r.salesforce.last_success().is_some_and(|t| {
                (chrono::Utc::now() - t).to_std().unwrap_or_default() < r.max_token_silence
            });
            if !recent_success {
                problems.push(format!(
                    "no Salesforce token or successful call in the last {:?}",
                    r.max_token_silence
                ));
            }
        }
        Some(_) => {}
    }
    if let Some(wait) = r.salesforce.paused_for().filter(|d| !d.is_zero()) {
        problems.push(format!(
            "Salesforce calls are paused for another {}s after repeated failures",
            wait.as_secs()
        ));
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
    (
        status,
        Json(json!({ "ready": problems.is_empty(), "problems": problems })),
    )
}
