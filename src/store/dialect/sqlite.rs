//! SQLite: embedded, one writer; `UPDATE … RETURNING` claims (no row locks to skip).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Dialect;
use crate::store::db::{ConnectOptions, Db};
use crate::store::{Result, StoreError};

pub struct Sqlite;
pub static SQLITE: &Sqlite = &Sqlite;

// Column affinity converts bound money and times: TEXT keeps "12.50", NUMERIC/REAL store a number.
impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn int(&self, expr: &str) -> String {
        format!("CAST({expr} AS INTEGER)")
    }
    // In the worker's process: its clock, to the microsecond (SQLite's 'now' has milliseconds,
    // which would give the rows of one busy millisecond the same time).
    fn now_utc_sql(&self) -> Option<&'static str> {
        None
    }
    fn columns_sql(&self) -> &'static str {
        "SELECT name, type AS data_type, CAST(1 - \"notnull\" AS INTEGER) AS nullable, \
           CAST(dflt_value IS NOT NULL AS INTEGER) AS has_default, \
           CAST(hidden IN (2, 3) AS INTEGER) AS generated, \
           CAST(pk = 1 AND lower(type) = 'integer' AS INTEGER) AS auto \
         FROM pragma_table_xinfo(:table, COALESCE(:schema, 'main')) ORDER BY cid"
    }
}

/// Opens `sqlite://PATH`. Only `create` (migrate, run, once, demo) makes a missing file.
pub(crate) async fn connect(url: &str, o: &ConnectOptions) -> Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Fatal(format!("database.url: {e}")))?
        .busy_timeout(Duration::from_secs(10));
    let path = options.get_filename().to_path_buf();
    let in_memory = path.as_os_str().is_empty() || url.contains(":memory:");
    if !o.create && !in_memory && !path.exists() {
        return Err(StoreError::Fatal(format!(
            "database file {} does not exist (check database.url, or run `order-sync migrate` to set it up)",
            path.display()
        )));
    }
    // WAL lets the store's writers and order-sync's reads overlap; only writers switch it on.
    let options = if o.create {
        options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    } else {
        options
    };
    // One connection: SQLite has a single writer, and claims must not interleave.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    Ok(Db::Sqlite(pool))
}
