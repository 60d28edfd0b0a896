//! The look for changes: the store's rows changed since a watermark kept in `order_sync_kv`, less
//! the overlap, read in keyset pages of (updated_at, id). The watermark never passes the store's
//! own clock: a row dated in the future is taken and reported, and read again by the next look,
//! but cannot hide the changes made after it with a correct time.

use chrono::{DateTime, Duration, Utc};

use super::{Detected, ScanRow};
use crate::store::read::read_time;
use crate::store::sql::args;
use crate::store::{Result, Store};

const WATERMARK_KEY: &str = "lifecycle.updated_at_watermark";
/// Where the first look starts: the store's whole history, once.
const BEGINNING: &str = "1970-01-01 00:00:00";
/// A row dated this little past the store's clock was written while the look read: no warning.
const AHEAD_UNREMARKABLE: Duration = Duration::seconds(10);

/// One look's tally: what it found, the newest time it may keep, and rows dated in the future.
struct Look {
    now: DateTime<Utc>,
    newest: Option<DateTime<Utc>>,
    ahead: Vec<(i64, Duration)>,
    found: Detected,
}

impl Look {
    fn new(now: DateTime<Utc>, watermark: Option<DateTime<Utc>>) -> Look {
        Look {
            now,
            newest: watermark,
            ahead: Vec::new(),
            found: Detected::default(),
        }
    }

    /// A row read, dated `at`: the watermark may follow it up to the store's now.
    fn saw(&mut self, id: i64, at: Option<DateTime<Utc>>) {
        let Some(at) = at else { return };
        if at > self.now + AHEAD_UNREMARKABLE {
            self.ahead.push((id, at - self.now));
        }
        self.newest = self.newest.max(Some(at.min(self.now)));
    }

    fn warn_ahead(&self) {
        if self.ahead.is_empty() {
            return;
        }
        let rows: Vec<String> = self
            .ahead
            .iter()
            .map(|(id, by)| {
                let by = std::time::Duration::from_secs(by.num_seconds().unsigned_abs());
                format!("{id} ({} ahead)", humantime::format_duration(by))
            })
            .collect();
        tracing::warn!(
            "orders dated after the store's clock (their changes are taken, but the change \
             watermark stays at the store's now; check the store's clock or these rows' updated_at): {}",
            rows.join(", ")
        );
    }
}

impl Store {
    /// Looks at the orders changed since the watermark (less `overlap`) and queues each sent
    /// one whose status Salesforce does not show. Moves the watermark to the newest change, but
    /// never past the store's clock.
    pub async fn detect_changes(&self, overlap: Duration, page: i64) -> Result<Detected> {
        let Some(scan) = &self.sql.changes.scan else {
            return Ok(Detected::default());
        };
        let now = self.store_now().await?;
        let saved = self
            .kv_get(WATERMARK_KEY)
            .await?
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok().map(|t| t.to_utc()));
        // One saved past the clock (before it was capped) is brought back to it, not kept.
        let watermark = saved.map(|w| w.min(now));
        let zone = self.time_zones().await?.updated_at;
        let mut since = match watermark {
            Some(w) => zone.earliest_local_text(w - overlap, now),
            None => BEGINNING.to_string(),
        };
        let (mut after, mut look) = (-1_i64, Look::new(now, watermark));
        loop {
            let a = args! { "since" => since.as_str(), "after" => after, "limit" => page };
            let rows: Vec<ScanRow> = self.db.fetch_all(scan, &a).await?;
            look.found.scanned += rows.len();
            for r in &rows {
                if self.queue_if_unshown(r).await? {
                    look.found.queued += 1;
                }
                let at = r.updated_at.as_deref().map(|t| read_time(t, &zone));
                look.saw(r.id, at.and_then(|t| t.ok()));
            }
            let Some(last) = rows.last() else { break };
            (since, after) = (last.updated_at.clone().unwrap_or_default(), last.id);
            if (rows.len() as i64) < page {
                break;
            }
        }
        look.warn_ahead();
        look.found.ahead = look.ahead.len();
        if look.newest != saved
            && let Some(n) = look.newest
        {
            self.kv_set(WATERMARK_KEY, &n.to_rfc3339()).await?;
        }
        Ok(look.found)
    }
}
