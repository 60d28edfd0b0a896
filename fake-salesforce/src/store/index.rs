//! The field index: (object, field, value) -> ids for custom (`__c`) fields and OrderId, so External
//! ID lookups and uniqueness checks stay cheap with a hundred thousand records (the chaos suite).

use std::collections::{BTreeSet, HashMap};

use crate::record::{Record, value_text};

type Key = (String, String, String);

#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    ids: HashMap<Key, BTreeSet<String>>,
}

fn key(object: &str, field: &str, value: &str) -> Key {
    (
        object.to_ascii_lowercase(),
        field.to_ascii_lowercase(),
        value.to_string(),
    )
}

/// Custom fields, and OrderId (an activation counts its Order's products).
pub(crate) fn indexed(field: &str) -> bool {
    (field.len() > 3 && field[field.len() - 3..].eq_ignore_ascii_case("__c"))
        || field.eq_ignore_ascii_case("OrderId")
}

impl Index {
    pub fn add(&mut self, record: &Record) {
        for (field, value) in record.fields.iter().filter(|(f, _)| indexed(f)) {
            if let Some(text) = value_text(value) {
                self.ids
                    .entry(key(&record.object, field, &text))
                    .or_default()
                    .insert(record.id.clone());
            }
        }
    }

    pub fn remove(&mut self, record: &Record) {
        for (field, value) in record.fields.iter().filter(|(f, _)| indexed(f)) {
            if let Some(text) = value_text(value) {
                let key = key(&record.object, field, &text);
                if let Some(ids) = self.ids.get_mut(&key) {
                    ids.remove(&record.id);
                    if ids.is_empty() {
                        self.ids.remove(&key);
                    }
                }
            }
        }
    }

    /// Ids of the records of `object` whose indexed `field` has the text `value`.
    pub fn ids(&self, object: &str, field: &str, value: &str) -> impl Iterator<Item = &String> {
        self.ids
            .get(&key(object, field, value))
            .into_iter()
            .flatten()
    }

    /// Forgets everything (before a rebuild).
    pub fn clear(&mut self) {
        self.ids.clear();
    }
}
