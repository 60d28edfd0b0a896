//! Records, Salesforce-shaped ids and timestamps.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

/// One stored sObject row. `fields` also holds `Id` and the audit timestamps.
#[derive(Clone, Debug)]
pub struct Record {
    pub object: String,
    pub id: String,
    pub fields: Map<String, Value>,
}

impl Record {
    /// Field lookup ignoring case, because Salesforce field names are case-insensitive.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).or_else(|| {
            self.fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .map(|(_, v)| v)
        })
    }
}

const PREFIXES: &[(&str, &str)] = &[
    ("Account", "001"),
    ("Contact", "003"),
    ("Opportunity", "006"),
    ("Quote", "0Q0"),
    ("QuoteLineItem", "0QL"),
    ("Order", "801"),
    ("OrderItem", "802"),
    ("Product2", "01t"),
    ("Pricebook2", "01s"),
    ("PricebookEntry", "01u"),
];

/// Key prefix of an object; every non-standard object shares "a00".
pub(crate) fn key_prefix(object: &str) -> &'static str {
    PREFIXES
        .iter()
        .find(|(o, _)| o.eq_ignore_ascii_case(object))
        .map_or("a00", |(_, p)| p)
}

/// The standard object a key prefix belongs to, if any.
pub(crate) fn object_for_prefix(id: &str) -> Option<&'static str> {
    let prefix = id.get(..3)?;
    PREFIXES.iter().find(|(_, p)| *p == prefix).map(|(o, _)| *o)
}

pub(crate) fn make_id(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:012}AAA")
}

/// Whether `s` has the shape of a 15- or 18-char Salesforce id.
pub(crate) fn looks_like_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Salesforce's REST datetime format, always UTC: `2026-11-26T05:56:24.000+0000`.
pub(crate) fn format_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

pub(crate) fn sf_now() -> String {
    format_datetime(Utc::now())
}

/// Parses the datetime spellings SOQL and the REST API use (`Z`, `+0000`, with or without millis).
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Text form used for comparisons: strings as-is, numbers and bools by their JSON text.
pub(crate) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}
