//! Which records of a re-sent order already exist: line items and quotes take their parent and
//! price-book entry on insert only, so a re-send must leave those fields out of an update; and
//! an activated Order (its header and products locked) is left alone.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::client::Inner;
use super::error::SfError;
use super::wire::soql_literal;
use crate::config::SalesforceSettings;
use crate::domain::{Order, OrderId};

/// Records known to exist, by the External ID value they are keyed by.
#[derive(Debug, Default, Clone)]
pub struct Existing {
    pub quotes: HashSet<String>,
    pub quote_lines: HashSet<String>,
    pub order_items: HashSet<String>,
    /// Orders in an Activated-category status: their Salesforce id, by External ID value.
    pub activated_orders: HashMap<String, String>,
}

/// Values per SOQL IN list, so the query URL stays short.
const PER_QUERY: usize = 200;

impl Existing {
    /// The Salesforce id of the order's Order when it is activated (then left alone).
    pub fn activated_order(&self, id: OrderId) -> Option<&str> {
        self.activated_orders
            .get(&id.to_string())
            .map(String::as_str)
    }

    /// Looks up what exists for the `resent` orders (four queries whatever their number, none
    /// when nothing is re-sent). A reissued order's quote exists: the customer accepted it.
    pub async fn find(
        sf: &Inner,
        s: &SalesforceSettings,
        all: &[&Order],
        resent: &[&Order],
    ) -> Result<Existing, SfError> {
        let mut existing = Existing::default();
        for o in all.iter().filter(|o| o.reissue_of.is_some()) {
            existing.quotes.insert(o.opportunity_key.to_string());
        }
        let orders = resent;
        if orders.is_empty() {
            return Ok(existing);
        }
        let (f_order, f_line) = (&s.fields.order_external_id, &s.fields.line_external_id);
        let quote_keys: Vec<String> = orders
            .iter()
            .map(|o| o.opportunity_key.to_string())
            .collect();
        let line_keys: Vec<String> = orders
            .iter()
            .flat_map(|o| o.lines.iter().map(|l| l.id.to_string()))
            .collect();
        existing
            .quotes
            .extend(present(sf, "Quote", f_order, &quote_keys).await?);
        existing.quote_lines = present(sf, "QuoteLineItem", f_line, &line_keys).await?;
        existing.order_items = present(sf, "OrderItem", f_line, &line_keys).await?;
        let order_keys: Vec<String> = orders
            .iter()
            .filter(|o| o.route().creates_salesforce_order())
            .map(|o| o.id.to_string())
            .collect();
        existing.activated_orders = activated(sf, f_order, &order_keys).await?;
        Ok(existing)
    }
}

async fn present(
    sf: &Inner,
    object: &str,
    field: &str,
    keys: &[String],
) -> Result<HashSet<String>, SfError> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(PER_QUERY) {
        let list: Vec<String> = chunk.iter().map(|k| soql_literal(k)).collect();
        let soql = format!(
            "SELECT {field} FROM {object} WHERE {field} IN ({})",
            list.join(",")
        );
        for row in sf.query(&soql).await? {
            if let Some(v) = row.get(field) {
                found.insert(match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            }
        }
    }
    Ok(found)
}

/// The Orders among `keys` whose status is in the Activated category: External ID → Id.
async fn activated(
    sf: &Inner,
    field: &str,
    keys: &[String],
) -> Result<HashMap<String, String>, SfError> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(PER_QUERY) {
        let list: Vec<String> = chunk.iter().map(|k| soql_literal(k)).collect();
        let soql = format!(
            "SELECT Id, {field}, StatusCode FROM Order WHERE {field} IN ({})",
            list.join(",")
        );
        for row in sf.query(&soql).await? {
            let text = |f: &str| {
                row.get(f).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            };
            // Draft is the only category whose header and products may change.
            if text("StatusCode").is_some_and(|c| c != "Draft")
                && let (Some(key), Some(id)) = (text(field), text("Id"))
            {
                found.insert(key, id);
            }
        }
    }
    Ok(found)
}
