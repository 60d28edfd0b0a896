//! MySQL ≥ 8.0 and MariaDB ≥ 10.6: claims SELECT … FOR UPDATE SKIP LOCKED, then UPDATE (no
//! `UPDATE … RETURNING`); sessions in READ COMMITTED and UTC.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Executor;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};

use super::Dialect;
use crate::store::db::{ConnectOptions, Db};
use crate::store::{Result, StoreError};

pub struct MySql;
pub static MYSQL: &MySql = &MySql;

impl Dialect for MySql {
    fn name(&self) -> &'static str {
        "mysql"
    }
    fn quote_part(&self, part: &str) -> String {
        format!("`{part}`")
    }
    fn numbered_params(&self) -> bool {
        false
    }
    fn text(&self, expr: &str) -> String {
        format!("CAST({expr} AS CHAR)")
    }
    fn int(&self, expr: &str) -> String {
        format!("CAST({expr} AS SIGNED)")
    }
    fn concat(&self, a: &str, b: &str) -> String {
        format!("CONCAT({a}, {b})")
    }
    // IGNORE also turns other errors into warnings, so it is kept to order-sync's own tables,
    // whose values it controls. (ON DUPLICATE KEY UPDATE k = k would count a duplicate as a row.)
    // MariaDB does not turn a row-value comparison into an index range; this form it does.
    fn after_key(&self, a: &str, b: &str, pa: &str, pb: &str) -> String {
        format!("({a} > {pa} OR ({a} = {pa} AND {b} > {pb}))")
    }
    fn insert_ignoring(&self, into: &str, rest: &str, _key: &str) -> String {
        format!("INSERT IGNORE INTO {into} {rest}")
    }
    // The plain `=` finds the rows through the index; the binary one drops "order placed" and
    // "Order Placed " that a case- and pad-insensitive collation would let through.
    fn equals(&self, expr: &str, param: &str) -> String {
        format!("({expr} = {param} AND CAST({expr} AS BINARY) = CAST({param} AS BINARY))")
    }
    fn equals_any(&self, expr: &str, params: &[String]) -> String {
        if let [one] = params {
            return self.equals(expr, one);
        }
        let binary: Vec<String> = params
            .iter()
            .map(|p| format!("CAST({p} AS BINARY)"))
            .collect();
        format!(
            "({expr} IN ({}) AND CAST({expr} AS BINARY) IN ({}))",
            params.join(", "),
            binary.join(", ")
        )
    }
    fn exact_text(&self, expr: &str) -> String {
        format!("CAST(CAST({expr} AS BINARY) AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin")
    }
    fn on_conflict_update(&self, _key: &str, columns: &[&str]) -> String {
        let set: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = VALUES({c})"))
            .collect();
        format!(" ON DUPLICATE KEY UPDATE {}", set.join(", "))
    }
    fn claim_lock(&self) -> Option<&'static str> {
        Some("FOR UPDATE SKIP LOCKED")
    }
    fn update_returning(&self) -> bool {
        false
    }
    fn returning(&self, _column: &str) -> String {
        String::new()
    }
    // The session is in UTC (see `connect`): TIMESTAMP converts to and from it; DATETIME is naive.
    fn reads_in_utc(&self, data_type: &str) -> bool {
        data_type.eq_ignore_ascii_case("timestamp")
    }
    fn now_utc_sql(&self) -> Option<&'static str> {
        Some("SELECT CAST(UTC_TIMESTAMP(6) AS CHAR)")
    }
    fn columns_sql(&self) -> &'static str {
        "SELECT CAST(column_name AS CHAR) AS name, CAST(data_type AS CHAR) AS data_type, \
           CAST(is_nullable = 'YES' AS SIGNED) AS nullable, \
           CAST(column_default IS NOT NULL AS SIGNED) AS has_default, \
           CAST(extra LIKE '%VIRTUAL GENERATED%' OR extra LIKE '%STORED GENERATED%' AS SIGNED) AS generated, \
           CAST(extra LIKE '%auto_increment%' AS SIGNED) AS auto \
         FROM information_schema.columns \
         WHERE table_schema = COALESCE(:schema, DATABASE()) AND table_name = :table \
         ORDER BY ordinal_position"
    }
}

pub(crate) async fn connect(url: &str, o: &ConnectOptions) -> Result<Db> {
    // The driver sets time_zone = '+00:00': TIMESTAMP columns read in UTC; DATETIME columns
    // are naive and read in store.timezone.
    let options = MySqlConnectOptions::from_str(url)
        .map_err(|e| StoreError::Fatal(format!("database.url: {e}")))?;
    let pool = MySqlPoolOptions::new()
        .max_connections(o.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        // READ COMMITTED: no gap locks, so claims and the store's own writes do not block each
        // other, and INSERT … SELECT does not lock the store's rows it reads.
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    .await
                    .map(|_| ())
            })
        })
        .connect_with(options)
        .await?;
    Ok(Db::MySql(pool))
}
