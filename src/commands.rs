//! What each subcommand does. Every function returns the process exit code.

use tokio_util::sync::CancellationToken;

use crate::app::{Access, build_worker, connect_store, lifecycle_for, open_store, repairer_for};
use crate::cli::{Command, OrdersCommand};
use crate::config::Settings;
use crate::health::{MAX_SALESFORCE_SILENCE, check_salesforce};
use crate::http::Readiness;
use crate::report;
use crate::sync::{Watchdog, Worker};

/// Some orders were parked or left for retry by `once`.
pub const EXIT_ORDERS_LEFT: i32 = 3;
/// `once` could not claim, write back or read from the store: due orders may be waiting.
pub const EXIT_STORE_UNAVAILABLE: i32 = 4;

pub async fn dispatch(command: Command, settings: Settings) -> anyhow::Result<i32> {
    match command {
        Command::Run => run(settings).await,
        Command::Once { metrics_file } => {
            let result = once(settings).await;
            match metrics_file {
                Some(path) => write_metrics_file(&path, result),
                None => result,
            }
        }
        Command::Migrate { with_store_tables } => migrate(settings, with_store_tables).await,
        Command::Demo => demo(settings).await,
        Command::Orders {
            command: OrdersCommand::Show { order, json },
        } => {
            let store = open_store(&settings, Access::Existing).await?;
            report::show_order(&store, &order, json).await
        }
        Command::Orders {
            command: OrdersCommand::Stuck { older_than, json },
        } => {
            let store = open_store(&settings, Access::Existing).await?;
            let older_than = older_than.map_or(settings.alerts.stuck_after, Into::into);
            report::stuck(&store, older_than, json).await
        }
        Command::Retry { order, all_parked } => {
            let store = open_store(&settings, Access::Existing).await?;
            report::retry(&store, order.as_deref(), all_parked).await
        }
        Command::Check => crate::check::run(settings).await,
        Command::Link {
            order,
            opportunity,
            quote,
            sf_order,
        } => {
            let records = crate::link::HandEntered {
                opportunity,
                quote,
                sf_order,
            };
            crate::link::run(settings, &order, records).await
        }
        Command::Console { hash_password } => {
            crate::console::serve::run(settings, hash_password).await
        }
        Command::Status { json } => {
            let store = open_store(&settings, Access::Existing).await?;
            report::status(&store, settings.salesforce.api_budget_share, json).await
        }
    }
}

async fn migrate(settings: Settings, with_store_tables: bool) -> anyhow::Result<i32> {
    let store = connect_store(&settings, Access::Migrate).await?;
    if with_store_tables {
        store.create_store_tables().await?;
        println!(
            "store tables created ({}): for development and tests only",
            store.backend()
        );
    }
    store.migrate().await?;
    println!("order-sync's tables are up to date ({})", store.backend());
    if let Some(trigger) = store.trigger_sql().map(|_| crate::store::TRIGGER) {
        println!("wake-up trigger {trigger} installed on the orders table (store.notify_trigger)");
    }
    Ok(0)
}

async fn run(settings: Settings) -> anyhow::Result<i32> {
    crate::metrics::handle(); // before any work, so no event goes unrecorded
    let cancel = CancellationToken::new();
    tokio::spawn(cancel_on_signal(cancel.clone()));
    // A stop asked for while starting (a token still being fetched) is a stop like any other.
    let started = async {
        let store = open_store(&settings, Access::Sync).await?;
        build_worker(&settings, store).await
    };
    let mut worker = tokio::select! {
        worker = started => worker?,
        _ = cancel.cancelled() => {
            tracing::info!("stopped while starting");
            return Ok(0);
        }
    };
    worker.wakeup = worker.store.listen_for_placed_orders(cancel.clone());
    let mut loops = tokio::task::JoinSet::new();
    let mut beats = vec![(
        "push",
        worker.heartbeat.clone(),
        settings
            .sync
            .lease_duration
            .max(settings.sync.poll_interval * 10),
    )];
    if settings.repair.enabled {
        let repairer = repairer_for(&settings, &worker);
        beats.push((
            "repair",
            repairer.heartbeat.clone(),
            settings.repair.poll_interval * 3 + settings.salesforce.request_timeout * 4,
        ));
        let cancel = cancel.clone();
        let grace = settings.sync.shutdown_grace;
        loops.spawn(async move { repairer.run(cancel, grace).await });
    }
    if settings.lifecycle.enabled && worker.store.can_detect_changes() {
        let lifecycle = lifecycle_for(&settings, &worker);
        beats.push((
            "lifecycle",
            lifecycle.heartbeat.clone(),
            settings
                .sync
                .lease_duration
                .max(settings.sync.poll_interval * 10),
        ));
        let cancel = cancel.clone();
        let grace = settings.sync.shutdown_grace;
        loops.spawn(async move { lifecycle.run(cancel, grace).await });
    } else if settings.lifecycle.enabled {
        tracing::warn!(
            "later status changes are not sent to Salesforce: the store has no updated_at column \
             (store.orders.updated_at)"
        );
    }
    let mut watchdog = Watchdog::new(
        worker.store.clone(),
        Some(worker.salesforce.clone()),
        settings.alerts.clone(),
    );
    watchdog.console_url = settings.console.public_url.trim().to_string();
    beats.push((
        "watchdog",
        watchdog.heartbeat.clone(),
        settings.alerts.check_interval * 3,
    ));
    loops.spawn({
        let cancel = cancel.clone();
        let grace = settings.sync.shutdown_grace;
        async move { watchdog.run(cancel, grace).await }
    });
    let (console, console_server) = crate::console::serve::for_run(
        &settings,
        worker.store.clone(),
        worker.salesforce.clone(),
        cancel.clone(),
    )
    .await?;
    let http = if settings.http.enabled {
        let readiness = Readiness {
            store: worker.store.clone(),
            salesforce: worker.salesforce.clone(),
            loops: beats,
            max_token_silence: MAX_SALESFORCE_SILENCE,
        };
        let listen = settings.http.listen;
        Some(crate::http::serve(listen, readiness, console, cancel.clone()).await?)
    } else {
        None
    };
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    tracing::info!(worker = %worker.worker_id, backend = worker.store.backend(), "order-sync running");
    loops.spawn({
        let cancel = cancel.clone();
        async move { worker.run(cancel).await }
    });
    // The first loop to stop with a fatal error stops the others.
    let mut first_error = None;
    while let Some(joined) = loops.join_next().await {
        let result = joined
            .map_err(anyhow::Error::from)
            .and_then(|r| r.map_err(anyhow::Error::from));
        if let Err(e) = result {
            first_error.get_or_insert(e);
            cancel.cancel();
        }
        if cancel.is_cancelled() {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
        }
    }
    cancel.cancel();
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

async fn once(settings: Settings) -> anyhow::Result<i32> {
    crate::metrics::handle(); // before any work, so no event goes unrecorded
    let store = open_store(&settings, Access::Sync).await?;
    let worker = build_worker(&settings, store).await?;
    let code = once_with(&settings, &worker).await;
    record_gauges(&settings, &worker).await;
    code
}

/// What the daemon's watchdog keeps current, for `once --metrics-file`, `status` and the
/// console: backlog and Salesforce.
async fn record_gauges(settings: &Settings, worker: &Worker) {
    if let Err(e) = crate::sync::record_salesforce_usage(&worker.store, &worker.salesforce).await {
        tracing::warn!(error = %e, "could not keep the Salesforce API usage in the store");
    }
    check_salesforce(&worker.salesforce, MAX_SALESFORCE_SILENCE).await;
    let stuck_after = chrono::Duration::from_std(settings.alerts.stuck_after).unwrap_or_default();
    let store = &worker.store;
    let backlog = async {
        let stuck = store.stuck_orders(chrono::Utc::now() - stuck_after).await?;
        Ok::<_, crate::store::StoreError>((stuck.len(), store.oldest_order_placed().await?))
    };
    match backlog.await {
        Ok((stuck, oldest)) => crate::metrics::record_backlog(stuck, oldest),
        Err(e) => tracing::warn!(error = %e, "could not read the backlog for the metrics"),
    }
}

async fn once_with(settings: &Settings, worker: &Worker) -> anyhow::Result<i32> {
    let mut report = worker.run_until_idle().await?;
    let (mut repair_parked, mut store_errors) = (0, 0);
    if settings.repair.enabled {
        let repaired = repairer_for(settings, worker).run_pass().await?;
        repair_parked = repaired.parked.len();
        store_errors += repaired.store_errors;
        if !repaired.reissued.is_empty() {
            // Reissued orders are in Order Placed now: send them in this run too.
            report.absorb(worker.run_until_idle().await?);
        }
    }
    store_errors += report.store_errors;
    let mut changes_left = 0;
    if settings.lifecycle.enabled && worker.store.can_detect_changes() {
        let changes = lifecycle_for(settings, worker).run_pass().await?;
        store_errors += changes.store_errors;
        changes_left = changes.parked.len() + changes.retrying.len();
        tracing::info!(
            status_changes_shown = changes.shown.len(),
            parked = changes.parked.len(),
            retrying = changes.retrying.len(),
            "once: later status changes"
        );
    }
    tracing::info!(
        sent = report.sent.len(),
        parked = report.parked.len() + repair_parked,
        retrying = report.retrying.len(),
        store_errors,
        "once: done"
    );
    if store_errors > 0 {
        eprintln!(
            "order-sync: the store could not be read or written {store_errors} time(s) during this run; \
             due orders wait for the next run (exit {EXIT_STORE_UNAVAILABLE})"
        );
        return Ok(EXIT_STORE_UNAVAILABLE);
    }
    if report.paused {
        tracing::warn!(
            "Salesforce calls are paused (repeated failures or the daily API limit); due orders wait for the next run"
        );
    }
    let all_moved = report.parked.is_empty()
        && report.retrying.is_empty()
        && repair_parked == 0
        && changes_left == 0
        && !report.paused;
    Ok(if all_moved { 0 } else { EXIT_ORDERS_LEFT })
}

/// `once --metrics-file`: the textfile says how the run ended, fatal errors included.
fn write_metrics_file(path: &std::path::Path, result: anyhow::Result<i32>) -> anyhow::Result<i32> {
    let code = *result.as_ref().unwrap_or(&1);
    match (crate::metrics::write_textfile(path, code), result) {
        (Ok(()), result) => result,
        (Err(e), Ok(_)) => Err(anyhow::anyhow!("--metrics-file {}: {e}", path.display())),
        (Err(e), Err(run)) => {
            tracing::error!(path = %path.display(), error = %e, "could not write --metrics-file");
            Err(run)
        }
    }
}

#[cfg(feature = "demo")]
async fn demo(settings: Settings) -> anyhow::Result<i32> {
    crate::demo::run(settings).await
}

/// Production images are built without the fake Salesforce the demo needs.
#[cfg(not(feature = "demo"))]
async fn demo(_settings: Settings) -> anyhow::Result<i32> {
    anyhow::bail!(
        "this build has no demo: it was built without the `demo` feature \
         (build with default features, e.g. `cargo run --release -- demo`)"
    )
}

/// SIGTERM (systemd, containers) and SIGINT (a terminal) both mean: stop claiming, finish, exit 0.
pub(crate) async fn cancel_on_signal(cancel: CancellationToken) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM");
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutdown requested; finishing in-flight orders");
    cancel.cancel();
}
