//! Claiming due Order Placed orders under an expiring lease, and reading them whole.

use std::collections::HashMap;

use super::{Result, Store, now_ms, on_pool, parse_timestamp, sql_fragment};
use crate::domain::{RawLine, RawOrder};

/// Orders in Order Placed that order-sync has not seen yet get a pending sync row. The scalar
/// subquery (rather than NOT EXISTS) keeps PostgreSQL on index probes per Order Placed order: an
/// anti-join would hash the whole sync table, which grows with every order ever sent.
const DISCOVER: &str = "INSERT INTO order_sync_state (order_id, state, next_attempt_at, created_at, updated_at) \
    SELECT o.id, 'pending', 0, $1, $1 FROM orders o \
    WHERE o.status = 'Order Placed' \
      AND (SELECT s.order_id FROM order_sync_state s WHERE s.order_id = o.id) IS NULL \
    ON CONFLICT (order_id) DO NOTHING";

/// Oldest due first; an expired lease (a crashed worker) is taken over and its holder kept in
/// `rescued_from` (SET sees the old row, so `rescued_from = lease_owner` is the previous owner).
/// `$lock` is empty on SQLite (one writer) and SKIP LOCKED on PostgreSQL, so that replicas
/// never claim the same row.
macro_rules! claim_due_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE order_sync_state \
             SET rescued_from = lease_owner, lease_owner = $1, lease_token = $2, lease_expires_at = $3, \
                 attempts = attempts + 1, updated_at = $4 \
             WHERE order_id IN (SELECT s.order_id FROM order_sync_state s JOIN orders o ON o.id = s.order_id \
                   WHERE s.state = 'pending' AND s.next_attempt_at <= $4 \
                     AND (s.lease_expires_at IS NULL OR s.lease_expires_at < $4) \
                     AND o.status = 'Order Placed' \
                   ORDER BY o.placed_at, o.id LIMIT $5 ",
            $lock,
            ") RETURNING order_id, attempts, rescued_from"
        )
    };
}
const CLAIM_SQLITE: &str = claim_due_sql!("");
const CLAIM_POSTGRES: &str = claim_due_sql!("FOR UPDATE OF s SKIP LOCKED");

/// Claims one order now, whatever its backoff, unless another worker holds a live lease on it.
const CLAIM_ONE: &str = "UPDATE order_sync_state \
    SET rescued_from = lease_owner, lease_owner = $1, lease_token = $2, lease_expires_at = $3, state = 'pending', \
        attempts = attempts + 1, updated_at = $4 \
    WHERE order_id = $5 AND state IN ('pending', 'parked') \
      AND (lease_expires_at IS NULL OR lease_expires_at < $4) \
      AND order_id IN (SELECT id FROM orders WHERE status = 'Order Placed') \
    RETURNING order_id, attempts, rescued_from";

const LOAD_ORDERS: &str = concat!(
    "SELECT o.id, o.order_number, o.status, o.payment_method, o.po_number, o.currency, \
       CAST(o.placed_at AS TEXT) AS placed_at, o.reissue_of, ",
    sql_fragment!(opportunity_key),
    " AS root_order_id, \
       o.customer_id, c.id AS found_customer, c.email, c.first_name, c.last_name, c.company, c.phone \
     FROM orders o \
     LEFT JOIN orders r ON r.id = o.reissue_of \
     LEFT JOIN customers c ON c.id = o.customer_id \
     WHERE o.id IN (SELECT order_id FROM order_sync_state WHERE lease_token = $1)"
);

const LOAD_LINES: &str = "SELECT l.id, l.order_id, CAST(l.line_no AS BIGINT) AS line_no, l.product_id, \
      p.sku, p.kind, CAST(l.quantity AS BIGINT) AS quantity, CAST(l.unit_price AS TEXT) AS unit_price \
    FROM order_lines l LEFT JOIN products p ON p.id = l.product_id \
    WHERE l.order_id IN (SELECT order_id FROM order_sync_state WHERE lease_token = $1) \
    ORDER BY l.order_id, l.line_no, l.id";

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    order_id: i64,
    attempts: i64,
    rescued_from: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    order_number: String,
    status: String,
    payment_method: Option<String>,
    po_number: Option<String>,
    currency: Option<String>,
    placed_at: Option<String>,
    reissue_of: Option<i64>,
    root_order_id: Option<i64>,
    customer_id: Option<i64>,
    found_customer: Option<i64>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    phone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    order_id: i64,
    line_no: i64,
    product_id: Option<i64>,
    sku: Option<String>,
    kind: Option<String>,
    quantity: Option<i64>,
    unit_price: Option<String>,
}

/// One claim: the orders this worker may now send, fenced by `token`.
#[derive(Debug)]
pub struct Claim {
    pub token: String,
    pub orders: Vec<ClaimedOrder>,
}

#[derive(Debug)]
pub struct ClaimedOrder {
    pub raw: RawOrder,
    /// 1 on the first claim.
    pub attempt: i64,
    /// The previous claim's lease expired: a worker died or stalled holding it.
    pub rescued: bool,
}

impl Store {
    /// Claims up to `limit` due orders for `lease_ms`, oldest first, and reads them.
    pub async fn claim_due(&self, worker: &str, limit: u32, lease_ms: i64) -> Result<Claim> {
        let now = now_ms();
        let token = uuid::Uuid::new_v4().to_string();
        on_pool!(self, p => sqlx::query(DISCOVER).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        let sql = match self {
            Store::Sqlite(_) => CLAIM_SQLITE,
            Store::Postgres(_) => CLAIM_POSTGRES,
        };
        let claimed: Vec<ClaimedRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(worker).bind(&token).bind(now + lease_ms).bind(now).bind(i64::from(limit))
            .fetch_all(p).await)?;
        if claimed.is_empty() {
            return Ok(Claim {
                token,
                orders: Vec::new(),
            });
        }
        let orders = self.load_claimed(&token, claimed).await?;
        Ok(Claim { token, orders })
    }

    /// Claims one order (for a rep's `link`); None if it is not waiting in Order Placed or is held.
    pub async fn claim_order(
        &self,
        worker: &str,
        order_id: i64,
        lease_ms: i64,
    ) -> Result<Option<Claim>> {
        let now = now_ms();
        let token = uuid::Uuid::new_v4().to_string();
        on_pool!(self, p => sqlx::query(DISCOVER).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        let claimed: Vec<ClaimedRow> = on_pool!(self, p => sqlx::query_as(CLAIM_ONE)
            .bind(worker).bind(&token).bind(now + lease_ms).bind(now).bind(order_id)
            .fetch_all(p).await)?;
        if claimed.is_empty() {
            return Ok(None);
        }
        let orders = self.load_claimed(&token, claimed).await?;
        Ok(Some(Claim { token, orders }))
    }

    async fn load_claimed(
        &self,
        token: &str,
        claimed: Vec<ClaimedRow>,
    ) -> Result<Vec<ClaimedOrder>> {
        let rows: Vec<OrderRow> =
            on_pool!(self, p => sqlx::query_as(LOAD_ORDERS).bind(token).fetch_all(p).await)?;
        let lines: Vec<LineRow> =
            on_pool!(self, p => sqlx::query_as(LOAD_LINES).bind(token).fetch_all(p).await)?;
        let mut lines_by_order: HashMap<i64, Vec<RawLine>> = HashMap::new();
        for l in lines {
            lines_by_order.entry(l.order_id).or_default().push(RawLine {
                id: l.id,
                line_no: l.line_no,
                product_id: l.product_id,
                sku: l.sku,
                kind: l.kind,
                quantity: l.quantity,
                unit_price: l.unit_price,
            });
        }
        let mut by_id: HashMap<i64, OrderRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        let mut out = Vec::with_capacity(claimed.len());
        for c in claimed {
            let Some(row) = by_id.remove(&c.order_id) else {
                continue;
            };
            let raw = raw_order(row, lines_by_order.remove(&c.order_id).unwrap_or_default());
            out.push(ClaimedOrder {
                raw,
                attempt: c.attempts,
                rescued: c.rescued_from.is_some(),
            });
        }
        out.sort_by_key(|o| (o.raw.placed_at, o.raw.id));
        Ok(out)
    }
}

fn raw_order(r: OrderRow, lines: Vec<RawLine>) -> RawOrder {
    RawOrder {
        id: r.id,
        order_number: r.order_number,
        status: r.status,
        payment_method: r.payment_method,
        po_number: r.po_number,
        currency: r.currency,
        placed_at: r.placed_at.as_deref().and_then(parse_timestamp),
        reissue_of: r.reissue_of,
        root_order_id: r.root_order_id,
        customer_id: r.customer_id,
        customer_found: r.found_customer.is_some(),
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        company: r.company,
        phone: r.phone,
        lines,
    }
}
