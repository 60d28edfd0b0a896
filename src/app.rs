//! Wiring: settings → store → Salesforce → worker. Shared by every command that syncs.

use backon::{ExponentialBuilder, Retryable};

use crate::config::Settings;
use crate::error::ErrorClass;
use crate::salesforce::Salesforce;
use crate::store::{ConnectOptions, Store};
use crate::sync::{Lifecycle, Repairer, RetryPolicy, Worker};

/// How a command may treat the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `run` and `once`: create a missing SQLite file, apply order-sync's migrations when
    /// `database.migrate_on_start` is on.
    Sync,
    /// `migrate`: create what is missing of order-sync's own tables, nothing else checked.
    Migrate,
    /// Every other command: never create a database file, never migrate.
    Existing,
}

/// Connects with the `[store]` mapping, without checking any table.
pub async fn connect_store(settings: &Settings, access: Access) -> anyhow::Result<Store> {
    let options = ConnectOptions {
        max_connections: settings.database.max_connections,
        create: access != Access::Existing,
    };
    Ok(Store::open(&settings.database.url, &settings.store, options).await?)
}

/// Opens the store for `access` and checks that order-sync's and the mapped tables are there.
pub async fn open_store(settings: &Settings, access: Access) -> anyhow::Result<Store> {
    let store = connect_store(settings, access).await?;
    if access == Access::Sync && settings.database.migrate_on_start {
        store.migrate().await?;
    }
    store.verify_schema().await?;
    if access == Access::Sync {
        // The reissue's copy statements need the tables' live columns: read them once, now.
        store.prepare_reissue().await?;
    }
    Ok(store)
}

/// Builds a worker and obtains a Salesforce token, so bad credentials fail before any claim.
/// For `once`, `link` and the like: a Salesforce slow or down at start-up is retried for a few
/// minutes (8 tries), then the command fails. `run` waits indefinitely instead (see `startup`).
pub async fn build_worker(settings: &Settings, store: Store) -> anyhow::Result<Worker> {
    let unset = settings.salesforce.unset();
    anyhow::ensure!(unset.is_empty(), "configuration: {}", unset.join("; "));
    let salesforce = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)?;
    let connect = || async { salesforce.connect().await };
    let policy = ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_secs(1))
        .with_max_delay(std::time::Duration::from_secs(60))
        .with_max_times(8)
        .with_jitter();
    connect
        .retry(policy)
        .when(|e| e.class == ErrorClass::Transient)
        .notify(|e, wait| {
            tracing::warn!(retry_in_s = wait.as_secs(), "no Salesforce token yet: {e}")
        })
        .await?;
    Ok(worker_with(settings, store, salesforce))
}

/// A worker from parts that are already connected.
pub fn worker_with(settings: &Settings, store: Store, salesforce: Salesforce) -> Worker {
    let s = &settings.sync;
    Worker {
        store,
        salesforce,
        worker_id: settings.worker_id(),
        batch_size: s.batch_size,
        lease: s.lease_duration,
        retry: RetryPolicy {
            min_delay: s.retry_min_delay,
            max_delay: s.retry_max_delay,
        },
        poll_interval: s.poll_interval,
        shutdown_grace: s.shutdown_grace,
        heartbeat: Default::default(),
        wakeup: None,
        concurrency: s.concurrency,
        outage: Default::default(),
    }
}

/// The repair loop, sharing the worker's store and Salesforce client.
pub fn repairer_for(settings: &Settings, worker: &Worker) -> Repairer {
    Repairer {
        store: worker.store.clone(),
        salesforce: worker.salesforce.clone(),
        settings: settings.repair.clone(),
        actor: worker.worker_id.clone(),
        heartbeat: Default::default(),
    }
}

/// The lifecycle loop, sharing the worker's store and Salesforce client.
pub fn lifecycle_for(settings: &Settings, worker: &Worker) -> Lifecycle {
    Lifecycle {
        store: worker.store.clone(),
        salesforce: worker.salesforce.clone(),
        actor: worker.worker_id.clone(),
        batch_size: settings.lifecycle.batch_size,
        overlap: settings.lifecycle.overlap,
        lease: settings.sync.lease_duration,
        retry: worker.retry,
        poll_interval: settings.sync.poll_interval,
        heartbeat: Default::default(),
    }
}
