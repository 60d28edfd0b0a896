//! The live schema of a store table, read from the database's catalog: for `check`, and for
//! copying a row whole when an order is reissued.

use super::build::B;
use super::mapping::Ident;
use super::sql::{Stmt, args};
use super::{Result, Store};

pub(crate) struct SchemaSql {
    columns: Stmt,
    /// PostgreSQL: how many triggers carry the wake-up trigger's name.
    trigger: Option<Stmt>,
}

impl SchemaSql {
    pub fn build(b: &B) -> SchemaSql {
        SchemaSql {
            columns: b.stmt(b.d.columns_sql()),
            trigger: (b.d.name() == "postgres")
                .then(|| b.stmt("SELECT COUNT(*) FROM pg_trigger WHERE tgname = :name")),
        }
    }
}

/// One column as the database describes it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub nullable: i64,
    pub has_default: i64,
    /// Computed by the database: never written.
    pub generated: i64,
    /// Filled by the database (auto-increment, serial, identity, SQLite rowid).
    pub auto: i64,
}

/// What a column's declared type can hold, as far as order-sync cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Decimal,
    Float,
    Text,
    Time,
    Date,
    Other,
}

impl Column {
    pub fn kind(&self) -> Kind {
        let t = self.data_type.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["timestamp", "datetime"]) {
            Kind::Time
        } else if t == "date" {
            Kind::Date
        } else if has(&["int", "serial"]) && !has(&["interval", "point"]) {
            Kind::Integer
        } else if has(&["numeric", "decimal", "money"]) {
            Kind::Decimal
        } else if has(&["real", "double", "float"]) {
            Kind::Float
        } else if has(&["char", "text", "clob", "enum", "string"]) || t.is_empty() {
            // SQLite columns declared without a type hold whatever they are given.
            Kind::Text
        } else {
            Kind::Other
        }
    }

    /// An INSERT that leaves this column out fails: it is NOT NULL with no default.
    pub fn must_be_given(&self) -> bool {
        self.nullable == 0 && self.has_default == 0 && self.generated == 0 && self.auto == 0
    }

    pub fn writable(&self) -> bool {
        self.generated == 0
    }
}

impl Store {
    /// Whether the wake-up trigger is installed; None where there is none to install.
    pub async fn trigger_installed(&self) -> Result<Option<bool>> {
        let Some(stmt) = &self.sql.schema.trigger else {
            return Ok(None);
        };
        let (n,): (i64,) = self
            .db
            .fetch_one(stmt, &args! { "name" => super::TRIGGER })
            .await?;
        Ok(Some(n > 0))
    }

    /// As [`Store::columns`], inside `tx`.
    pub(crate) async fn columns_in(
        &self,
        tx: &mut super::db::Tx,
        table: &Ident,
    ) -> Result<Vec<Column>> {
        let a = args! { "schema" => table.schema(), "table" => table.name() };
        tx.fetch_all(&self.sql.schema.columns, &a).await
    }

    /// The columns of `table` in declaration order; empty when the table does not exist.
    pub async fn columns(&self, table: &Ident) -> Result<Vec<Column>> {
        let a = args! { "schema" => table.schema(), "table" => table.name() };
        self.db.fetch_all(&self.sql.schema.columns, &a).await
    }
}
