//! `store.timezone`: the zone of the store's naive times, for reading them and writing ours.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

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
        let naive = match self {
            StoreZone::Utc => at.naive_utc(),
            StoreZone::Fixed(z) => at.with_timezone(z).naive_local(),
            StoreZone::Named(z) => at.with_timezone(z).naive_local(),
        };
        naive.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
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
}
