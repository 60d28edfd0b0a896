//! What each subcommand does. Every function returns the process exit code.

use tokio_util::sync::CancellationToken;

use crate::app::{Access, build_worker, connect_store, lifecycle_for, open_store, repairer_for};
use crate::cli::{Command, OrdersCommand};
use crate::config::Settings;
use crate::health::{MAX_SALESFORCE_SILENCE, check_salesforce};
use crate::report;
use crate::sync::Worker;

/// Some orders were parked or left for retry by `once`.
pub const EXIT_ORDERS_LEFT: i32 = 3;
/// `once` could not claim, write back or read from the store: due orders may be waiting.
pub const EXIT_STORE_UNAVAILABLE: i32 = 4;

pub async fn dispatch(command: Command, settings: Settings) -> anyhow::Result<i32> {
    match command {
        Command::Run => crate::daemon::run(settings).await,
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
        Command::Reconcile {
            days,
            placed_since,
            all,
            fix,
            json,
        } => {
            let scope = match (placed_since, all) {
                (Some(day), _) => crate::reconcile::Scope::PlacedSince(day),
                (None, true) => crate::reconcile::Scope::All,
                (None, false) => crate::reconcile::Scope::Days(days.unwrap_or(30)),
            };
            crate::reconcile::run(settings, scope, fix, json).await
        }
        Command::Resend {
            orders,
            placed_since,
            statuses,
        } => {
            let statuses = statuses
                .iter()
                .map(|s| crate::domain::OrderStatus::parse(s).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let pick = crate::resend::Selection {
                orders,
                placed_since,
                statuses,
            };
            crate::resend::resend(settings, pick).await
        }
        Command::Backfill { placed_since } => crate::resend::backfill(settings, placed_since).await,
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
            ids_adopted = changes.adopted.len(),
            queued_to_send_again = changes.resent.len(),
            parked = changes.parked.len(),
            retrying = changes.retrying.len(),
            "once: later status changes"
        );
    }
    // Last, so what this run's status changes queued (records gone from Salesforce) goes too.
    let resent = worker.resend_until_idle(|_, _| {}).await?;
    tracing::info!(
        sent_again = resent.sent.len(),
        parked = resent.parked.len(),
        retrying = resent.retrying.len(),
        "once: orders written to Salesforce again as they are now"
    );
    store_errors += resent.store_errors;
    report.absorb(resent);
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
