//! Every SQL statement order-sync runs, over SQLite (embedded) or PostgreSQL (production).
//!
//! One `Store` enum holds a concrete pool per backend; most statements are written once with
//! `$N` placeholders (which SQLite accepts too) and run on either pool through `on_pool!`.

mod admin;
mod alerts;
mod bulk;
mod catalog;
mod claim;
mod listen;
mod outcome;
mod repair;
mod seed;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use admin::{AttemptRow, HistoryRow, OrderDetail, StatusCounts, StuckOrder};
pub use bulk::{BulkOrders, HistoryFact, OrderFact};
pub use claim::{Claim, ClaimedOrder};
pub use outcome::{Failure, Sent, WriteBack};
pub use repair::{ReissueOutcome, RepairLine, RepairOrder};
pub use seed::{NewCustomer, NewLine, NewOrder, NewProduct};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Runs `$body` with `$pool` bound to whichever concrete pool the store holds.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// SQL fragments more than one statement must agree on, as literals so `concat!` can use them.
macro_rules! sql_fragment {
    // The id keying an order's Opportunity and Quote: the first order of its reissue chain
    // (needs `orders r` joined on `r.id = o.reissue_of`).
    (opportunity_key) => {
        "CASE WHEN o.reissue_of IS NULL THEN o.id ELSE COALESCE(r.reissue_of, r.id) END"
    };
    // A stuck order: in Order Placed since before $1, or parked (in Order Placed or awaiting
    // approval). Needs `orders o` and `order_sync_state s`.
    (stuck) => {
        "((o.status = 'Order Placed' AND o.placed_at < $1) \
          OR (s.state = 'parked' AND o.status IN ('Order Placed', 'Awaiting Customer Approval')))"
    };
}
pub(crate) use sql_fragment;

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A store failure, classified by what happens next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable or busy: retry later.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Tables or columns missing, bad URL, failed migration: stop with a clear message.
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
            sqlx::Error::Database(db) => {
                let msg = db.message().to_string();
                // 42P01/42703: undefined table/column on PostgreSQL; SQLite says "no such …".
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                if code == "42P01" || code == "42703" || msg.contains("no such") {
                    StoreError::Fatal(format!("{msg} (are the migrations applied?)"))
                } else {
                    StoreError::Unavailable(e)
                }
            }
            _ => StoreError::Fatal(e.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the epoch: the time unit of order-sync's own tables.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` is created if missing; `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Fatal(format!("database.url: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            // One connection: SQLite has a single writer, and claims must not interleave.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = sqlx::postgres::PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Fatal(format!("database.url: {e}")))?
                // Short OLTP statements: JIT compilation would cost more than it saves.
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store::Postgres(pool))
        } else {
            Err(StoreError::Fatal(format!(
                "database.url must start with sqlite:// or postgres://, got {:?}",
                url.split(':').next().unwrap_or("")
            )))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Applies the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<()> {
        let result = match self {
            Store::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        };
        result.map_err(|e| StoreError::Fatal(format!("migration failed: {e}")))
    }

    /// Checks that every table order-sync reads and writes is there.
    pub async fn verify_schema(&self) -> Result<()> {
        const PROBE: &str = "SELECT (SELECT COUNT(*) FROM orders WHERE 1 = 0) + \
            (SELECT COUNT(*) FROM order_lines WHERE 1 = 0) + (SELECT COUNT(*) FROM customers WHERE 1 = 0) + \
            (SELECT COUNT(*) FROM products WHERE 1 = 0) + (SELECT COUNT(*) FROM order_status_history WHERE 1 = 0) + \
            (SELECT COUNT(*) FROM order_sync_state WHERE 1 = 0) + (SELECT COUNT(*) FROM order_sync_kv WHERE 1 = 0)";
        on_pool!(self, p => sqlx::query(PROBE).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// Reads a store timestamp that came back as text, whatever the backend's format.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f %#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Some(naive.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_are_read_in_the_formats_both_backends_produce() {
        for t in [
            "2026-11-26 05:56:24.123+00",
            "2026-11-26 05:56:24.123+00:00",
            "2026-11-26T05:56:24Z",
            "2026-11-26 05:56:24",
        ] {
            let got = parse_timestamp(t).unwrap_or_else(|| panic!("{t} not parsed"));
            assert_eq!(
                got.format("%Y-%m-%d %H:%M:%S").to_string(),
                "2026-11-26 05:56:24"
            );
        }
        assert!(parse_timestamp("yesterday").is_none());
    }
}
