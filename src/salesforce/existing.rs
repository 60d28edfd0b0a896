//! Which records of a re-sent order already exist: line items and quotes take their parent and
//! price-book entry on insert only, so a re-send must leave those fields out of an update; and
//! an activated Order (its header and products locked) is left alone.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::client::Inner;
use super::error::SfError;
use super::objects::{MODEL, SfObject};
use super::wire::soql_literal;
use crate::config::SalesforceSettings;
use crate::domain::{Order, OrderId};

/// Records known to exist, by the External ID value they are keyed by.
#[derive(Debug, Default, Clone)]
pub struct Existing {
    /// Per object with insert-only fields (the model's), the key values found.
    found: HashMap<SfObject, HashSet<String>>,
    /// Orders in an Activated-category status: their Salesforce id, by External ID value.
    pub activated_orders: HashMap<String, String>,
}

/// Values per SOQL IN list, so the query URL stays short.
const PER_QUERY: usize = 200;

impl Existing {
    /// Whether the `object` keyed `key` exists.
    pub fn has(&self, object: SfObject, key: &str) -> bool {
        self.found.get(&object).is_some_and(|f| f.contains(key))
    }

    /// The Salesforce id of the order's Order when it is activated (then left alone).
    pub fn activated_order(&self, id: OrderId) -> Option<&str> {
        self.activated_orders
            .get(&id.to_string())
            .map(String::as_str)
    }

    /// Looks up what exists for the `resent` orders: one query per model object with insert-only
    /// fields and one for activated Orders, whatever their number, none when nothing is re-sent.
    /// A reissued order's quote exists: the customer accepted it.
    pub async fn find(
        sf: &Inner,
        s: &SalesforceSettings,
        all: &[&Order],
        resent: &[&Order],
    ) -> Result<Existing, SfError> {
        let mut existing = Existing::default();
        let quote = SfObject::Quote.model().key;
        existing.found.entry(SfObject::Quote).or_default().extend(
            all.iter()
                .filter(|o| o.reissue_of.is_some())
                .map(|o| quote.value(o, None)),
        );
        if resent.is_empty() {
            return Ok(existing);
        }
        for m in MODEL.iter().filter(|m| !m.insert_only.is_empty()) {
            let keys: Vec<String> = resent.iter().flat_map(|o| m.key.values(o)).collect();
            let field = m.key.field(&s.fields);
            let found = present(sf, m.name, field, &keys).await?;
            existing.found.entry(m.object).or_default().extend(found);
        }
        let order = SfObject::Order.model();
        let order_keys: Vec<String> = resent
            .iter()
            .filter(|o| order.on_route(o.route()))
            .map(|o| order.key.value(o, None))
            .collect();
        let field = order.key.field(&s.fields);
        existing.activated_orders = activated(sf, field, &order_keys).await?;
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
