//! The store's values for statuses, payment methods and product kinds, checked and looked up.

use super::Code;
use crate::config::{StatusCodeType, StoreSettings};
use crate::domain::OrderStatus;

/// Codes one status may list (`completed = "5,3"`).
const MAX_CODES: usize = 8;

/// Each status's codes, the first being the one order-sync writes; no code stands for two.
pub(super) fn status_codes(s: &StoreSettings) -> Result<Vec<(OrderStatus, Vec<Code>)>, String> {
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
    let mut out: Vec<(OrderStatus, Vec<Code>)> = Vec::new();
    for (status, key, value) in given {
        let mut codes = Vec::new();
        for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            let code = match s.status_codes {
                StatusCodeType::Text => Code::Text(v.to_string()),
                StatusCodeType::Integer => Code::Int(v.parse().map_err(|_| {
                    format!("store.statuses.{key}: {v:?} is not an integer (store.status_codes = \"integer\")")
                })?),
            };
            let taken = out
                .iter()
                .find(|(_, cs)| cs.contains(&code))
                .map(|(o, _)| *o);
            if let Some(other) = taken.or(codes.contains(&code).then_some(status)) {
                return Err(format!(
                    "store.statuses.{key}: {v:?} is also a code of {other}; each code stands for one status"
                ));
            }
            codes.push(code);
        }
        if codes.is_empty() {
            return Err(format!("store.statuses.{key} must be set"));
        }
        if codes.len() > MAX_CODES {
            return Err(format!(
                "store.statuses.{key}: at most {MAX_CODES} codes per status, {} given",
                codes.len()
            ));
        }
        out.push((status, codes));
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
