//! Reading orders without claiming them: pages of sent orders with what order-sync stored of
//! them (`reconcile`), pages of orders it never saw (`backfill`), and which of some ids the
//! store has (Salesforce records naming an order the store does not).

use std::collections::HashSet;

use super::build::B;
use super::sql::{Stmt, args};
use super::{Result, Store};
use crate::domain::{OrderId, OrderStatus, RawOrder, Route, SalesforceIds, SyncState};

/// Ids per `known` query, and the names of their parameters: the claim's.
use super::claim::{MARK_CHUNK as KNOWN_CHUNK, SLOTS as KNOWN};

pub(crate) struct ScanSql {
    stored: Stmt,
    known: Stmt,
}

impl ScanSql {
    pub fn build(b: &B) -> ScanSql {
        let slots: Vec<String> = KNOWN.iter().map(|k| format!(":{k}")).collect();
        ScanSql {
            stored: b.stmt(
                "SELECT order_id, route, sf_status, synced_at, sf_account_id, sf_contact_id, sf_opportunity_id, \
                   sf_quote_id, sf_order_id FROM order_sync_state WHERE order_id BETWEEN :lo AND :hi",
            ),
            known: b.stmt(format!(
                "SELECT {oid} FROM {orders} o WHERE {id} IN ({})",
                slots.join(", "),
                oid = b.int("o", Some(&b.m.orders.id)),
                orders = b.orders(),
                id = b.id("o"),
            )),
        }
    }
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    order_id: i64,
    route: Option<String>,
    sf_status: Option<String>,
    synced_at: Option<i64>,
    sf_account_id: Option<String>,
    sf_contact_id: Option<String>,
    sf_opportunity_id: Option<String>,
    sf_quote_id: Option<String>,
    sf_order_id: Option<String>,
}

/// What order-sync keeps of a sent order.
#[derive(Debug, Clone)]
pub struct StoredSync {
    pub order_id: OrderId,
    pub route: Option<Route>,
    /// The store status Salesforce was last brought in line with.
    pub shown: Option<OrderStatus>,
    /// When Salesforce last took the order (epoch ms).
    pub synced_at: Option<i64>,
    pub ids: SalesforceIds,
}

impl From<StoredRow> for StoredSync {
    fn from(r: StoredRow) -> StoredSync {
        let route = r.route.as_deref().and_then(Route::from_name);
        let shown = match r.sf_status.as_deref() {
            Some(label) => OrderStatus::parse(label).ok(),
            None => route.map(Route::status),
        };
        StoredSync {
            order_id: OrderId(r.order_id),
            route,
            shown,
            synced_at: r.synced_at,
            ids: SalesforceIds {
                account: r.sf_account_id,
                contact: r.sf_contact_id,
                opportunity: r.sf_opportunity_id,
                quote: r.sf_quote_id,
                order: r.sf_order_id,
            },
        }
    }
}

impl Store {
    /// Up to `limit` sent orders after id `after` whose sync row changed since `since_ms`, in id
    /// order, each with what order-sync stored of it.
    pub async fn sent_orders_page(
        &self,
        after: i64,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<(RawOrder, StoredSync)>> {
        let a = args! {
            "after" => after, "since" => since_ms, "limit" => limit,
            "done" => SyncState::Done.as_str(),
        };
        let orders = self.load_page(&self.sql.claim.load.sent_page, &a).await?;
        let (Some(lo), Some(hi)) = (orders.first().map(|o| o.id), orders.last().map(|o| o.id))
        else {
            return Ok(Vec::new());
        };
        let rows: Vec<StoredRow> = self
            .db
            .fetch_all(&self.sql.scan.stored, &args! { "lo" => lo, "hi" => hi })
            .await?;
        let mut stored: std::collections::HashMap<i64, StoredSync> =
            rows.into_iter().map(|r| (r.order_id, r.into())).collect();
        Ok(orders
            .into_iter()
            .filter_map(|o| stored.remove(&o.id).map(|s| (o, s)))
            .collect())
    }

    /// Up to `limit` orders after id `after` that order-sync has never seen, in id order.
    pub async fn unseen_orders_page(&self, after: i64, limit: i64) -> Result<Vec<RawOrder>> {
        let a = args! { "after" => after, "limit" => limit };
        self.load_page(&self.sql.claim.load.unseen_page, &a).await
    }

    /// Which of `ids` the store has as orders.
    pub async fn known_orders(&self, ids: &[i64]) -> Result<HashSet<i64>> {
        let mut known = HashSet::new();
        for chunk in ids.chunks(KNOWN_CHUNK) {
            let mut a = args! {};
            for (i, name) in KNOWN.iter().enumerate() {
                a = a.set(name, chunk.get(i).copied());
            }
            let rows: Vec<(i64,)> = self.db.fetch_all(&self.sql.scan.known, &a).await?;
            known.extend(rows.into_iter().map(|(id,)| id));
        }
        Ok(known)
    }
}
