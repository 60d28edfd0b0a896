//! Set-based statements for the chaos suite and the benchmark: throwaway databases, bulk
//! seeding (1,000,000 orders in a few statements) and whole-table reads for verification.

use chrono::{DateTime, Utc};

use super::{Result, Store, StoreError, now_ms, on_pool};

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

const FACTS: &str = "SELECT o.id, o.status, o.reissue_of, s.state AS sync_state, s.last_error, s.rescued_from, \
      s.attempts FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id ORDER BY o.id";
const HISTORY_ALL: &str =
    "SELECT order_id, from_status, to_status FROM order_status_history ORDER BY order_id, id";
const IDS_IN_STATUS: &str = "SELECT id FROM orders WHERE status = $1 ORDER BY id";
/// Orders order-sync still has to move: in Order Placed and not parked.
const DUE: &str = "SELECT COUNT(*) FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id \
    WHERE o.status = 'Order Placed' AND (s.state IS NULL OR s.state <> 'parked')";
const ATTEMPT_OUTCOMES: &str =
    "SELECT outcome, COUNT(*) FROM order_sync_attempts GROUP BY outcome ORDER BY outcome";
/// Milliseconds from placed_at to the first history row, per order (the trickle latency).
const LATENCY_PG: &str = "SELECT o.id, CAST(EXTRACT(EPOCH FROM (MIN(h.changed_at) - o.placed_at)) * 1000 AS DOUBLE PRECISION) \
    FROM orders o JOIN order_status_history h ON h.order_id = o.id \
    WHERE o.id >= $1 AND h.from_status = 'Order Placed' GROUP BY o.id, o.placed_at";
const LATENCY_SQLITE: &str = "SELECT o.id, CAST((julianday(MIN(h.changed_at)) - julianday(o.placed_at)) * 86400000.0 AS REAL) \
    FROM orders o JOIN order_status_history h ON h.order_id = o.id \
    WHERE o.id >= $1 AND h.from_status = 'Order Placed' GROUP BY o.id, o.placed_at";

/// `count` rows numbered 1..=count as `g`: generate_series on PostgreSQL, a recursive CTE on SQLite.
fn series(store: &Store) -> &'static str {
    match store {
        Store::Postgres(_) => "SELECT g FROM generate_series(1, $1::BIGINT) AS g",
        Store::Sqlite(_) => {
            "WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < $1) SELECT g FROM n"
        }
    }
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

impl Store {
    /// Creates database `name` on this (PostgreSQL admin) connection.
    pub async fn create_database(&self, name: &str) -> Result<()> {
        let Store::Postgres(p) = self else {
            return Err(StoreError::Fatal("create_database needs PostgreSQL".into()));
        };
        check_name(name)?;
        let sql = format!("CREATE DATABASE \"{name}\"");
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
        Ok(())
    }

    /// Drops database `name`, disconnecting anyone still on it.
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        let Store::Postgres(p) = self else {
            return Err(StoreError::Fatal("drop_database needs PostgreSQL".into()));
        };
        check_name(name)?;
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
        Ok(())
    }

    /// Inserts `b.count` one-line orders numbered `{prefix}{g}`, in one statement each for
    /// orders and lines; `b.done` also writes a finished sync row.
    pub async fn bulk_orders(&self, b: &BulkOrders<'_>) -> Result<u64> {
        let BulkOrders {
            prefix,
            count,
            status,
            customer_id,
            product_id,
            placed_at,
            done,
        } = *b;
        let series = series(self);
        let orders = format!(
            "INSERT INTO orders (order_number, customer_id, status, payment_method, currency, \
            placed_at, updated_at) SELECT $2 || CAST(g AS TEXT), $3, $4, 'credit_card', 'USD', $5, $5 FROM ({series}) AS s"
        );
        let lines = format!(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
            SELECT o.id, 1, $2, 1, {price} FROM orders o WHERE o.order_number LIKE $1",
            price = self.money("12.50")
        );
        let state = "INSERT INTO order_sync_state (order_id, state, attempts, route, synced_at, created_at, updated_at) \
            SELECT o.id, 'done', 1, 'in_process', $2, $2, $2 FROM orders o WHERE o.order_number LIKE $1";
        let like = format!("{prefix}%");
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(sqlx::AssertSqlSafe(orders)).bind(count).bind(prefix).bind(customer_id).bind(status)
                .bind(placed_at).execute(&mut *tx).await?.rows_affected();
            sqlx::query(sqlx::AssertSqlSafe(lines)).bind(&like).bind(product_id).execute(&mut *tx).await?;
            if done {
                sqlx::query(state).bind(&like).bind(now_ms()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n)
        })
    }

    fn money(&self, value: &str) -> String {
        match self {
            Store::Postgres(_) => format!("CAST('{value}' AS NUMERIC)"),
            Store::Sqlite(_) => format!("'{value}'"),
        }
    }

    /// Refreshes the planner's statistics after a bulk load.
    pub async fn analyze(&self) -> Result<()> {
        on_pool!(self, p => sqlx::query("ANALYZE").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every order with its sync state, by id.
    pub async fn order_facts(&self) -> Result<Vec<OrderFact>> {
        let rows = on_pool!(self, p => sqlx::query_as(FACTS).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Every history row, by order then insertion.
    pub async fn history_facts(&self) -> Result<Vec<HistoryFact>> {
        let rows = on_pool!(self, p => sqlx::query_as(HISTORY_ALL).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn ids_in_status(&self, status: &str) -> Result<Vec<i64>> {
        let ids =
            on_pool!(self, p => sqlx::query_scalar(IDS_IN_STATUS).bind(status).fetch_all(p).await)?;
        Ok(ids)
    }

    /// Orders in Order Placed that are not parked.
    pub async fn due_count(&self) -> Result<i64> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(DUE).fetch_one(p).await)?;
        Ok(n)
    }

    /// Sync attempts per outcome ('sent', 'transient', 'rejected', …).
    pub async fn attempt_outcomes(&self) -> Result<Vec<(String, i64)>> {
        let rows = on_pool!(self, p => sqlx::query_as(ATTEMPT_OUTCOMES).fetch_all(p).await)?;
        Ok(rows)
    }

    /// (order id, ms from placed_at to leaving Order Placed) for orders with id ≥ `from_id`.
    pub async fn placed_to_routed_ms(&self, from_id: i64) -> Result<Vec<(i64, f64)>> {
        let rows = match self {
            Store::Postgres(p) => {
                sqlx::query_as(LATENCY_PG)
                    .bind(from_id)
                    .fetch_all(p)
                    .await?
            }
            Store::Sqlite(p) => {
                sqlx::query_as(LATENCY_SQLITE)
                    .bind(from_id)
                    .fetch_all(p)
                    .await?
            }
        };
        Ok(rows)
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Fatal(format!(
            "database name {name:?} must be [A-Za-z0-9_]+"
        )));
    }
    Ok(())
}
