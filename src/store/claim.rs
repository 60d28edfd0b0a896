//! Claiming due Order Placed orders under an expiring lease, and reading them whole.

use super::build::B;
use super::sql::{Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::{OrderStatus, RawOrder, SyncState};

mod load;
mod nest;
mod rows;

pub(crate) use load::lines_sql as load_lines_sql;
pub(crate) use rows::LineRow;

/// Orders claimed per UPDATE where the backend cannot UPDATE … RETURNING (padded with NULLs).
pub(super) const MARK_CHUNK: usize = 25;

pub(crate) struct ClaimSql {
    discover: Stmt,
    /// UPDATE … RETURNING over a locked SELECT (PostgreSQL, SQLite).
    claim_returning: Stmt,
    /// SELECT … FOR UPDATE SKIP LOCKED, then `mark` (MySQL).
    claim_select: Stmt,
    mark: Stmt,
    claim_one: Stmt,
    claimed: Stmt,
    release: Stmt,
    pub(super) load: load::LoadSql,
}

impl ClaimSql {
    pub fn build(b: &B) -> ClaimSql {
        let (orders, id, placed) = (
            b.orders(),
            b.id("o"),
            b.status_in("o", OrderStatus::OrderPlaced),
        );
        // The scalar subquery (rather than NOT EXISTS) keeps PostgreSQL on index probes per
        // Order Placed order: an anti-join would hash the whole sync table.
        let discover = b.d.insert_ignoring(
            "order_sync_state (order_id, state, next_attempt_at, created_at, updated_at)",
            &format!(
                "SELECT {oid}, :pending, 0, :now, :now FROM {orders} o WHERE {placed}{rows} \
                   AND (SELECT s.order_id FROM order_sync_state s WHERE s.order_id = {id}) IS NULL",
                oid = b.int("o", Some(&b.m.orders.id)),
                rows = b.orders_filter("o"),
            ),
            "order_id",
        );
        // Due rows, oldest first (new orders have next_attempt_at 0, so they go in id order);
        // an expired lease (a crashed worker) is taken over. Ordering by order-sync's own
        // columns keeps the claim's cost off the store's indexes.
        let due = format!(
            "SELECT s.order_id FROM order_sync_state s \
             WHERE s.state = :pending AND s.next_attempt_at <= :now \
               AND (s.lease_expires_at IS NULL OR s.lease_expires_at < :now) \
               AND EXISTS (SELECT 1 FROM {orders} o WHERE {id} = s.order_id AND {placed}) \
             ORDER BY s.next_attempt_at, s.order_id LIMIT :limit {lock}",
            lock = b.d.claim_lock().unwrap_or("")
        );
        let set = CLAIM_SET;
        let slots: Vec<String> = (0..MARK_CHUNK).map(|i| format!(":i{i}")).collect();
        ClaimSql {
            discover: b.stmt(discover),
            claim_returning: b.stmt(format!(
                "UPDATE order_sync_state {set} WHERE order_id IN ({due}) RETURNING order_id, attempts, rescued_from"
            )),
            claim_select: b.stmt(&due),
            mark: b.stmt(format!("UPDATE order_sync_state {set} WHERE order_id IN ({})", slots.join(", "))),
            claim_one: b.stmt(format!(
                "UPDATE order_sync_state {set}, state = :pending \
                 WHERE order_id = :id AND state IN (:pending, :parked) \
                   AND (lease_expires_at IS NULL OR lease_expires_at < :now) \
                   AND order_id IN (SELECT {id} FROM {orders} o WHERE {placed})"
            )),
            claimed: b.stmt(
                "SELECT order_id, attempts, rescued_from FROM order_sync_state WHERE lease_token = :token",
            ),
            // Undoes `claim_one`: the state it found, the attempt it counted, no lease.
            release: b.stmt(
                "UPDATE order_sync_state SET state = :state, attempts = attempts - 1, lease_owner = NULL, \
                 lease_token = NULL, lease_expires_at = NULL, rescued_from = NULL, updated_at = :now \
                 WHERE order_id = :id AND lease_token = :token",
            ),
            load: load::LoadSql::build(b),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    order_id: i64,
    attempts: i64,
    rescued_from: Option<String>,
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

/// The parameters every claim statement shares.
pub(super) fn claim_args(
    store: &Store,
    worker: &str,
    token: &str,
    lease_ms: i64,
    now: i64,
) -> super::sql::Args {
    args! {
        "worker" => worker, "token" => token, "expires" => now + lease_ms, "now" => now,
        "pending" => SyncState::Pending.as_str(), "parked" => SyncState::Parked.as_str(),
        "placed" => store.map.code(OrderStatus::OrderPlaced),
        "resend" => SyncState::Resend.as_str(),
    }
}

/// The `SET` of every claim: a new lease, one more attempt, and who held it before.
/// (SET sees the old row, so `rescued_from = lease_owner` keeps the previous holder.)
pub(super) const CLAIM_SET: &str = "SET rescued_from = lease_owner, lease_owner = :worker, \
    lease_token = :token, lease_expires_at = :expires, attempts = attempts + 1, updated_at = :now";

impl Store {
    /// Gives orders newly in Order Placed a pending sync row.
    async fn discover(&self, now: i64) -> Result<()> {
        let a = args! {
            "pending" => SyncState::Pending.as_str(), "now" => now,
            "placed" => self.map.code(OrderStatus::OrderPlaced),
        };
        self.db.execute(&self.sql.claim.discover, &a).await?;
        Ok(())
    }

    /// Claims up to `limit` due orders for `lease_ms`, oldest first, and reads them.
    pub async fn claim_due(&self, worker: &str, limit: u32, lease_ms: i64) -> Result<Claim> {
        let now = now_ms();
        let token = uuid::Uuid::new_v4().to_string();
        self.discover(now).await?;
        let a = claim_args(self, worker, &token, lease_ms, now).set("limit", i64::from(limit));
        let sql = &self.sql.claim;
        self.claim_with(&sql.claim_returning, &sql.claim_select, token, a)
            .await
    }

    /// Claims the rows `returning` (or, without UPDATE … RETURNING, `select`) picks, and reads
    /// their orders.
    pub(super) async fn claim_with(
        &self,
        returning: &Stmt,
        select: &Stmt,
        token: String,
        a: super::sql::Args,
    ) -> Result<Claim> {
        let sql = &self.sql.claim;
        let claimed: Vec<ClaimedRow> = if self.db.dialect().update_returning() {
            self.db.fetch_all(returning, &a).await?
        } else {
            let mut tx = self.db.begin().await?;
            let ids: Vec<(i64,)> = tx.fetch_all(select, &a).await?;
            for chunk in ids.chunks(MARK_CHUNK) {
                let mut marked = a.clone();
                for (i, slot) in SLOTS.iter().enumerate() {
                    marked = marked.set(slot, chunk.get(i).map(|(id,)| *id));
                }
                tx.execute(&sql.mark, &marked).await?;
            }
            let claimed = tx.fetch_all(&sql.claimed, &a).await?;
            tx.commit().await?;
            claimed
        };
        let orders = if claimed.is_empty() {
            Vec::new()
        } else {
            self.load_claimed(&token, claimed).await?
        };
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
        self.discover(now).await?;
        let a = claim_args(self, worker, &token, lease_ms, now).set("id", order_id);
        if self.db.execute(&self.sql.claim.claim_one, &a).await? == 0 {
            return Ok(None);
        }
        let claimed = self.db.fetch_all(&self.sql.claim.claimed, &a).await?;
        let orders = self.load_claimed(&token, claimed).await?;
        Ok(Some(Claim { token, orders }))
    }

    /// Gives back a claim made by [`Store::claim_order`] that led nowhere, leaving the order as
    /// it was found (`was` is its sync state then; None for an order never seen before).
    pub async fn release_claim(
        &self,
        token: &str,
        order_id: i64,
        was: Option<SyncState>,
    ) -> Result<()> {
        let state = was.unwrap_or(SyncState::Pending).as_str();
        let a = args! { "state" => state, "now" => now_ms(), "id" => order_id, "token" => token };
        self.db.execute(&self.sql.claim.release, &a).await?;
        Ok(())
    }

    async fn load_claimed(
        &self,
        token: &str,
        claimed: Vec<ClaimedRow>,
    ) -> Result<Vec<ClaimedOrder>> {
        let mut raw = self.load_orders(token).await?;
        let mut out = Vec::with_capacity(claimed.len());
        for c in claimed {
            let Some(raw) = raw.remove(&c.order_id) else {
                continue;
            };
            out.push(ClaimedOrder {
                raw,
                attempt: c.attempts,
                rescued: c.rescued_from.is_some(),
            });
        }
        out.sort_by_key(|o| o.raw.id);
        Ok(out)
    }
}

/// The `:iN` slot names of `mark`.
pub(super) const SLOTS: [&str; MARK_CHUNK] = [
    "i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9", "i10", "i11", "i12", "i13", "i14",
    "i15", "i16", "i17", "i18", "i19", "i20", "i21", "i22", "i23", "i24",
];
