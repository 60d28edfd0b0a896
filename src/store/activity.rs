//! What order-sync did lately, for the console's chart: attempts sent and failed per hour.

use super::build::B;
use super::sql::{Stmt, args};
use super::{Result, Store};

/// One hour's attempts, by how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct HourActivity {
    /// The hour's start, in epoch milliseconds (whole UTC hours).
    pub hour_ms: i64,
    /// Attempts that wrote the order to Salesforce.
    pub sent: i64,
    /// Attempts that failed, transient or rejected.
    pub failed: i64,
}

pub(crate) const HOUR_MS: i64 = 3_600_000;

pub(crate) struct ActivitySql {
    per_hour: Stmt,
}

impl ActivitySql {
    pub fn build(b: &B) -> ActivitySql {
        // `%` on a BIGINT is an integer on all three backends, so the bucket is exact. The hour
        // is written in, not bound: MySQL groups by an expression only if it is the same text.
        let hour = format!("(finished_at - (finished_at % {HOUR_MS}))");
        ActivitySql {
            per_hour: b.stmt(format!(
                "SELECT {hour} AS hour_ms, outcome, COUNT(*) AS n FROM order_sync_attempts \
                 WHERE finished_at >= :since GROUP BY {hour}, outcome"
            )),
        }
    }
}

impl Store {
    /// Attempts per hour for the `hours` whole hours up to and including the current one, oldest
    /// first; hours with no attempt are there with zeros.
    pub async fn activity_per_hour(&self, now_ms: i64, hours: i64) -> Result<Vec<HourActivity>> {
        let current = now_ms - now_ms.rem_euclid(HOUR_MS);
        let first = current - (hours - 1) * HOUR_MS;
        let a = args! { "since" => first };
        let rows: Vec<(i64, String, i64)> =
            self.db.fetch_all(&self.sql.activity.per_hour, &a).await?;
        let mut out: Vec<HourActivity> = (0..hours)
            .map(|i| HourActivity {
                hour_ms: first + i * HOUR_MS,
                ..Default::default()
            })
            .collect();
        for (hour_ms, outcome, n) in rows {
            let Some(slot) = out.iter_mut().find(|h| h.hour_ms == hour_ms) else {
                continue;
            };
            match outcome.as_str() {
                "sent" => slot.sent += n,
                "transient" | "rejected" => slot.failed += n,
                _ => {}
            }
        }
        Ok(out)
    }
}
