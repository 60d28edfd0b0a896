//! The connection pool of one backend, and running a rendered [`Stmt`] on it or in a transaction.
//!
//! Everything above this file is written once; here each call picks the concrete driver.

use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow, MySqlPool, PgPool, SqlitePool, Transaction};

use super::dialect::{self, Dialect};
use super::mapping::StoreZone;
use super::sql::{Args, Stmt, Value};
use super::{Result, StoreError};

/// How to open a store.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// Create a missing SQLite file and switch it to WAL: only commands that write may.
    pub create: bool,
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

/// A row type readable from every backend (`#[derive(sqlx::FromRow)]` gives this).
pub trait AnyRow:
    for<'r> FromRow<'r, SqliteRow>
    + for<'r> FromRow<'r, PgRow>
    + for<'r> FromRow<'r, MySqlRow>
    + Send
    + Unpin
{
}
impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, SqliteRow>
        + for<'r> FromRow<'r, PgRow>
        + for<'r> FromRow<'r, MySqlRow>
        + Send
        + Unpin
{
}

/// Builds a query of `$kind` (query, query_as::<_, T>) for `$stmt` with `$args` bound in order.
macro_rules! bound {
    ($kind:expr, $stmt:expr, $args:expr) => {{
        let mut q = $kind(AssertSqlSafe($stmt.shared_sql()));
        for v in $stmt.ordered($args) {
            q = match v {
                Value::Int(i) => q.bind(i),
                Value::Text(t) => q.bind(t),
            };
        }
        q
    }};
}

/// Runs `$body` with `$c` bound to the concrete executor of `$self` (a pool or a transaction).
macro_rules! on_db {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            Db::Sqlite($c) => $body,
            Db::Postgres($c) => $body,
            Db::MySql($c) => $body,
        }
    };
}

macro_rules! on_tx {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
            Tx::MySql(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    /// Opens the database `url` names, choosing the backend by its scheme.
    /// `zone` is the store's: PostgreSQL sessions use it for naive times.
    pub async fn connect(url: &str, o: &ConnectOptions, zone: &StoreZone) -> Result<Db> {
        match dialect::for_url(url).map(|d| d.name()) {
            Some("sqlite") => dialect::connect_sqlite(url, o).await,
            Some("postgres") => dialect::connect_postgres(url, o, zone).await,
            Some("mysql") => dialect::connect_mysql(url, o).await,
            _ => Err(StoreError::Fatal(format!(
                "database.url must start with sqlite://, postgres:// or mysql://, got {:?}",
                url.split(':').next().unwrap_or("")
            ))),
        }
    }

    pub fn dialect(&self) -> &'static dyn Dialect {
        match self {
            Db::Sqlite(_) => dialect::SQLITE,
            Db::Postgres(_) => dialect::POSTGRES,
            Db::MySql(_) => dialect::MYSQL,
        }
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
            Db::MySql(p) => Tx::MySql(p.begin().await?),
        })
    }

    /// Runs `stmt`; the number of rows it touched.
    pub async fn execute(&self, stmt: &Stmt, args: &Args) -> Result<u64> {
        Ok(on_db!(self, p => bound!(sqlx::query, stmt, args).execute(p).await?.rows_affected()))
    }

    pub async fn fetch_all<T: AnyRow>(&self, stmt: &Stmt, args: &Args) -> Result<Vec<T>> {
        Ok(on_db!(self, p => bound!(sqlx::query_as::<_, T>, stmt, args).fetch_all(p).await?))
    }

    pub async fn fetch_optional<T: AnyRow>(&self, stmt: &Stmt, args: &Args) -> Result<Option<T>> {
        Ok(on_db!(self, p => bound!(sqlx::query_as::<_, T>, stmt, args).fetch_optional(p).await?))
    }

    pub async fn fetch_one<T: AnyRow>(&self, stmt: &Stmt, args: &Args) -> Result<T> {
        Ok(on_db!(self, p => bound!(sqlx::query_as::<_, T>, stmt, args).fetch_one(p).await?))
    }

    /// Runs SQL text as given, with no parameters (DDL for development and tests).
    pub async fn execute_script(&self, sql: &str) -> Result<()> {
        use sqlx::Executor;
        on_db!(self, p => { p.execute(AssertSqlSafe(sql.to_string())).await?; });
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, sqlx::Sqlite>),
    Postgres(Transaction<'static, sqlx::Postgres>),
    MySql(Transaction<'static, sqlx::MySql>),
}

impl Tx {
    pub async fn execute(&mut self, stmt: &Stmt, args: &Args) -> Result<u64> {
        Ok(on_tx!(self, c => bound!(sqlx::query, stmt, args).execute(c).await?.rows_affected()))
    }

    pub async fn fetch_all<T: AnyRow>(&mut self, stmt: &Stmt, args: &Args) -> Result<Vec<T>> {
        Ok(on_tx!(self, c => bound!(sqlx::query_as::<_, T>, stmt, args).fetch_all(c).await?))
    }

    pub async fn fetch_optional<T: AnyRow>(
        &mut self,
        stmt: &Stmt,
        args: &Args,
    ) -> Result<Option<T>> {
        Ok(on_tx!(self, c => bound!(sqlx::query_as::<_, T>, stmt, args).fetch_optional(c).await?))
    }

    /// Runs an INSERT and returns the new row's id: from `RETURNING` where the statement has
    /// it, from the driver's last insert id on MySQL.
    pub async fn insert_id(&mut self, stmt: &Stmt, args: &Args) -> Result<i64> {
        match self {
            Tx::MySql(t) => {
                let done = bound!(sqlx::query, stmt, args).execute(&mut **t).await?;
                i64::try_from(done.last_insert_id())
                    .map_err(|_| StoreError::Fatal("new row id out of range".into()))
            }
            _ => {
                let (id,): (i64,) = on_tx!(self, c => bound!(sqlx::query_as::<_, (i64,)>, stmt, args).fetch_one(c).await?);
                Ok(id)
            }
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
            Tx::MySql(t) => t.commit().await?,
        }
        Ok(())
    }
}
