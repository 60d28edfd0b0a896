//! The store's clock: the database's own now. The change watermark is capped at it and the times
//! order-sync writes into the store come from it, so a worker whose clock runs ahead of the
//! store's cannot hide the store's own changes.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::build::B;
use super::db::Tx;
use super::sql::{Stmt, args};
use super::{Result, Store, StoreError};

pub(crate) struct ClockSql {
    /// None: the worker's clock is the database's.
    now: Option<Stmt>,
}

impl ClockSql {
    pub fn build(b: &B) -> ClockSql {
        ClockSql {
            now: b.d.now_utc_sql().map(|sql| b.stmt(sql)),
        }
    }
}

impl Store {
    /// The database's clock now.
    pub async fn store_now(&self) -> Result<DateTime<Utc>> {
        let Some(now) = &self.sql.clock.now else {
            return Ok(Utc::now());
        };
        let (text,): (String,) = self.db.fetch_one(now, &args! {}).await?;
        utc(&text)
    }

    /// The database's clock now, read inside `tx` (the time of the write it is part of).
    pub(crate) async fn store_now_in(&self, tx: &mut Tx) -> Result<DateTime<Utc>> {
        let Some(now) = &self.sql.clock.now else {
            return Ok(Utc::now());
        };
        let row: Option<(String,)> = tx.fetch_optional(now, &args! {}).await?;
        utc(&row.map(|(t,)| t).unwrap_or_default())
    }
}

fn utc(text: &str) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| t.and_utc())
        .map_err(|e| StoreError::Fatal(format!("the database's clock read {text:?}: {e}")))
}
