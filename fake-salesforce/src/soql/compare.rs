//! SOQL value semantics: typed comparison of stored JSON values against literals,
//! LIKE patterns and ORDER BY ordering. String comparisons ignore case, as in SOQL.

use std::cmp::Ordering;

use serde_json::Value;

use super::parse::{Literal, Op};
use crate::record::{parse_date, parse_datetime, value_text};

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text_cmp(a: &str, b: &str) -> Ordering {
    a.to_lowercase().cmp(&b.to_lowercase())
}

fn apply(op: Op, ord: Option<Ordering>) -> bool {
    let Some(ord) = ord else { return op == Op::Ne };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    }
}

/// Whether a stored value satisfies `value <op> literal`. A null value only equals null,
/// and (as in SOQL) `!=` against a non-null literal matches nulls too.
pub(crate) fn matches(v: &Value, op: Op, lit: &Literal) -> bool {
    if let Literal::Null = lit {
        return match op {
            Op::Eq => v.is_null(),
            Op::Ne => !v.is_null(),
            _ => false,
        };
    }
    let Some(text) = value_text(v) else {
        return op == Op::Ne;
    };
    let ord = match lit {
        Literal::Str(s) => Some(text_cmp(&text, s)),
        Literal::Num(n) => as_number(v).and_then(|x| x.partial_cmp(n)),
        Literal::Bool(b) => {
            let same = text.eq_ignore_ascii_case(if *b { "true" } else { "false" });
            return if same {
                matches!(op, Op::Eq | Op::Le | Op::Ge)
            } else {
                op == Op::Ne
            };
        }
        Literal::DateTime(t) => parse_datetime(&text)
            .or_else(|| {
                parse_date(&text)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc())
            })
            .map(|x| x.cmp(t)),
        Literal::Date(d) => parse_date(&text)
            .or_else(|| parse_datetime(&text).map(|t| t.date_naive()))
            .map(|x| x.cmp(d)),
        Literal::Null => None,
    };
    apply(op, ord)
}

/// Ordering for ORDER BY between two non-null values: numbers, then datetimes, then text.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    if let (Value::Number(x), Value::Number(y)) = (a, b) {
        return x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal);
    }
    let (ta, tb) = (
        value_text(a).unwrap_or_default(),
        value_text(b).unwrap_or_default(),
    );
    match (parse_datetime(&ta), parse_datetime(&tb)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => text_cmp(&ta, &tb),
    }
}

/// SOQL LIKE: `%` matches any run, `_` one character, case-insensitive.
pub(crate) fn like(v: &Value, pattern: &str) -> bool {
    let Some(text) = value_text(v) else {
        return false;
    };
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    like_at(&t, &p)
}

fn like_at(t: &[char], p: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('%', rest)) => (0..=t.len()).any(|i| like_at(&t[i..], rest)),
        Some(('_', rest)) => !t.is_empty() && like_at(&t[1..], rest),
        Some((c, rest)) => t.first() == Some(c) && like_at(&t[1..], rest),
    }
}
