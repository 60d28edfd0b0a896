//! `order-sync run`: serves the ops endpoint first, waits for the store and Salesforce (as long
//! as their failures are transient), then runs the loops until SIGTERM/SIGINT or a fatal error.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::app::{Access, lifecycle_for, open_store, repairer_for, worker_with};
use crate::commands::cancel_on_signal;
use crate::config::Settings;
use crate::error::ErrorClass;
use crate::health::MAX_SALESFORCE_SILENCE;
use crate::http::{Ops, Readiness};
use crate::salesforce::Salesforce;
use crate::startup::{Startup, StepError, wait_for};
use crate::store::StoreError;
use crate::sync::{Heartbeat, Watchdog, Worker};

/// A loop's name, its heartbeat, and how long it may go without a beat.
type Beat = (&'static str, Arc<Heartbeat>, Duration);
type Loops = JoinSet<anyhow::Result<()>>;

pub async fn run(settings: Settings) -> anyhow::Result<i32> {
    crate::metrics::handle(); // before any work, so no event goes unrecorded
    let cancel = CancellationToken::new();
    tokio::spawn(cancel_on_signal(cancel.clone()));
    let unset = settings.salesforce.unset();
    anyhow::ensure!(unset.is_empty(), "configuration: {}", unset.join("; "));
    let salesforce = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)?;
    let startup = Startup::waiting("waiting for the store");
    let http = serve_ops(&settings, &salesforce, &startup, &cancel).await?;
    // A stop asked for while waiting (a store or Salesforce still down) is a stop like any other.
    let Some(mut worker) = connect(&settings, salesforce, &startup, &cancel).await? else {
        tracing::info!("stopped while starting");
        cancel.cancel();
        if let Some(server) = http {
            let _ = server.await;
        }
        return Ok(0);
    };
    worker.wakeup = worker.store.listen_for_placed_orders(cancel.clone());
    let mut loops = JoinSet::new();
    let beats = spawn_side_loops(&settings, &worker, &cancel, &mut loops);
    spawn_reconcile(&settings, &worker, &cancel, &mut loops);
    let (console, console_server) = crate::console::serve::for_run(
        &settings,
        worker.store.clone(),
        worker.salesforce.clone(),
        cancel.clone(),
    )
    .await?;
    let readiness = Readiness {
        store: worker.store.clone(),
        salesforce: worker.salesforce.clone(),
        loops: beats,
        max_token_silence: MAX_SALESFORCE_SILENCE,
    };
    startup.start(readiness, console);
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    tracing::info!(worker = %worker.worker_id, backend = worker.store.backend(), "order-sync running");
    loops.spawn({
        let cancel = cancel.clone();
        async move { Ok(worker.run(cancel).await?) }
    });
    let first_error = wait_loops(&mut loops, &cancel).await;
    for server in [http, console_server].into_iter().flatten() {
        let _ = server.await;
    }
    match first_error {
        Some(e) => Err(e),
        None => {
            tracing::info!("stopped");
            Ok(0)
        }
    }
}

/// Binds and serves `/healthz`, `/readyz` and `/metrics` (and the console's place) before
/// anything is connected, so a starting process already says what it waits for.
async fn serve_ops(
    settings: &Settings,
    salesforce: &Salesforce,
    startup: &Startup,
    cancel: &CancellationToken,
) -> anyhow::Result<Option<JoinHandle<()>>> {
    if !settings.http.enabled {
        return Ok(None);
    }
    let ops = Ops {
        salesforce: salesforce.clone(),
        max_token_silence: MAX_SALESFORCE_SILENCE,
        startup: startup.clone(),
    };
    let with_console = settings.console.enabled && settings.console.own_listen()?.is_none();
    let limits = crate::http::Limits::from_settings(settings);
    let (addr, cancel) = (settings.http.listen, cancel.clone());
    let server = crate::http::serve(addr, ops, with_console, limits, cancel);
    Ok(Some(server.await?))
}

/// Opens the store, then obtains a Salesforce token, each waited for while its failures are
/// transient. `None` when stopped while waiting.
async fn connect(
    settings: &Settings,
    salesforce: Salesforce,
    startup: &Startup,
    cancel: &CancellationToken,
) -> anyhow::Result<Option<Worker>> {
    let opened = wait_for(startup, "the store", cancel, || async {
        open_store(settings, Access::Sync).await.map_err(store_step)
    });
    let Some(store) = opened.await? else {
        return Ok(None);
    };
    let connected = wait_for(startup, "Salesforce", cancel, || async {
        salesforce.connect().await.map_err(|e| StepError {
            class: e.class,
            error: e.into(),
        })
    });
    Ok(connected
        .await?
        .map(|()| worker_with(settings, store, salesforce)))
}

/// An unreachable store is waited for; a misconfigured one (mapping, missing tables) is fatal.
fn store_step(error: anyhow::Error) -> StepError {
    let class = match error.downcast_ref::<StoreError>() {
        Some(StoreError::Unavailable(_)) => ErrorClass::Transient,
        _ => ErrorClass::Fatal,
    };
    StepError { class, error }
}

/// Starts the scheduled reconcile (`[reconcile]`), when enabled. Not watched by `/readyz`: one
/// reconcile may take minutes, and a late one is the metrics' and alert rules' business.
fn spawn_reconcile(
    settings: &Settings,
    worker: &Worker,
    cancel: &CancellationToken,
    loops: &mut Loops,
) {
    if !settings.reconcile.enabled {
        return;
    }
    let store = worker.store.clone();
    let schedule = crate::reconcile::Schedule::new(settings, store, worker.salesforce.clone());
    let (cancel, grace) = (cancel.clone(), settings.sync.shutdown_grace);
    loops.spawn(async move { Ok(schedule.run(cancel, grace).await?) });
}

/// Starts the repair, lifecycle and watchdog loops beside the push loop; returns every beat
/// `/readyz` watches, the push loop's first.
fn spawn_side_loops(
    settings: &Settings,
    worker: &Worker,
    cancel: &CancellationToken,
    loops: &mut Loops,
) -> Vec<Beat> {
    let push_silence = settings
        .sync
        .lease_duration
        .max(settings.sync.poll_interval * 10);
    let mut beats = vec![("push", worker.heartbeat.clone(), push_silence)];
    if settings.repair.enabled {
        let repairer = repairer_for(settings, worker);
        let silence = settings.repair.poll_interval * 3 + settings.salesforce.request_timeout * 4;
        beats.push(("repair", repairer.heartbeat.clone(), silence));
        let cancel = cancel.clone();
        let grace = settings.sync.shutdown_grace;
        loops.spawn(async move { Ok(repairer.run(cancel, grace).await?) });
    }
    if settings.lifecycle.enabled && worker.store.can_detect_changes() {
        let lifecycle = lifecycle_for(settings, worker);
        beats.push(("lifecycle", lifecycle.heartbeat.clone(), push_silence));
        let cancel = cancel.clone();
        let grace = settings.sync.shutdown_grace;
        loops.spawn(async move { Ok(lifecycle.run(cancel, grace).await?) });
    } else if settings.lifecycle.enabled {
        tracing::warn!(
            "later status changes are not sent to Salesforce: the store has no updated_at column \
             (store.orders.updated_at)"
        );
    }
    beats.push(spawn_watchdog(settings, worker, cancel, loops));
    beats
}

/// The watchdog: stuck-order alerts, backlog gauges and housekeeping.
fn spawn_watchdog(
    settings: &Settings,
    worker: &Worker,
    cancel: &CancellationToken,
    loops: &mut Loops,
) -> Beat {
    let mut watchdog = Watchdog::new(
        worker.store.clone(),
        Some(worker.salesforce.clone()),
        settings.alerts.clone(),
    );
    watchdog.console_url = settings.console.public_url.trim().to_string();
    let beat = (
        "watchdog",
        watchdog.heartbeat.clone(),
        settings.alerts.check_interval * 3,
    );
    let cancel = cancel.clone();
    let grace = settings.sync.shutdown_grace;
    loops.spawn(async move { Ok(watchdog.run(cancel, grace).await?) });
    beat
}

/// Waits for every loop; the first to stop with a fatal error stops the others. Returns it.
async fn wait_loops(loops: &mut Loops, cancel: &CancellationToken) -> Option<anyhow::Error> {
    let mut first_error = None;
    while let Some(joined) = loops.join_next().await {
        let result = joined.map_err(anyhow::Error::from).and_then(|r| r);
        if let Err(e) = result {
            first_error.get_or_insert(e);
            cancel.cancel();
        }
        if cancel.is_cancelled() {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
        }
    }
    cancel.cancel();
    first_error
}
