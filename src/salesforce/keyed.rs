//! Records found by External ID, in bulk: the ids Salesforce holds now under orders' keys, for
//! the records a stored id no longer reaches (a sandbox refresh, a merge, a delete) and for
//! orders whose send was never recorded. One query per object and few hundred keys, five
//! queries a call, whatever the number of orders.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::objects::SfObject;
use super::queries::in_lists;
use super::{Salesforce, SfError};

/// Keys per IN list: one answer page, and a WHERE clause well under Salesforce's limit.
const KEYS_PER_QUERY: usize = 200;

/// The ids Salesforce holds per (object, External ID value); two or more under one key are
/// duplicates.
#[derive(Debug, Default, Clone)]
pub struct KeyedIds(HashMap<(SfObject, i64), Vec<String>>);

impl KeyedIds {
    /// The ids of the `object` records carrying `key`, oldest query row first.
    pub fn ids(&self, object: SfObject, key: i64) -> &[String] {
        self.0.get(&(object, key)).map_or(&[], Vec::as_slice)
    }

    /// Notes that `id` carries `key` (a query's row; tests build answers with it).
    pub fn with(mut self, object: SfObject, key: i64, id: &str) -> KeyedIds {
        self.0
            .entry((object, key))
            .or_default()
            .push(id.to_string());
        self
    }
}

impl Salesforce {
    /// The ids of the records carrying each wanted (object, key): one query per object per
    /// [`KEYS_PER_QUERY`] keys, sent five to a call. Nothing asked, nothing sent.
    pub async fn ids_by_key(&self, wanted: &[(SfObject, i64)]) -> Result<KeyedIds, SfError> {
        let mut per_object: BTreeMap<SfObject, BTreeSet<i64>> = BTreeMap::new();
        for (object, key) in wanted {
            per_object.entry(*object).or_default().insert(*key);
        }
        let mut soqls = Vec::new();
        let mut of_query = Vec::new();
        for (object, keys) in &per_object {
            let field = object.key_field(&self.settings.fields);
            let keys: Vec<String> = keys.iter().map(i64::to_string).collect();
            for list in in_lists(&keys, KEYS_PER_QUERY) {
                soqls.push(format!(
                    "SELECT Id, {field} FROM {} WHERE {field} IN ({list}) ORDER BY CreatedDate",
                    object.name()
                ));
                of_query.push(*object);
            }
        }
        let mut found = KeyedIds::default();
        if soqls.is_empty() {
            return Ok(found);
        }
        let answers = self.query_all(&soqls).await?;
        for (object, rows) in of_query.into_iter().zip(answers) {
            let field = object.key_field(&self.settings.fields);
            for row in rows {
                let key = match row.get(field) {
                    Some(Value::String(s)) => s.trim().parse().ok(),
                    Some(Value::Number(n)) => n.as_i64(),
                    _ => None,
                };
                if let (Some(key), Some(id)) = (key, row.get("Id").and_then(Value::as_str)) {
                    found = found.with(object, key, id);
                }
            }
        }
        Ok(found)
    }
}
