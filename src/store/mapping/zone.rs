//! `store.timezone`: the zone of the store's naive times, for reading them and writing ours.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// How finely a look window is searched for a fall-back: shorter than any zone's gap between
/// two transitions, and at least as long as any fall-back (1 h; Lord Howe's is 30 min).
const TRANSITION_STEP: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StoreZone {
    Utc,
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl StoreZone {
    /// "UTC", an IANA name ("Europe/Berlin") or an offset ("+01:00", "-05:30").
    pub fn parse(text: &str) -> Result<StoreZone, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t == "+00:00" {
            return Ok(StoreZone::Utc);
        }
        if t.starts_with(['+', '-']) {
            return DateTime::parse_from_str(
                &format!("2000-01-01 00:00 {t}"),
                "%Y-%m-%d %H:%M %:z",
            )
            .map(|d| StoreZone::Fixed(*d.offset()))
            .map_err(|_| format!("{t:?} is not an offset like \"+01:00\""));
        }
        t.parse::<chrono_tz::Tz>()
            .map(StoreZone::Named)
            .map_err(|_| format!("{t:?} is not UTC, an IANA zone such as \"Europe/Berlin\" or an offset such as \"+01:00\""))
    }

    /// A store time without a zone, as an instant; None in a daylight-saving gap.
    pub fn to_utc(&self, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            StoreZone::Utc => Some(naive.and_utc()),
            StoreZone::Fixed(z) => z.from_local_datetime(&naive).earliest().map(|d| d.to_utc()),
            StoreZone::Named(z) => z.from_local_datetime(&naive).earliest().map(|d| d.to_utc()),
        }
    }

    /// An instant as the store's naive local time, the form order-sync writes into time columns.
    pub fn local_text(&self, at: DateTime<Utc>) -> String {
        self.naive(at).format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }

    /// The earliest local time that any instant from `from` to `to` shows, as text: `from`'s,
    /// less the size of a fall-back between them (naive times repeat an hour then). A fall-back
    /// within a step after `from` counts too: `from`'s local time is ambiguous then, and a
    /// database may read it as the later instant.
    pub fn earliest_local_text(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
        let mut earliest = self.naive(from);
        let (mut t, end) = (from, to.max(from + TRANSITION_STEP));
        while matches!(self, StoreZone::Named(_)) && t < end {
            let next = (t + TRANSITION_STEP).min(end);
            let fall_back = self.offset_secs(t) - self.offset_secs(next);
            if fall_back > 0 {
                // The last local time before it is at least t's; the first after, that less it.
                earliest = earliest.min(self.naive(t) - Duration::seconds(fall_back.into()));
            }
            t = next;
        }
        earliest.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }

    fn naive(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            StoreZone::Utc => at.naive_utc(),
            StoreZone::Fixed(z) => at.with_timezone(z).naive_local(),
            StoreZone::Named(z) => at.with_timezone(z).naive_local(),
        }
    }

    fn offset_secs(&self, at: DateTime<Utc>) -> i32 {
        match self {
            StoreZone::Utc => 0,
            StoreZone::Fixed(z) => z.local_minus_utc(),
            StoreZone::Named(z) => z
                .offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc(),
        }
    }

    /// The name a database session understands (PostgreSQL's TimeZone, MySQL's time_zone).
    pub fn session_name(&self) -> String {
        match self {
            StoreZone::Utc => "+00:00".into(),
            StoreZone::Fixed(z) => z.to_string(),
            StoreZone::Named(z) => z.name().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_times_are_read_in_the_store_zone_and_written_back_alike() {
        let berlin = StoreZone::parse("Europe/Berlin").unwrap();
        let naive =
            NaiveDateTime::parse_from_str("2026-07-01 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let at = berlin.to_utc(naive).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-07-01T10:00:00+00:00");
        assert_eq!(berlin.local_text(at), "2026-07-01 12:00:00.000000");
        let plus = StoreZone::parse("+05:30").unwrap();
        assert_eq!(
            plus.to_utc(naive).unwrap().to_rfc3339(),
            "2026-07-01T06:30:00+00:00"
        );
        assert_eq!(StoreZone::parse("utc").unwrap(), StoreZone::Utc);
        assert!(StoreZone::parse("Mars/Olympus").is_err());
        assert!(StoreZone::parse("+25:00").is_err());
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn a_look_across_the_fall_back_hour_starts_an_hour_earlier_in_local_time() {
        let berlin = StoreZone::parse("Europe/Berlin").unwrap();
        // 2026-10-25: 03:00 CEST (01:00 UTC) falls back to 02:00 CET; 02:00–03:00 repeats.
        let first_0250 = utc("2026-10-25T00:50:00Z");
        let later = utc("2026-10-25T01:30:00Z");
        assert_eq!(
            berlin.earliest_local_text(first_0250, later),
            "2026-10-25 01:50:00.000000",
            "the second 02:10 is after it"
        );
        let summer = utc("2026-07-01T10:00:00Z");
        assert_eq!(
            berlin.earliest_local_text(summer, summer + Duration::minutes(5)),
            berlin.local_text(summer),
            "no transition: the look starts where it did"
        );
        let second_0210 = utc("2026-10-25T01:10:00Z");
        assert_eq!(
            berlin.earliest_local_text(second_0210, second_0210 + Duration::minutes(5)),
            "2026-10-25 02:10:00.000000",
            "after the fall-back, local time runs forward again"
        );
    }
}
