//! The repair loop's reads: completed evaluations since a watermark, accepted quotes and their lines.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::Salesforce;
use super::error::SfError;
use super::wire::soql_literal;
use crate::config::RepairSettings;

/// An evaluation marked complete in Salesforce.
#[derive(Debug, Clone)]
pub struct CompletedEvaluation {
    /// The store order id the record is keyed by.
    pub order_key: i64,
    pub record_id: String,
    pub modified_at: DateTime<Utc>,
}

/// A quote the customer accepted, with its priced lines.
#[derive(Debug, Clone)]
pub struct AcceptedQuote {
    pub order_key: i64,
    pub quote_id: String,
    pub lines: Vec<QuoteLine>,
}

#[derive(Debug, Clone)]
pub struct QuoteLine {
    pub sku: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn decimal_field(v: &Value, name: &str) -> Option<Decimal> {
    match v.get(name)? {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

impl Salesforce {
    /// Records whose evaluation field says complete, modified at or after `since`, oldest first.
    pub async fn completed_evaluations(
        &self,
        r: &RepairSettings,
        since: DateTime<Utc>,
    ) -> Result<Vec<CompletedEvaluation>, SfError> {
        let key = &self.settings.fields.order_external_id;
        let soql = format!(
            "SELECT Id, {key}, SystemModstamp FROM {obj} WHERE {field} = {value} AND {key} != null \
             AND SystemModstamp >= {since} ORDER BY SystemModstamp",
            obj = r.evaluation_object,
            field = r.evaluation_field,
            value = soql_literal(&r.evaluation_complete_value),
            since = since.format("%Y-%m-%dT%H:%M:%SZ"),
        );
        let rows = self.inner.query(&soql).await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let order_key = str_field(row, key)?.trim().parse().ok()?;
                let modified_at = str_field(row, "SystemModstamp")
                    .and_then(|t| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z").ok())?
                    .with_timezone(&Utc);
                Some(CompletedEvaluation {
                    order_key,
                    record_id: str_field(row, "Id")?.to_string(),
                    modified_at,
                })
            })
            .collect())
    }

    /// Accepted quotes for `order_keys`, with their lines (two queries, whatever the count).
    pub async fn accepted_quotes(
        &self,
        r: &RepairSettings,
        order_keys: &[i64],
    ) -> Result<Vec<AcceptedQuote>, SfError> {
        if order_keys.is_empty() {
            return Ok(Vec::new());
        }
        let key = &self.settings.fields.order_external_id;
        let keys: Vec<String> = order_keys
            .iter()
            .map(|k| soql_literal(&k.to_string()))
            .collect();
        let soql = format!(
            "SELECT Id, {key} FROM Quote WHERE Status = {} AND {key} IN ({})",
            soql_literal(&r.quote_accepted_status),
            keys.join(",")
        );
        let quotes = self.inner.query(&soql).await?;
        let mut out: Vec<AcceptedQuote> = quotes
            .iter()
            .filter_map(|q| {
                let order_key = str_field(q, key)?.trim().parse().ok()?;
                Some(AcceptedQuote {
                    order_key,
                    quote_id: str_field(q, "Id")?.to_string(),
                    lines: Vec::new(),
                })
            })
            .collect();
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = out.iter().map(|q| soql_literal(&q.quote_id)).collect();
        let soql = format!(
            "SELECT QuoteId, Product2.ProductCode, Quantity, UnitPrice FROM QuoteLineItem WHERE QuoteId IN ({})",
            ids.join(",")
        );
        for line in self.inner.query(&soql).await? {
            let Some(quote) = out
                .iter_mut()
                .find(|q| str_field(&line, "QuoteId") == Some(q.quote_id.as_str()))
            else {
                continue;
            };
            quote.lines.push(QuoteLine {
                sku: line
                    .get("Product2")
                    .and_then(|p| str_field(p, "ProductCode"))
                    .map(str::to_string),
                quantity: decimal_field(&line, "Quantity"),
                unit_price: decimal_field(&line, "UnitPrice"),
            });
        }
        Ok(out)
    }
}
