//! `run`'s start-up: the store and Salesforce are waited for while the HTTP endpoint already
//! answers, and `/readyz` says what is being waited for until the loops run.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::error::ErrorClass;
use crate::http::Readiness;

/// The first wait between attempts; it doubles up to [`MAX_WAIT`].
const MIN_WAIT: Duration = Duration::from_secs(1);
/// However long an outage lasts, the next attempt is at most this far away.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// Where `run` is, shared with the HTTP endpoints (cheap to clone).
#[derive(Clone)]
pub struct Startup(Arc<RwLock<Phase>>);

/// Waiting (with the one-line reason `/readyz` gives), or running.
#[derive(Clone)]
pub enum Phase {
    Waiting(String),
    Running {
        readiness: Readiness,
        /// The console, when it is served beside the ops endpoints.
        console: Option<Router>,
    },
}

impl Startup {
    /// Not ready yet, saying why.
    pub fn waiting(why: impl Into<String>) -> Startup {
        Startup(Arc::new(RwLock::new(Phase::Waiting(why.into()))))
    }

    /// Ready from the start (tests, and any caller that has everything already).
    pub fn running(readiness: Readiness, console: Option<Router>) -> Startup {
        Startup(Arc::new(RwLock::new(Phase::Running { readiness, console })))
    }

    pub fn phase(&self) -> Phase {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Says what is being waited for now.
    pub fn wait_for(&self, why: String) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Phase::Waiting(why);
    }

    /// The loops run: `/readyz` judges the store and the loops from now on.
    pub fn start(&self, readiness: Readiness, console: Option<Router>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Phase::Running { readiness, console };
    }
}

/// A start-up step's failure: waited out when transient, else it stops the process.
pub struct StepError {
    pub class: ErrorClass,
    pub error: anyhow::Error,
}

/// Tries `step` until it succeeds, waiting out transient failures with capped backoff and
/// saying "waiting for `what`: <last error>" on `/readyz`. Each distinct cause is logged once.
/// `Ok(None)` when `cancel` fires first; a failure that is not transient is returned at once.
pub async fn wait_for<T, F, Fut>(
    startup: &Startup,
    what: &str,
    cancel: &CancellationToken,
    mut step: F,
) -> anyhow::Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StepError>>,
{
    let mut seen = std::collections::HashSet::new();
    let mut wait = MIN_WAIT;
    let mut failures = 0u32;
    loop {
        let attempt = tokio::select! {
            attempt = step() => attempt,
            _ = cancel.cancelled() => return Ok(None),
        };
        let e = match attempt {
            Ok(value) => {
                if failures > 0 {
                    tracing::info!(failures, "{what} answers again");
                }
                return Ok(Some(value));
            }
            Err(e) if e.class != ErrorClass::Transient => return Err(e.error),
            Err(e) => e.error,
        };
        failures += 1;
        let cause = e.to_string(); // the top error only: a store error already says its cause
        if seen.insert(cause.clone()) {
            tracing::warn!(
                retry_every_s_up_to = MAX_WAIT.as_secs(),
                "waiting for {what}: {cause}"
            );
        } else {
            tracing::debug!(failures, "still waiting for {what}: {cause}");
        }
        startup.wait_for(format!("waiting for {what}: {cause}"));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = cancel.cancelled() => return Ok(None),
        }
        wait = (wait * 2).min(MAX_WAIT);
    }
}
