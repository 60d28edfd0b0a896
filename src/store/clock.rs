//! The store's clock: the database's own now. The change watermark is capped at it and the times
//! order-sync writes into the store come from it, so a worker whose clock runs ahead of the
//! store's cannot hide the store's own changes.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::build::B;
use super::db::Tx;
use super::mapping::{Ident, StoreZone};
use super::schema::Column;
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

/// The zone each time column order-sync reads or writes keeps its times in: `store.timezone`
/// for a naive column, UTC for a zone-aware one the session reads in UTC (MySQL's TIMESTAMP).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeZones {
    pub updated_at: StoreZone,
    pub placed_at: StoreZone,
    pub changed_at: StoreZone,
}

impl Store {
    /// The zones of the mapped time columns, read from the catalog once.
    pub(crate) async fn time_zones(&self) -> Result<TimeZones> {
        if let Some(zones) = self.times.get() {
            return Ok(*zones);
        }
        let mut tx = self.db.begin().await?;
        let zones = self.time_zones_in(&mut tx).await?;
        tx.commit().await?;
        Ok(zones)
    }

    /// As [`Store::time_zones`], inside `tx` (SQLite has one connection: it is the tx's).
    pub(crate) async fn time_zones_in(&self, tx: &mut Tx) -> Result<TimeZones> {
        let zones = self.times.get_or_try_init(|| async {
            let (m, zone) = (&self.map, self.map.zone);
            if zone == StoreZone::Utc {
                return Ok(self.zones_of(&[], &[]));
            }
            let orders = self.columns_in(tx, &m.orders.table).await?;
            let history = match &m.history {
                Some(h) => self.columns_in(tx, &h.table).await?,
                None => Vec::new(),
            };
            Ok::<_, StoreError>(self.zones_of(&orders, &history))
        });
        Ok(*zones.await?)
    }

    fn zones_of(&self, orders: &[Column], history: &[Column]) -> TimeZones {
        let (m, zone) = (&self.map, self.map.zone);
        let of = |columns: &[Column], col: Option<&Ident>| {
            let kept = col.and_then(|c| columns.iter().find(|k| k.name == c.name()));
            match kept.is_some_and(|k| self.db.dialect().reads_in_utc(&k.data_type)) {
                true => StoreZone::Utc,
                false => zone,
            }
        };
        let changed_at = m.history.as_ref().and_then(|h| h.changed_at.as_ref());
        TimeZones {
            updated_at: of(orders, m.orders.updated_at.as_ref()),
            placed_at: of(orders, Some(&m.orders.placed_at)),
            changed_at: of(history, changed_at),
        }
    }
}

fn utc(text: &str) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f")
        .map(|t| t.and_utc())
        .map_err(|e| StoreError::Fatal(format!("the database's clock read {text:?}: {e}")))
}
