//! What each subcommand does. Every function returns the process exit code.

use tokio_util::sync::CancellationToken;

use crate::app::{build_worker, open_store, repairer_for};
use crate::cli::{Command, OrdersCommand};
use crate::config::Settings;
use crate::report;

/// Some orders were parked or left for retry by `once`.
pub const EXIT_ORDERS_LEFT: i32 = 3;

pub async fn dispatch(command: Command, settings: Settings) -> anyhow::Result<i32> {
    match command {
        Command::Run => run(settings).await,
        Command::Once => once(settings).await,
        Command::Migrate => {
            let store = crate::store::Store::connect(&settings.database.url, settings.database.max_connections).await?;
            store.migrate().await?;
            println!("migrations applied ({})", store.backend());
            Ok(0)
        }
        Command::Demo => crate::demo::run(settings).await,
        Command::Orders { command: OrdersCommand::Show { order, json } } => {
            let store = open_store(&settings).await?;
            report::show_order(&store, &order, json).await
        }
        Command::Orders { command: OrdersCommand::Stuck { older_than, json } } => {
            let store = open_store(&settings).await?;
            report::stuck(&store, older_than.into(), json).await
        }
        Command::Retry { order, all_parked } => {
            let store = open_store(&settings).await?;
            report::retry(&store, order.as_deref(), all_parked).await
        }
        Command::Check => crate::check::run(settings).await,
        Command::Link { order, opportunity, quote, sf_order } => {
            crate::link::run(settings, &order, &opportunity, quote.as_deref(), sf_order.as_deref()).await
        }
        Command::Status { json } => {
            let store = open_store(&settings).await?;
            report::status(&store, json).await
        }
    }
}

async fn run(settings: Settings) -> anyhow::Result<i32> {
    let store = open_store(&settings).await?;
    let worker = build_worker(&settings, store).await?;
    let cancel = CancellationToken::new();
    tokio::spawn(cancel_on_signal(cancel.clone()));
    tracing::info!(worker = %worker.worker_id, backend = worker.store.backend(), "order-sync running");
    let repair = settings.repair.enabled.then(|| {
        let repairer = repairer_for(&settings, &worker);
        let cancel = cancel.clone();
        tokio::spawn(async move { repairer.run(cancel).await })
    });
    let pushed = worker.run(cancel.clone()).await;
    cancel.cancel();
    if let Some(handle) = repair {
        handle.await??;
    }
    pushed?;
    tracing::info!("stopped");
    Ok(0)
}

async fn once(settings: Settings) -> anyhow::Result<i32> {
    let store = open_store(&settings).await?;
    let worker = build_worker(&settings, store).await?;
    let mut report = worker.run_until_idle().await?;
    let mut repair_parked = 0;
    if settings.repair.enabled {
        let repaired = repairer_for(&settings, &worker).run_pass().await?;
        repair_parked = repaired.parked.len();
        if !repaired.reissued.is_empty() {
            // Reissued orders are in Order Placed now: send them in this run too.
            report.absorb(worker.run_until_idle().await?);
        }
    }
    tracing::info!(sent = report.sent.len(), parked = report.parked.len() + repair_parked,
        retrying = report.retrying.len(), "once: done");
    let all_moved = report.parked.is_empty() && report.retrying.is_empty() && repair_parked == 0;
    Ok(if all_moved { 0 } else { EXIT_ORDERS_LEFT })
}

/// SIGTERM (systemd, containers) and SIGINT (a terminal) both mean: stop claiming, finish, exit 0.
async fn cancel_on_signal(cancel: CancellationToken) {
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
