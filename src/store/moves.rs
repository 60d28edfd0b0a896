//! The one way order-sync changes an order's status in the store: the state machine is checked,
//! the row moves only from the status it was seen in, and the store's log gets a row.

use chrono::{DateTime, Utc};

use super::build::B;
use super::db::Tx;
use super::sql::{Args, Stmt, Value, args, constant};
use super::{Result, Store, StoreError};
use crate::domain::OrderStatus;

pub(crate) struct MoveSql {
    /// Per status moved from: the row moves only while it holds one of that status's codes.
    move_status: Vec<(OrderStatus, Stmt)>,
    /// As `move_status`, also writing the cancel reason (when the store keeps one).
    cancel: Vec<(OrderStatus, Stmt)>,
    /// Absent when the store keeps no status log.
    history: Option<Stmt>,
    /// order-sync's own moves are what Salesforce shows: not a change to send back.
    shown: Stmt,
}

impl MoveSql {
    pub fn build(b: &B) -> MoveSql {
        let o = &b.m.orders;
        let mut set = format!("{} = :to", b.q(&o.status));
        if let Some(u) = &o.updated_at {
            set += &format!(", {} = {}", b.q(u), b.d.time_param(":at"));
        }
        let cancel_set = match &o.cancel_reason {
            Some(c) => format!("{set}, {} = :cancel_reason", b.q(c)),
            None => set.clone(),
        };
        let filter = |from| format!("WHERE {} = :id AND {}", b.q(&o.id), b.status_in("", from));
        let per_from = |set: &str| -> Vec<(OrderStatus, Stmt)> {
            OrderStatus::ALL
                .iter()
                .map(|&from| {
                    (
                        from,
                        b.stmt(format!("UPDATE {} SET {set} {}", b.orders(), filter(from))),
                    )
                })
                .collect()
        };
        MoveSql {
            shown: b.stmt(
                "UPDATE order_sync_state SET sf_status = :to_label \
                 WHERE order_id = :id AND sf_opportunity_id IS NOT NULL",
            ),
            move_status: per_from(&set),
            cancel: per_from(&cancel_set),
            history: b.m.history.as_ref().map(|h| {
                let mut cols = vec![(h.order_id.clone(), ":id".to_string())];
                let optional = [
                    (&h.from_status, ":from".to_string()),
                    (&h.to_status, ":to".to_string()),
                    (&h.changed_at, b.d.time_param(":logged_at")),
                    (&h.actor, ":actor".to_string()),
                    (&h.reason, ":reason".to_string()),
                ];
                cols.extend(
                    optional
                        .into_iter()
                        .filter_map(|(c, v)| c.clone().map(|c| (c, v))),
                );
                cols.extend(
                    h.set
                        .iter()
                        .map(|(c, v)| (c.clone(), constant(&Value::from(v)))),
                );
                let names: Vec<String> = cols.iter().map(|(c, _)| b.q(c)).collect();
                let values: Vec<&str> = cols.iter().map(|(_, v)| v.as_str()).collect();
                b.stmt(format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    b.t(&h.table),
                    names.join(", "),
                    values.join(", ")
                ))
            }),
        }
    }
}

/// One status change, with who made it and why.
#[derive(Debug, Clone)]
pub(crate) struct Move<'a> {
    pub id: i64,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: &'a str,
    pub reason: &'a str,
    /// Written to the cancel reason column on a move to Canceled.
    pub cancel_reason: Option<&'a str>,
    /// When, by the store's clock ([`Store::store_now_in`]): the store's own changes are found
    /// by the times written here, so the worker's clock must not lead them.
    pub at: DateTime<Utc>,
}

impl Store {
    /// Moves `m.id` from `m.from` to `m.to` inside `tx`, with its log row. False when the order
    /// was no longer in `m.from` (someone else moved it): nothing is written then.
    pub(crate) async fn move_in(&self, tx: &mut Tx, m: &Move<'_>) -> Result<bool> {
        let from = m.from.expect("a move starts from a status");
        if !from.can_move_to(m.to) {
            return Err(StoreError::Fatal(format!(
                "order-sync never moves an order {from} → {}",
                m.to
            )));
        }
        let a = self
            .move_args(tx, m)
            .await?
            .set("from", self.map.code(from));
        let stmts = match m.cancel_reason {
            Some(_) => &self.sql.moves.cancel,
            None => &self.sql.moves.move_status,
        };
        let stmt = &stmts
            .iter()
            .find(|(f, _)| *f == from)
            .expect("a statement per status")
            .1;
        if tx.execute(stmt, &a).await? != 1 {
            return Ok(false);
        }
        let label = args! { "id" => m.id, "to_label" => m.to.label() };
        tx.execute(&self.sql.moves.shown, &label).await?;
        self.log_in(tx, m, a).await?;
        Ok(true)
    }

    /// Logs a status row without moving anything (an order order-sync inserted, e.g. a reissue).
    pub(crate) async fn log_new_in(&self, tx: &mut Tx, m: &Move<'_>) -> Result<()> {
        let a = self.move_args(tx, m).await?.set("from", None::<String>);
        self.log_in(tx, m, a).await
    }

    async fn log_in(&self, tx: &mut Tx, m: &Move<'_>, a: Args) -> Result<()> {
        // A log without a status column (order notes) says the move in its text.
        let a = match self
            .map
            .history
            .as_ref()
            .is_some_and(|h| h.to_status.is_none())
        {
            true => {
                let from = m.from.map_or(String::new(), |f| format!("{f} → "));
                a.set(
                    "reason",
                    format!("order-sync: {from}{}. {}", m.to, m.reason),
                )
            }
            false => a,
        };
        if let Some(h) = &self.sql.moves.history {
            let a = match (m.from, self.map.code(m.to)) {
                // A typed NULL for a first row: integer codes need an integer NULL.
                (None, super::mapping::Code::Int(_)) => a.set("from", None::<i64>),
                _ => a,
            };
            tx.execute(h, &a).await?;
        }
        Ok(())
    }

    /// The move's values; its time as each column keeps times (see [`Store::time_zones`]).
    async fn move_args(&self, tx: &mut Tx, m: &Move<'_>) -> Result<Args> {
        let zones = self.time_zones_in(tx).await?;
        Ok(args! {
            "id" => m.id, "to" => self.map.code(m.to), "at" => zones.updated_at.local_text(m.at),
            "logged_at" => zones.changed_at.local_text(m.at),
            "actor" => m.actor, "reason" => m.reason, "cancel_reason" => m.cancel_reason,
        })
    }
}
