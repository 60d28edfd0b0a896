//! The store's values for statuses, payment methods and product kinds, checked and looked up.

use super::Code;
use crate::config::{StatusCodeType, StoreSettings};
use crate::domain::OrderStatus;

pub(super) fn status_codes(s: &StoreSettings) -> Result<Vec<(OrderStatus, Code)>, String> {
    let c = &s.statuses;
    let given = [
        (OrderStatus::OrderPlaced, "order_placed", &c.order_placed),
        (OrderStatus::InProcess, "in_process", &c.in_process),
        (
            OrderStatus::AwaitingEvaluation,
            "awaiting_evaluation",
            &c.awaiting_evaluation,
        ),
        (
            OrderStatus::AwaitingPayment,
            "awaiting_payment",
            &c.awaiting_payment,
        ),
        (
            OrderStatus::AwaitingCustomerApproval,
            "awaiting_customer_approval",
            &c.awaiting_customer_approval,
        ),
        (OrderStatus::Canceled, "canceled", &c.canceled),
        (OrderStatus::Completed, "completed", &c.completed),
        (OrderStatus::Incomplete, "incomplete", &c.incomplete),
    ];
    let mut out: Vec<(OrderStatus, Code)> = Vec::new();
    for (status, key, value) in given {
        let v = value.trim();
        let code = match s.status_codes {
            _ if v.is_empty() => return Err(format!("store.statuses.{key} must be set")),
            StatusCodeType::Text => Code::Text(v.to_string()),
            StatusCodeType::Integer => Code::Int(v.parse().map_err(|_| {
                format!("store.statuses.{key}: {v:?} is not an integer (store.status_codes = \"integer\")")
            })?),
        };
        if let Some((other, _)) = out.iter().find(|(_, c)| *c == code) {
            return Err(format!(
                "store.statuses.{key}: {v:?} is also the code of {other}; each status needs its own"
            ));
        }
        out.push((status, code));
    }
    Ok(out)
}

/// Comma-separated values per variant, none empty and no value claimed twice.
pub(super) fn value_lists<T: Copy>(
    section: &str,
    given: &[(T, &str, &String)],
) -> Result<Vec<(T, Vec<String>)>, String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (variant, key, value) in given {
        let values: Vec<String> = value
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(format!("store.{section}.{key} must be set"));
        }
        if let Some(dup) = values.iter().find(|v| seen.contains(v)) {
            return Err(format!(
                "store.{section}.{key}: {dup:?} is given for two {section}"
            ));
        }
        seen.extend(values.iter().cloned());
        out.push((*variant, values));
    }
    Ok(out)
}

pub(super) fn first<T: Copy + PartialEq>(lists: &[(T, Vec<String>)], which: T) -> &str {
    lists
        .iter()
        .find(|(k, _)| *k == which)
        .map_or("", |(_, v)| v[0].as_str())
}

pub(super) fn lookup<T: Copy>(lists: &[(T, Vec<String>)], text: &str) -> Option<T> {
    let t = text.trim();
    lists
        .iter()
        .find(|(_, vs)| vs.iter().any(|v| v == t))
        .map(|(k, _)| *k)
}

/// `*` matches any run of characters; everything else matches itself.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}
