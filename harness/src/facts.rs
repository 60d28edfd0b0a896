//! Test-only SQL against the default store tables: bulk seeding (1,000,000 orders in a few
//! statements), whole-table reads for verification, throwaway databases. It lives here, not in
//! order-sync's store module, because production never runs it.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use order_sync::store::sql::{Args, Stmt};
use order_sync::store::{Db, Store};

/// One order as the verifier sees it: status, reissue link and sync state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderFact {
    pub id: i64,
    pub status: String,
    pub reissue_of: Option<i64>,
    pub sync_state: Option<String>,
    pub last_error: Option<String>,
    pub rescued_from: Option<String>,
    pub attempts: Option<i64>,
}

/// One `order_status_history` row, in insertion order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryFact {
    pub order_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
}

/// One order line as the verifier sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineFact {
    pub id: i64,
    pub order_id: i64,
    pub quantity: Option<i64>,
    pub unit_price: Option<String>,
}

/// What `bulk_orders` inserts: `count` one-line orders of `status`, placed at `placed_at`.
#[derive(Debug, Clone, Copy)]
pub struct BulkOrders<'a> {
    pub prefix: &'a str,
    pub count: i64,
    pub status: &'a str,
    pub customer_id: i64,
    pub product_id: i64,
    pub placed_at: DateTime<Utc>,
    /// Also write a finished sync row, as for an order sent long ago.
    pub done: bool,
}

fn stmt(store: &Store, sql: &str) -> Stmt {
    Stmt::render(store.db().dialect(), sql)
}

fn none() -> Args {
    Args::new()
}

/// `count` rows numbered 1..=count as `g`, on every backend.
fn series(store: &Store) -> &'static str {
    match store.db() {
        Db::Postgres(_) => "SELECT g FROM generate_series(1, CAST(:count AS BIGINT)) AS g",
        Db::Sqlite(_) => {
            "WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < :count) SELECT g FROM n"
        }
        // No session variables needed (MySQL caps recursive CTEs at 1,000 rows by default).
        Db::MySql(_) => {
            "SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d + 1 AS g \
             FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a \
             CROSS JOIN (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b \
             CROSS JOIN (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c \
             CROSS JOIN (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d \
             CROSS JOIN (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e \
             CROSS JOIN (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) f \
             WHERE a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d < :count"
        }
    }
}

/// The backend's string concatenation and a time value from text.
fn concat_and_time(store: &Store) -> (&'static str, &'static str) {
    match store.db() {
        Db::MySql(_) => ("CONCAT(:prefix, CAST(g AS CHAR))", ":placed_at"),
        Db::Postgres(_) => (
            "(:prefix || CAST(g AS TEXT))",
            "CAST(:placed_at AS TIMESTAMPTZ)",
        ),
        Db::Sqlite(_) => ("(:prefix || CAST(g AS TEXT))", ":placed_at"),
    }
}

/// Store reads and writes only tests and the benchmark need.
pub trait StoreFacts {
    fn bulk_orders(&self, b: &BulkOrders<'_>) -> impl Future<Output = Result<u64>>;
    fn analyze(&self) -> impl Future<Output = Result<()>>;
    fn order_facts(&self) -> impl Future<Output = Result<Vec<OrderFact>>>;
    fn history_facts(&self) -> impl Future<Output = Result<Vec<HistoryFact>>>;
    fn ids_in_status(&self, status: &str) -> impl Future<Output = Result<Vec<i64>>>;
    fn due_count(&self) -> impl Future<Output = Result<i64>>;
    fn tried_in_order_placed(&self) -> impl Future<Output = Result<Vec<i64>>>;
    fn line_facts(&self) -> impl Future<Output = Result<Vec<LineFact>>>;
    fn attempt_outcomes(&self) -> impl Future<Output = Result<Vec<(String, i64)>>>;
    fn placed_to_routed_ms(&self, from_id: i64) -> impl Future<Output = Result<Vec<(i64, f64)>>>;
}

impl StoreFacts for Store {
    /// Inserts `b.count` one-line orders numbered `{prefix}{g}`, in one statement each for
    /// orders and lines; `b.done` also writes a finished sync row.
    async fn bulk_orders(&self, b: &BulkOrders<'_>) -> Result<u64> {
        let (number, placed) = concat_and_time(self);
        let orders = format!(
            "INSERT INTO orders (order_number, customer_id, status, payment_method, currency, placed_at, updated_at) \
             SELECT {number}, :customer, :status, 'credit_card', 'USD', {placed}, {placed} FROM ({}) s",
            series(self)
        );
        let price = if matches!(self.db(), Db::Postgres(_)) {
            "CAST('12.50' AS NUMERIC)"
        } else {
            "'12.50'"
        };
        let lines = format!(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
             SELECT o.id, 1, :product, 1, {price} FROM orders o WHERE o.order_number LIKE :like"
        );
        let state = "INSERT INTO order_sync_state (order_id, state, attempts, route, synced_at, created_at, updated_at) \
            SELECT o.id, 'done', 1, 'in_process', :now, :now, :now FROM orders o WHERE o.order_number LIKE :like";
        let args = none()
            .set("count", b.count)
            .set("prefix", b.prefix)
            .set("customer", b.customer_id)
            .set("status", b.status)
            .set(
                "placed_at",
                b.placed_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            )
            .set("product", b.product_id)
            .set("like", format!("{}%", b.prefix))
            .set("now", order_sync::store::now_ms());
        let db = self.db();
        let mut tx = db.begin().await?;
        let n = tx.execute(&stmt(self, &orders), &args).await?;
        tx.execute(&stmt(self, &lines), &args).await?;
        if b.done {
            tx.execute(&stmt(self, state), &args).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Refreshes the planner's statistics after a bulk load.
    async fn analyze(&self) -> Result<()> {
        let sql = match self.db() {
            Db::MySql(_) => "ANALYZE TABLE orders, order_lines, order_sync_state",
            _ => "ANALYZE",
        };
        self.db().execute_script(sql).await.context("ANALYZE")
    }

    async fn order_facts(&self) -> Result<Vec<OrderFact>> {
        let sql = "SELECT o.id, o.status, o.reissue_of, s.state AS sync_state, s.last_error, s.rescued_from, \
            s.attempts FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id ORDER BY o.id";
        Ok(self.db().fetch_all(&stmt(self, sql), &none()).await?)
    }

    async fn history_facts(&self) -> Result<Vec<HistoryFact>> {
        let sql = "SELECT order_id, from_status, to_status FROM order_status_history ORDER BY order_id, id";
        Ok(self.db().fetch_all(&stmt(self, sql), &none()).await?)
    }

    async fn ids_in_status(&self, status: &str) -> Result<Vec<i64>> {
        let sql = "SELECT id FROM orders WHERE status = :status ORDER BY id";
        let rows: Vec<(i64,)> = self
            .db()
            .fetch_all(&stmt(self, sql), &none().set("status", status))
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Orders order-sync still has to move: in Order Placed and not parked.
    async fn due_count(&self) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id \
            WHERE o.status = 'Order Placed' AND (s.state IS NULL OR s.state <> 'parked')";
        let (n,): (i64,) = self.db().fetch_one(&stmt(self, sql), &none()).await?;
        Ok(n)
    }

    /// Orders in Order Placed that order-sync has tried to send: those waiting for a retry
    /// after a failure (which Salesforce may have applied) first, then those a worker holds.
    async fn tried_in_order_placed(&self) -> Result<Vec<i64>> {
        let sql = "SELECT o.id FROM orders o JOIN order_sync_state s ON s.order_id = o.id \
            WHERE o.status = 'Order Placed' AND s.state = 'pending' AND s.attempts >= 1 \
            ORDER BY CASE WHEN s.last_error IS NULL THEN 1 ELSE 0 END, o.id";
        let rows: Vec<(i64,)> = self.db().fetch_all(&stmt(self, sql), &none()).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Every order line: its id, order, quantity and unit price (as text).
    async fn line_facts(&self) -> Result<Vec<LineFact>> {
        let price = match self.db() {
            Db::MySql(_) => "CAST(unit_price AS CHAR)",
            _ => "CAST(unit_price AS TEXT)",
        };
        let sql = format!(
            "SELECT id, order_id, quantity, {price} AS unit_price FROM order_lines ORDER BY order_id, id"
        );
        Ok(self.db().fetch_all(&stmt(self, &sql), &none()).await?)
    }

    /// Sync attempts per outcome ('sent', 'transient', 'rejected', …).
    async fn attempt_outcomes(&self) -> Result<Vec<(String, i64)>> {
        let sql =
            "SELECT outcome, COUNT(*) FROM order_sync_attempts GROUP BY outcome ORDER BY outcome";
        Ok(self.db().fetch_all(&stmt(self, sql), &none()).await?)
    }

    /// (order id, ms from placed_at to leaving Order Placed) for orders with id ≥ `from_id`.
    async fn placed_to_routed_ms(&self, from_id: i64) -> Result<Vec<(i64, f64)>> {
        let diff = match self.db() {
            Db::Postgres(_) => {
                "CAST(EXTRACT(EPOCH FROM (MIN(h.changed_at) - o.placed_at)) * 1000 AS DOUBLE PRECISION)"
            }
            Db::Sqlite(_) => {
                "CAST((julianday(MIN(h.changed_at)) - julianday(o.placed_at)) * 86400000.0 AS REAL)"
            }
            Db::MySql(_) => {
                "CAST(TIMESTAMPDIFF(MICROSECOND, o.placed_at, MIN(h.changed_at)) / 1000.0 AS DOUBLE)"
            }
        };
        let sql = format!(
            "SELECT o.id, {diff} FROM orders o JOIN order_status_history h ON h.order_id = o.id \
             WHERE o.id >= :from AND h.from_status = 'Order Placed' GROUP BY o.id, o.placed_at"
        );
        Ok(self
            .db()
            .fetch_all(&stmt(self, &sql), &none().set("from", from_id))
            .await?)
    }
}

/// Creates (`create`) or drops a database on the server `admin` is connected to.
pub async fn database_ddl(admin: &Store, name: &str, create: bool) -> Result<()> {
    anyhow::ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database name {name:?} must be [A-Za-z0-9_]+"
    );
    let sql = match (admin.db(), create) {
        (Db::Postgres(_), true) => format!("CREATE DATABASE \"{name}\""),
        (Db::Postgres(_), false) => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        (Db::MySql(_), true) => format!("CREATE DATABASE `{name}`"),
        (Db::MySql(_), false) => format!("DROP DATABASE IF EXISTS `{name}`"),
        (Db::Sqlite(_), _) => anyhow::bail!("SQLite databases are files"),
    };
    admin
        .db()
        .execute_script(&sql)
        .await
        .with_context(|| sql.clone())
}
