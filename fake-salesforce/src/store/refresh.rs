//! Sandbox refresh: every record gets a new id and every reference follows it.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::Store;
use crate::record::{key_prefix, make_id};

impl Store {
    /// Gives every record a fresh id (same key prefix, never one handed out before) and rewrites
    /// `Id` and every reference field to the new ids; other values (External IDs among them)
    /// stay. Old ids and tombstones are forgotten: an old id is simply unknown afterwards.
    pub fn reassign_ids(&mut self) {
        debug_assert!(self.journal.is_none(), "no refresh inside a transaction");
        let mut new_ids: HashMap<String, String> = HashMap::new();
        for (object, rows) in &self.objects {
            for old in rows.keys() {
                new_ids.insert(old.clone(), make_id(key_prefix(object), self.next_id));
                self.next_id += 1;
            }
        }
        let objects = std::mem::take(&mut self.objects);
        self.index.clear();
        for (object, rows) in objects {
            let mut renamed = BTreeMap::new();
            for (_, mut record) in rows {
                for (field, value) in record.fields.iter_mut() {
                    let target = value.as_str().and_then(|old| new_ids.get(old));
                    if let Some(new) = target.filter(|_| self.is_reference(&object, field)) {
                        *value = json!(new);
                    }
                }
                record.id = new_ids[&record.id].clone();
                self.index.add(&record);
                renamed.insert(record.id.clone(), record);
            }
            self.objects.insert(object, renamed);
        }
        self.deleted.clear();
        if let Some(book) = new_ids.get(&self.standard_pricebook) {
            self.standard_pricebook = book.clone();
        }
    }
}
