//! Setting up order-sync's own tables, and nothing of the store's unless asked.
//!
//! `migrate` applies the `order_sync_*` migrations (ledger `_order_sync_migrations`) and, when
//! `store.notify_trigger` is on, the PostgreSQL wake-up trigger. The store's tables are created
//! only by [`Store::create_store_tables`] (`migrate --with-store-tables`), for development.

use std::sync::LazyLock;

use sqlx::migrate::Migrator;

use super::db::Db;
use super::sql::hex;
use super::{Result, Store, StoreError};
use crate::domain::OrderStatus;

/// The ledger of order-sync's own migrations (not sqlx's default, which older builds shared
/// with the store's tables).
const LEDGER: &str = "_order_sync_migrations";

fn own(mut m: Migrator) -> Migrator {
    m.dangerous_set_table_name(LEDGER);
    m
}

static SQLITE: LazyLock<Migrator> = LazyLock::new(|| own(sqlx::migrate!("./migrations/sqlite")));
static POSTGRES: LazyLock<Migrator> =
    LazyLock::new(|| own(sqlx::migrate!("./migrations/postgres")));
static MYSQL: LazyLock<Migrator> = LazyLock::new(|| own(sqlx::migrate!("./migrations/mysql")));

/// The default store tables, per backend: what `migrate --with-store-tables` creates.
const STORE_TABLES_SQLITE: &str = include_str!("../../migrations/store/sqlite.sql");
const STORE_TABLES_POSTGRES: &str = include_str!("../../migrations/store/postgres.sql");
const STORE_TABLES_MYSQL: &str = include_str!("../../migrations/store/mysql.sql");

/// The PostgreSQL trigger that wakes the push loop (LISTEN order_sync_placed).
pub const TRIGGER: &str = "order_sync_notify_placed";
pub const CHANNEL: &str = "order_sync_placed";

impl Store {
    /// Creates or updates order-sync's own tables (and the wake-up trigger when configured).
    pub async fn migrate(&self) -> Result<()> {
        let result = match &self.db {
            Db::Sqlite(p) => SQLITE.run(p).await,
            Db::Postgres(p) => POSTGRES.run(p).await,
            Db::MySql(p) => MYSQL.run(p).await,
        };
        result.map_err(|e| StoreError::Fatal(format!("migration failed: {e}")))?;
        if let Some(sql) = self.trigger_sql() {
            self.db.execute_script(&sql).await?;
        }
        Ok(())
    }

    /// Creates the store's tables as the default mapping names them (development, the demo,
    /// tests). Refused for any other mapping: a real store's tables are its own.
    pub async fn create_store_tables(&self) -> Result<()> {
        let default = crate::config::Settings::load_with_env(None, Some(Default::default()))
            .map_err(|e| StoreError::Fatal(e.to_string()))?;
        let default_map =
            super::Mapping::from_settings(&default.store).map_err(StoreError::Fatal)?;
        if default_map.tables_debug() != self.map.tables_debug() {
            return Err(StoreError::Fatal(
                "--with-store-tables creates the default store tables only, and [store] maps other \
                 names; create your store's tables with your store"
                    .into(),
            ));
        }
        let ddl = match &self.db {
            Db::Sqlite(_) => STORE_TABLES_SQLITE,
            Db::Postgres(_) => STORE_TABLES_POSTGRES,
            Db::MySql(_) => STORE_TABLES_MYSQL,
        };
        self.db.execute_script(ddl).await
    }

    /// The wake-up trigger's DDL: PostgreSQL with `store.notify_trigger` on, else None.
    /// DDL takes no bound values, so the Order Placed codes are written as hex decoded in the
    /// body: no code (a quote, a `$$`) can end the literal or the body.
    pub fn trigger_sql(&self) -> Option<String> {
        if !matches!(self.db, Db::Postgres(_)) || !self.map.notify_trigger {
            return None;
        }
        let d = self.db.dialect();
        let o = &self.map.orders;
        let codes: Vec<String> = self
            .map
            .codes(OrderStatus::OrderPlaced)
            .iter()
            .map(|c| {
                format!(
                    "convert_from(decode('{}', 'hex'), 'UTF8')",
                    hex(&c.as_text())
                )
            })
            .collect();
        let (table, status, id) = (d.quote(&o.table), d.quote(&o.status), d.quote(&o.id));
        let codes = codes.join(", ");
        Some(format!(
            "CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$ \
             BEGIN \
               IF CAST(NEW.{status} AS TEXT) IN ({codes}) THEN \
                 PERFORM pg_notify('{CHANNEL}', CAST(NEW.{id} AS TEXT)); \
               END IF; \
               RETURN NEW; \
             END; $$ LANGUAGE plpgsql; \
             DROP TRIGGER IF EXISTS {TRIGGER} ON {table}; \
             CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OF {status} ON {table} \
               FOR EACH ROW EXECUTE FUNCTION {TRIGGER}();"
        ))
    }

    /// Whether order-sync's own tables are all there (so `migrate` has run).
    pub async fn own_tables_migrated(&self) -> Result<bool> {
        for table in [
            "order_sync_state",
            "order_sync_attempts",
            "order_sync_kv",
            "order_sync_alerts",
            "order_sync_reissues",
        ] {
            let ident =
                super::mapping::Ident::required("", table, false).map_err(StoreError::Fatal)?;
            if self.columns(&ident).await?.is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Checks that order-sync's tables and every mapped store table are there.
    pub async fn verify_schema(&self) -> Result<()> {
        if !self.own_tables_migrated().await? {
            return Err(StoreError::Fatal(
                "order-sync's own tables (order_sync_*) are missing: run `order-sync migrate`"
                    .into(),
            ));
        }
        let m = &self.map;
        let mut tables = vec![
            ("store.orders.table", &m.orders.table),
            ("store.order_lines.table", &m.lines.table),
        ];
        tables.extend(
            m.customers
                .as_ref()
                .map(|c| ("store.customers.table", &c.table)),
        );
        tables.extend(
            m.products
                .as_ref()
                .map(|p| ("store.products.table", &p.table)),
        );
        tables.extend(
            m.payments
                .as_ref()
                .map(|p| ("store.payments.table", &p.table)),
        );
        tables.extend(
            m.history
                .as_ref()
                .map(|h| ("store.status_history.table", &h.table)),
        );
        for (key, table) in tables {
            if self.columns(table).await?.is_empty() {
                return Err(StoreError::Fatal(format!(
                    "the store has no table {table} ({key}); run `order-sync check` for details"
                )));
            }
        }
        Ok(())
    }
}
