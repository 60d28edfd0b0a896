//! Reading the store's values exactly, whatever their column type: every value arrives as text
//! (the statements cast it), and here it becomes a time, an amount or a quantity — or a
//! sentence saying what was found, never a silent rounding.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::mapping::StoreZone;
use crate::config::MoneyFormat;

/// Salesforce currency fields keep two decimals: more would be rounded there.
pub(crate) const MONEY_SCALE: u32 = 2;

/// A store time: ISO 8601 with or without an offset, `YYYY-MM-DD HH:MM:SS` (SQLite's
/// CURRENT_TIMESTAMP, MySQL DATETIME), a bare date, or Unix seconds. Naive ones are in `zone`.
pub fn read_time(text: &str, zone: &StoreZone) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.to_utc());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f %#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Ok(dt.to_utc());
        }
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(t, fmt).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    if let Some(n) = naive {
        return zone.to_utc(n).ok_or_else(|| {
            format!("time {t:?} does not exist in store.timezone (a daylight-saving gap)")
        });
    }
    if !t.is_empty() && t.len() <= 13 && t.chars().all(|c| c.is_ascii_digit()) {
        let n: i64 = t.parse().map_err(|_| format!("unreadable time {t:?}"))?;
        let at = if t.len() >= 12 {
            DateTime::from_timestamp_millis(n)
        } else {
            DateTime::from_timestamp(n, 0)
        };
        return at.ok_or_else(|| format!("unreadable time {t:?}"));
    }
    Err(format!("unreadable time {t:?}"))
}

/// An exact decimal from text: "12.50", "12.5000", "1e2" (REAL columns), never a float.
fn decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .ok()
}

/// An amount: exact, at most two decimals (Salesforce's), from a decimal or integer-cents column.
pub fn read_money(text: &str, format: MoneyFormat) -> Result<Decimal, String> {
    let t = text.trim();
    let d = decimal(t).ok_or_else(|| format!("an unreadable amount {t:?}"))?;
    let amount = match format {
        MoneyFormat::Decimal => d,
        MoneyFormat::Cents if d.fract().is_zero() => d / Decimal::from(100),
        MoneyFormat::Cents => return Err(format!("{t:?}, which is not a whole number of cents")),
    };
    if amount.normalize().scale() > MONEY_SCALE {
        return Err(format!(
            "the amount {t}, which has more decimals than Salesforce keeps ({MONEY_SCALE})"
        ));
    }
    Ok(amount)
}

/// The value order-sync writes into a money column for `amount`: decimal text or cents.
pub fn money_text(amount: Decimal, format: MoneyFormat) -> String {
    match format {
        MoneyFormat::Decimal => amount.round_dp(MONEY_SCALE).to_string(),
        MoneyFormat::Cents => (amount * Decimal::from(100))
            .round_dp(0)
            .normalize()
            .to_string(),
    }
}

/// A whole quantity: 2, 2.0 and 2.0000 are 2; 2.5 is refused, never rounded.
pub fn read_quantity(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let d = decimal(t).ok_or_else(|| format!("an unreadable quantity {t:?}"))?;
    if !d.fract().is_zero() {
        return Err(format!(
            "a fractional quantity {d}; Salesforce lines here take whole units"
        ));
    }
    i64::try_from(d).map_err(|_| format!("a quantity {t} out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(t: &str) -> String {
        read_time(t, &StoreZone::Utc)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn times_are_read_in_every_form_a_store_keeps_them() {
        let want = "2026-11-27T13:57:46+00:00";
        for t in [
            "2026-11-27 13:57:46",
            "2026-11-27T13:57:46Z",
            "2026-11-27 13:57:46+00",
            "2026-11-27 14:57:46+01:00",
            "2026-11-27 13:57:46.000",
            "1795787866",
        ] {
            assert_eq!(utc(t), want, "{t}");
        }
        assert_eq!(utc("2026-11-27"), "2026-11-27T00:00:00+00:00");
        assert!(utc("0000-00-00 00:00:00").contains("unreadable"));
        let berlin = StoreZone::parse("Europe/Berlin").unwrap();
        let t = read_time("2026-11-27 14:57:46", &berlin).unwrap();
        assert_eq!(t.to_rfc3339(), want);
        assert!(
            read_time("2026-03-29 02:30:00", &berlin)
                .unwrap_err()
                .contains("gap")
        );
    }

    #[test]
    fn money_is_exact_or_refused_with_what_was_found() {
        let d = MoneyFormat::Decimal;
        assert_eq!(read_money("12.50", d).unwrap().to_string(), "12.50");
        assert_eq!(
            read_money("12.5000", d).unwrap().normalize().to_string(),
            "12.5"
        );
        assert_eq!(
            read_money("1250", MoneyFormat::Cents)
                .unwrap()
                .normalize()
                .to_string(),
            "12.5"
        );
        assert!(read_money("12.345", d).unwrap_err().contains("12.345"));
        assert!(read_money("0.30000000000000004", d).is_err());
        assert!(read_money("12.5", MoneyFormat::Cents).is_err());
        assert!(read_money("abc", d).is_err());
        assert_eq!(
            money_text(Decimal::new(1250, 2), MoneyFormat::Cents),
            "1250"
        );
        assert_eq!(
            money_text(Decimal::new(125, 1), MoneyFormat::Decimal),
            "12.5"
        );
    }

    #[test]
    fn quantities_are_whole_or_refused() {
        assert_eq!(read_quantity("2"), Ok(2));
        assert_eq!(read_quantity("2.0000"), Ok(2));
        assert!(read_quantity("2.7").unwrap_err().contains("2.7"));
        assert!(read_quantity("2.5").is_err());
        assert!(read_quantity("two").is_err());
    }
}
