//! Which records of a re-sent order already exist: line items and quotes take their parent and
//! price-book entry on insert only, so a re-send must leave those fields out of an update; and
//! an activated Order (its header and products locked) is left alone.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::Salesforce;
use super::error::SfError;
use super::objects::{MODEL, SfObject};
use super::queries::in_lists;
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

    /// Looks up what exists for the `resent` orders and the reissued ones of `all` (their quote
    /// is the one the customer accepted, unless an admin deleted it since): one query per model
    /// object with insert-only fields and one for activated Orders per few hundred orders, five
    /// queries per call; none when no order is either.
    pub async fn find(
        sf: &Salesforce,
        s: &SalesforceSettings,
        all: &[&Order],
        resent: &[&Order],
    ) -> Result<Existing, SfError> {
        let mut existing = Existing::default();
        let reissued = all
            .iter()
            .filter(|o| o.reissue_of.is_some() && !resent.iter().any(|r| r.id == o.id));
        let resent: Vec<&Order> = resent.iter().copied().chain(reissued.copied()).collect();
        if resent.is_empty() {
            return Ok(existing);
        }
        let mut soqls = Vec::new();
        let mut of_query = Vec::new();
        for m in MODEL.iter().filter(|m| !m.insert_only.is_empty()) {
            let keys: Vec<String> = resent.iter().flat_map(|o| m.key.values(o)).collect();
            let field = m.key.field(&s.fields);
            for list in in_lists(&keys, PER_QUERY) {
                soqls.push(format!(
                    "SELECT {field} FROM {} WHERE {field} IN ({list})",
                    m.name
                ));
                of_query.push(Some(m.object));
            }
        }
        let order = SfObject::Order.model();
        let order_keys: Vec<String> = resent
            .iter()
            .filter(|o| order.on_route(o.route()))
            .map(|o| order.key.value(o, None))
            .collect();
        let field = order.key.field(&s.fields);
        for list in in_lists(&order_keys, PER_QUERY) {
            soqls.push(format!(
                "SELECT Id, {field}, StatusCode FROM Order WHERE {field} IN ({list})"
            ));
            of_query.push(None);
        }
        let answers = sf.query_all(&soqls).await?;
        for (object, rows) in of_query.into_iter().zip(answers) {
            match object {
                Some(object) => {
                    let field = object.key_field(&s.fields);
                    let found = existing.found.entry(object).or_default();
                    found.extend(rows.iter().filter_map(|r| text(r, field)));
                }
                None => existing.activated_orders.extend(activated(&rows, field)),
            }
        }
        Ok(existing)
    }
}

fn text(row: &Value, field: &str) -> Option<String> {
    row.get(field).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// The Orders among `rows` whose status is in the Activated category: External ID → Id.
fn activated(rows: &[Value], field: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for row in rows {
        // Draft is the only category whose header and products may change.
        if text(row, "StatusCode").is_some_and(|c| c != "Draft")
            && let (Some(key), Some(id)) = (text(row, field), text(row, "Id"))
        {
            found.insert(key, id);
        }
    }
    found
}
