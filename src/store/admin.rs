//! Read-side and rep-side statements: finding an order, its story, stuck orders, counts, retry.

use chrono::{DateTime, Utc};

use super::build::B;
use super::read::read_time;
use super::sql::{Stmt, args};
use super::{Result, Store};
use crate::domain::OrderStatus;

mod retry;
mod stuck;

pub use stuck::StuckOrder;

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub changed_at: Option<String>,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i64,
    pub worker: String,
    pub finished_at: i64,
    pub outcome: String,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// Everything a rep needs to see about one order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderDetail {
    pub id: i64,
    pub order_number: String,
    /// The status label, or the store's value when it maps to none of the eight.
    pub status: String,
    pub reissue_of: Option<i64>,
    pub reissued_as: Option<i64>,
    pub sync_state: Option<String>,
    pub attempts: Option<i64>,
    pub route: Option<String>,
    pub sf_account_id: Option<String>,
    pub sf_contact_id: Option<String>,
    pub sf_opportunity_id: Option<String>,
    pub sf_quote_id: Option<String>,
    pub sf_order_id: Option<String>,
    pub last_error_class: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
}

/// Orders per status (labels; values outside the mapping as the store has them) and per sync state.
#[derive(Debug, Clone, Default)]
pub struct StatusCounts {
    pub by_status: Vec<(String, i64)>,
    /// Store values that are none of the eight statuses: typos, or codes missing from the mapping.
    pub unknown_statuses: Vec<(String, i64)>,
    pub by_sync_state: Vec<(String, i64)>,
}

pub(crate) struct AdminSql {
    by_number: Stmt,
    by_id: Stmt,
    detail: Stmt,
    history: Option<Stmt>,
    attempts: Stmt,
    retry: retry::RetrySql,
    by_status: Stmt,
    by_sync_state: Stmt,
    status: Stmt,
    stuck: stuck::StuckSql,
}

impl AdminSql {
    pub fn build(b: &B) -> AdminSql {
        let o = &b.m.orders;
        let (orders, id, int_id) = (b.orders(), b.id("o"), b.int("o", Some(&o.id)));
        let reissued_as = match &o.reissue_of {
            Some(c) => format!(
                "(SELECT MIN({}) FROM {orders} n WHERE {} = {id})",
                b.int("n", Some(&o.id)),
                b.c("n", c)
            ),
            None => format!(
                "(SELECT MIN(x.order_id) FROM order_sync_reissues x WHERE x.reissue_of = {id})"
            ),
        };
        let history = b.m.history.as_ref().map(|h| {
            let order = [h.changed_at.as_ref(), h.id.as_ref()]
                .into_iter()
                .flatten()
                .map(|c| b.c("h", c))
                .collect::<Vec<_>>();
            b.stmt(format!(
                "SELECT {from} AS from_status, {to} AS to_status, {at} AS changed_at, {actor} AS actor, \
                   {reason} AS reason FROM {table} h WHERE {oid} = :id{order}",
                from = b.text("h", h.from_status.as_ref()),
                to = b.text("h", h.to_status.as_ref()),
                at = b.text("h", h.changed_at.as_ref()),
                actor = b.text("h", h.actor.as_ref()),
                reason = b.text("h", h.reason.as_ref()),
                table = b.t(&h.table),
                oid = b.c("h", &h.order_id),
                order = if order.is_empty() { String::new() } else { format!(" ORDER BY {}", order.join(", ")) },
            ))
        });
        AdminSql {
            by_number: b.stmt(format!(
                "SELECT {int_id} AS id FROM {orders} o WHERE {} = :key ORDER BY {id}",
                b.text("o", Some(&o.number))
            )),
            by_id: b.stmt(format!("SELECT {int_id} AS id FROM {orders} o WHERE {id} = :id")),
            detail: b.stmt(format!(
                "SELECT {int_id} AS id, {number} AS order_number, {status} AS status, {reissue} AS reissue_of, \
                   {reissued_as} AS reissued_as, s.state AS sync_state, s.attempts, s.route, s.sf_account_id, \
                   s.sf_contact_id, s.sf_opportunity_id, s.sf_quote_id, s.sf_order_id, s.last_error_class, \
                   s.last_error_code, s.last_error, s.next_attempt_at \
                 FROM {orders} o LEFT JOIN order_sync_state s ON s.order_id = {id} WHERE {id} = :id",
                number = b.text("o", Some(&o.number)),
                status = b.text("o", Some(&o.status)),
                reissue = b.reissue_of("o"),
            )),
            history,
            attempts: b.stmt(
                "SELECT attempt, worker, finished_at, outcome, error_code, message \
                 FROM order_sync_attempts WHERE order_id = :id ORDER BY id",
            ),
            retry: retry::RetrySql::build(b),
            by_status: b.stmt(format!(
                "SELECT {s} AS status, COUNT(*) AS n FROM {orders} o WHERE 1 = 1{f} GROUP BY {s} ORDER BY {s}",
                f = b.orders_filter("o"),
                s = b.d.exact_text(&b.c("o", &o.status))
            )),
            by_sync_state: b.stmt("SELECT state, COUNT(*) AS n FROM order_sync_state GROUP BY state ORDER BY state"),
            status: b.stmt(format!("SELECT {} AS status FROM {orders} o WHERE {id} = :id", b.text("o", Some(&o.status)))),
            stuck: stuck::StuckSql::build(b),
        }
    }
}

impl Store {
    /// Finds an order by its number or, for a number, its id. `number:X` and `id:N` say which;
    /// a key that is one order's number and another's id is refused as ambiguous.
    pub async fn find_order(&self, key: &str) -> Result<Option<i64>, String> {
        let sql = &self.sql.admin;
        let by_number = |k: &str| {
            let a = args! { "key" => k };
            async move { self.db.fetch_all::<(i64,)>(&sql.by_number, &a).await }
        };
        let by_id = |k: i64| async move {
            self.db
                .fetch_all::<(i64,)>(&sql.by_id, &args! { "id" => k })
                .await
        };
        let err = |e: super::StoreError| e.to_string();
        if let Some(n) = key.strip_prefix("number:") {
            return Ok(by_number(n).await.map_err(err)?.first().map(|(i,)| *i));
        }
        if let Some(i) = key.strip_prefix("id:") {
            let i: i64 = i
                .parse()
                .map_err(|_| format!("{key:?}: an id is a whole number"))?;
            return Ok(by_id(i).await.map_err(err)?.first().map(|(i,)| *i));
        }
        let numbered = by_number(key).await.map_err(err)?.first().map(|(i,)| *i);
        let ided = match key.parse::<i64>() {
            Ok(i) => by_id(i).await.map_err(err)?.first().map(|(i,)| *i),
            Err(_) => None,
        };
        match (numbered, ided) {
            (Some(a), Some(b)) if a != b => Err(format!(
                "{key:?} is the number of order id {a} and also the id of another order; \
                 say number:{key} or id:{key}"
            )),
            (n, i) => Ok(n.or(i)),
        }
    }

    pub async fn order_detail(&self, id: i64) -> Result<Option<OrderDetail>> {
        let d: Option<OrderDetail> = self
            .db
            .fetch_optional(&self.sql.admin.detail, &args! { "id" => id })
            .await?;
        Ok(d.map(|d| OrderDetail {
            status: self.label(&d.status),
            ..d
        }))
    }

    /// The store's status log for the order, statuses as labels; empty when the store keeps none.
    pub async fn order_history(&self, id: i64) -> Result<Vec<HistoryRow>> {
        let Some(stmt) = &self.sql.admin.history else {
            return Ok(Vec::new());
        };
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.db.fetch_all(stmt, &args! { "id" => id }).await?;
        Ok(rows
            .into_iter()
            .map(|(from, to, at, actor, reason)| HistoryRow {
                from_status: from.map(|f| self.label(&f)),
                to_status: self.label(&to.unwrap_or_default()),
                changed_at: at,
                actor,
                reason,
            })
            .collect())
    }

    /// A stored status value as its label; a value outside the mapping stays as it is.
    fn label(&self, value: &str) -> String {
        self.map
            .status_of(value)
            .map_or_else(|| value.to_string(), |s| s.label().to_string())
    }

    pub async fn order_attempts(&self, id: i64) -> Result<Vec<AttemptRow>> {
        self.db
            .fetch_all(&self.sql.admin.attempts, &args! { "id" => id })
            .await
    }

    pub async fn status_counts(&self) -> Result<StatusCounts> {
        let rows: Vec<(Option<String>, i64)> = self
            .db
            .fetch_all(&self.sql.admin.by_status, &args! {})
            .await?;
        let mut counts = StatusCounts::default();
        for (value, n) in rows {
            let value = value.unwrap_or_default();
            match self.map.status_of(&value) {
                Some(s) => counts.by_status.push((s.label().to_string(), n)),
                None => counts.unknown_statuses.push((value, n)),
            }
        }
        counts.by_sync_state = self
            .db
            .fetch_all(&self.sql.admin.by_sync_state, &args! {})
            .await?;
        Ok(counts)
    }

    /// The order's status label (or the store's value when it is none of the eight).
    pub async fn order_status(&self, id: i64) -> Result<Option<String>> {
        let s: Option<(Option<String>,)> = self
            .db
            .fetch_optional(&self.sql.admin.status, &args! { "id" => id })
            .await?;
        Ok(s.map(|(s,)| self.label(&s.unwrap_or_default())))
    }

    /// The order's status, when it is one of the eight.
    pub async fn status_of(&self, id: i64) -> Result<Option<OrderStatus>> {
        let s: Option<(Option<String>,)> = self
            .db
            .fetch_optional(&self.sql.admin.status, &args! { "id" => id })
            .await?;
        Ok(s.and_then(|(s,)| self.map.status_of(&s.unwrap_or_default())))
    }

    /// When a stored time (as text) was, in the store's zone.
    pub fn time_of(&self, text: &str) -> Option<DateTime<Utc>> {
        read_time(text, &self.map.zone).ok()
    }
}
