//! PostgreSQL: `UPDATE … RETURNING` claims with `FOR UPDATE SKIP LOCKED`, session time zone = the store's.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::Dialect;
use crate::store::db::{ConnectOptions, Db};
use crate::store::mapping::StoreZone;
use crate::store::{Result, StoreError};

pub struct Postgres;
pub static POSTGRES: &Postgres = &Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn int(&self, expr: &str) -> String {
        format!("CAST({expr} AS BIGINT)")
    }
    // A naive timestamp is assigned to TIMESTAMP, DATE and TEXT columns as is, and to
    // TIMESTAMPTZ in the session's zone, which is the store's (see `connect`).
    fn time_param(&self, param: &str) -> String {
        format!("CAST({param} AS TIMESTAMP)")
    }
    fn money_param(&self, param: &str) -> String {
        format!("CAST({param} AS NUMERIC)")
    }
    fn claim_lock(&self) -> Option<&'static str> {
        Some("FOR UPDATE OF s SKIP LOCKED")
    }
    // The store's ids may be 32-bit (SERIAL): the new id comes back as BIGINT either way.
    fn returning(&self, column: &str) -> String {
        format!(" RETURNING CAST({column} AS BIGINT)")
    }
    // statement_timestamp, not now(): inside a write-back's transaction, the time of the write.
    fn now_utc_sql(&self) -> Option<&'static str> {
        Some("SELECT CAST(CAST(statement_timestamp() AT TIME ZONE 'UTC' AS TIMESTAMP) AS TEXT)")
    }
    fn columns_sql(&self) -> &'static str {
        "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS data_type, \
           CAST(CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT) AS nullable, \
           CAST(CASE WHEN column_default IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS has_default, \
           CAST(CASE WHEN is_generated = 'ALWAYS' THEN 1 ELSE 0 END AS BIGINT) AS generated, \
           CAST(CASE WHEN column_default LIKE 'nextval(%' OR is_identity = 'YES' THEN 1 ELSE 0 END AS BIGINT) AS auto \
         FROM information_schema.columns \
         WHERE table_schema = COALESCE(CAST(:schema AS TEXT), current_schema()) AND table_name = :table \
         ORDER BY ordinal_position"
    }
}

pub(crate) async fn connect(url: &str, o: &ConnectOptions, zone: &StoreZone) -> Result<Db> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Fatal(format!("database.url: {e}")))?
        // Short OLTP statements: JIT compilation would cost more than it saves.
        // The store's naive times are in its zone: reading and writing them is exact then.
        .options([("jit", "off"), ("TimeZone", zone.session_name().as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(o.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(Db::Postgres(pool))
}
