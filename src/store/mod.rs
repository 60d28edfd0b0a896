//! Every SQL statement order-sync runs, against a store database someone else owns.
//!
//! The store's tables are described by a [`Mapping`] (config `[store]`); order-sync's own
//! tables are `order_sync_*`. Statements are written once with named parameters, built at
//! start-up from the mapping and the backend's [`dialect`], and run through [`db`].

mod activity;
mod admin;
mod alerts;
mod build;
mod catalog;
mod changes;
mod claim;
mod clock;
pub mod db;
pub mod dialect;
mod drift;
mod listen;
pub mod mapping;
mod migrate;
mod moves;
mod outcome;
mod read;
mod reissue;
mod repair;
mod resend;
mod scan;
pub mod schema;
mod seed;
pub mod sql;

use std::sync::Arc;

use chrono::Utc;

pub use activity::HourActivity;
pub use admin::{AttemptRow, HistoryRow, OrderDetail, StatusCounts, StuckOrder};
pub use changes::{ChangeClaim, ChangeFailure, ChangeResend, ClaimedChange, Detected};
pub use claim::{Claim, ClaimedOrder};
pub use db::{ConnectOptions, Db};
pub use drift::{Kept, LastReconcile, ReconcileRun, StoredDrift};
pub use mapping::Mapping;
pub use migrate::TRIGGER;
pub use outcome::{Failure, Sent, WriteBack};
pub use read::read_time;
pub use repair::{ReissueLine, ReissueOutcome, RepairLine, RepairOrder};
pub use scan::StoredSync;
pub use seed::{NewCustomer, NewLine, NewOrder, NewProduct};

use crate::config::StoreSettings;

/// The store: a connection pool, the mapping, and the statements built from both.
#[derive(Clone)]
pub struct Store {
    db: Db,
    map: Arc<Mapping>,
    sql: Arc<build::Statements>,
    reissue: Arc<tokio::sync::OnceCell<reissue::ReissueSql>>,
    times: Arc<tokio::sync::OnceCell<clock::TimeZones>>,
}

/// A store failure, classified by what happens next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable, busy or deadlocked: retry later.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The store refused this one write (a unique key, a NOT NULL column, a value too long):
    /// the order it concerns is parked with this reason; other orders go on.
    #[error("the store refused the change: {0}")]
    Refused(String),
    /// Tables or columns missing, bad URL or mapping, failed migration: stop with a clear message.
    #[error("store misconfigured: {0}")]
    Fatal(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e),
            sqlx::Error::Database(db) => classify_database_error(db.as_ref(), e.to_string())
                .unwrap_or(StoreError::Unavailable(e)),
            _ => StoreError::Fatal(e.to_string()),
        }
    }
}

/// Missing tables and columns are fatal; refused values concern one order; the rest is transient.
fn classify_database_error(
    db: &dyn sqlx::error::DatabaseError,
    text: String,
) -> Option<StoreError> {
    let msg = db.message().to_string();
    let code = db.code().map(|c| c.to_string()).unwrap_or_default();
    // PostgreSQL 42P01/42703/42883, MySQL 1146/1054, SQLite "no such table/column".
    let missing = ["42P01", "42703", "42883", "1146", "1054"].contains(&code.as_str())
        || msg.contains("no such table")
        || msg.contains("no such column");
    if missing {
        return Some(StoreError::Fatal(format!(
            "{msg} (check the [store] mapping, and that `order-sync migrate` ran)"
        )));
    }
    let refused = matches!(
        db.kind(),
        sqlx::error::ErrorKind::UniqueViolation
            | sqlx::error::ErrorKind::NotNullViolation
            | sqlx::error::ErrorKind::CheckViolation
            | sqlx::error::ErrorKind::ForeignKeyViolation
    ) || code.starts_with("22")
        || ["1048", "1264", "1265", "1292", "1364", "1366", "1406"].contains(&code.as_str());
    refused.then(|| StoreError::Refused(if msg.is_empty() { text } else { msg }))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the epoch: the time unit of order-sync's own tables.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl Store {
    /// Connects to `url` and builds the statements for `settings`' mapping. Only `o.create`
    /// lets a missing SQLite file be created.
    pub async fn open(url: &str, settings: &StoreSettings, o: ConnectOptions) -> Result<Store> {
        let map = Mapping::from_settings(settings).map_err(StoreError::Fatal)?;
        let db = Db::connect(url, &o, &map.zone).await?;
        let sql = build::Statements::build(&map, db.dialect());
        Ok(Store {
            db,
            map: Arc::new(map),
            sql: Arc::new(sql),
            reissue: Default::default(),
            times: Default::default(),
        })
    }

    pub fn backend(&self) -> &'static str {
        self.db.dialect().name()
    }

    pub fn mapping(&self) -> &Mapping {
        &self.map
    }

    /// The pool, for the store's own tooling (tests, the benchmark) that writes as the store would.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn close(&self) {
        self.db.close().await
    }
}
