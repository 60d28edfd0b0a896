//! What Salesforce holds of sent orders, read in bulk for `reconcile`: each Opportunity with its
//! Quotes and their lines, each Order with its products (found by External ID, so records
//! re-created, merged or duplicated show as they are), and the keys of every record order-sync
//! writes (for records naming an order the store does not have).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::queries::in_lists;
use super::{Salesforce, SfError};

/// Keys per IN list: one answer page of parents with their children.
const KEYS_PER_QUERY: usize = 300;

/// A line item as Salesforce holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldLine {
    pub id: String,
    pub key: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
}

/// A Quote with its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldQuote {
    pub id: String,
    pub key: Option<String>,
    pub lines: Vec<HeldLine>,
}

/// An Opportunity with its Quotes.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOpportunity {
    pub id: String,
    pub amount: Option<Decimal>,
    pub stage: Option<String>,
    pub account: Option<String>,
    pub quotes: Vec<HeldQuote>,
}

/// An Order with its products.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOrder {
    pub id: String,
    pub status: Option<String>,
    /// The status's category: only `Draft` Orders may have their header and products changed.
    pub status_code: Option<String>,
    pub opportunity: Option<String>,
    pub account: Option<String>,
    pub lines: Vec<HeldLine>,
}

/// What a survey found, by External ID value (more than one record under a key is a duplicate).
#[derive(Debug, Default)]
pub struct Held {
    pub opportunities: HashMap<String, Vec<HeldOpportunity>>,
    pub orders: HashMap<String, Vec<HeldOrder>>,
    /// Every Opportunity and Order key in the org (created since the survey's date), when asked.
    pub keys_in_org: Option<(Vec<String>, Vec<String>)>,
}

fn text(v: &Value, field: &str) -> Option<String> {
    match v.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn number(v: &Value, field: &str) -> Option<Decimal> {
    match v.get(field)? {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The records of a child relationship (`null` when there are none).
fn children<'a>(v: &'a Value, relationship: &str) -> &'a [Value] {
    v.get(relationship)
        .and_then(|r| r.get("records"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

impl Salesforce {
    /// Reads the records of the orders keyed `opportunity_keys` / `order_keys`; with
    /// `scan_since`, also every key order-sync's records carry (created since that time, or
    /// all). A handful of queries per thousand orders, five per call.
    pub async fn survey(
        &self,
        opportunity_keys: &[String],
        order_keys: &[String],
        scan_since: Option<Option<DateTime<Utc>>>,
    ) -> Result<Held, SfError> {
        let f = &self.settings.fields;
        let (ok, lk) = (&f.order_external_id, &f.line_external_id);
        let lines = format!("SELECT Id, {lk}, Quantity, UnitPrice");
        let opp_lists = in_lists(opportunity_keys, KEYS_PER_QUERY);
        let order_lists = in_lists(order_keys, KEYS_PER_QUERY);
        let mut soqls: Vec<String> = opp_lists
            .iter()
            .map(|l| {
                format!(
                    "SELECT Id, {ok}, Amount, StageName, AccountId, (SELECT Id, {ok}, ({lines} \
                     FROM QuoteLineItems) FROM Quotes) FROM Opportunity WHERE {ok} IN ({l})"
                )
            })
            .collect();
        soqls.extend(order_lists.iter().map(|l| {
            format!(
                "SELECT Id, {ok}, Status, StatusCode, OpportunityId, AccountId, \
                 ({lines} FROM OrderItems) FROM Order WHERE {ok} IN ({l})"
            )
        }));
        if let Some(since) = scan_since {
            let created = since.map_or(String::new(), |t| {
                format!(" AND CreatedDate >= {}", t.format("%Y-%m-%dT%H:%M:%SZ"))
            });
            for object in ["Opportunity", "Order"] {
                soqls.push(format!(
                    "SELECT {ok} FROM {object} WHERE {ok} != null{created}"
                ));
            }
        }
        let mut answers = self.query_all(&soqls).await?.into_iter();
        let mut held = Held::default();
        for row in answers.by_ref().take(opp_lists.len()).flatten() {
            let Some(key) = text(&row, ok) else { continue };
            let opp = opportunity(&row, ok, lk);
            held.opportunities.entry(key).or_default().push(opp);
        }
        for row in answers.by_ref().take(order_lists.len()).flatten() {
            let Some(key) = text(&row, ok) else { continue };
            let order = HeldOrder {
                id: text(&row, "Id").unwrap_or_default(),
                status: text(&row, "Status"),
                status_code: text(&row, "StatusCode"),
                opportunity: text(&row, "OpportunityId"),
                account: text(&row, "AccountId"),
                lines: line_items(&row, "OrderItems", lk),
            };
            held.orders.entry(key).or_default().push(order);
        }
        if scan_since.is_some() {
            let keys = |rows: Option<Vec<Value>>| -> Vec<String> {
                rows.unwrap_or_default()
                    .iter()
                    .filter_map(|r| text(r, ok))
                    .collect()
            };
            let (opps, orders) = (keys(answers.next()), keys(answers.next()));
            held.keys_in_org = Some((opps, orders));
        }
        Ok(held)
    }
}

fn opportunity(row: &Value, ok: &str, lk: &str) -> HeldOpportunity {
    HeldOpportunity {
        id: text(row, "Id").unwrap_or_default(),
        amount: number(row, "Amount"),
        stage: text(row, "StageName"),
        account: text(row, "AccountId"),
        quotes: children(row, "Quotes")
            .iter()
            .map(|q| HeldQuote {
                id: text(q, "Id").unwrap_or_default(),
                key: text(q, ok),
                lines: line_items(q, "QuoteLineItems", lk),
            })
            .collect(),
    }
}

fn line_items(row: &Value, relationship: &str, lk: &str) -> Vec<HeldLine> {
    children(row, relationship)
        .iter()
        .map(|l| HeldLine {
            id: text(l, "Id").unwrap_or_default(),
            key: text(l, lk),
            quantity: number(l, "Quantity"),
            unit_price: number(l, "UnitPrice"),
        })
        .collect()
}
