//! The in-memory database: records per object plus the schema they are checked against.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::record::{Record, key_prefix, make_id, object_for_prefix, sf_now, value_text};
use crate::schema::Schema;

#[derive(Clone, Debug)]
pub(crate) struct Store {
    pub schema: Schema,
    /// Canonical object name -> id -> record. Ids sort in creation order.
    objects: BTreeMap<String, BTreeMap<String, Record>>,
    next_id: u64,
    standard_pricebook: String,
    /// Open graph transaction, if any. An undo log instead of a cloned scratch store keeps
    /// big graph requests cheap when the org already holds many records.
    journal: Option<Journal>,
}

#[derive(Clone, Debug)]
struct Journal {
    schema: Schema,
    /// (object, id, record before the change); None means the record was inserted.
    undo: Vec<(String, String, Option<Record>)>,
}

impl Store {
    pub fn new() -> Self {
        let mut store = Store {
            schema: Schema::standard(),
            objects: BTreeMap::new(),
            next_id: 1,
            standard_pricebook: String::new(),
            journal: None,
        };
        let mut fields = Map::new();
        fields.insert("Name".into(), json!("Standard Price Book"));
        fields.insert("IsActive".into(), json!(true));
        fields.insert("IsStandard".into(), json!(true));
        store.standard_pricebook = store.insert_new("Pricebook2", fields);
        store
    }

    pub fn standard_pricebook(&self) -> &str {
        &self.standard_pricebook
    }

    /// Starts recording changes so `rollback` can undo them (one graph = one transaction).
    pub fn begin(&mut self) {
        self.journal = Some(Journal {
            schema: self.schema.clone(),
            undo: Vec::new(),
        });
    }

    pub fn commit(&mut self) {
        self.journal = None;
    }

    /// Undoes everything since `begin`. The id counter is not rewound, so ids handed out in
    /// a rolled-back graph are never reused, as in Salesforce.
    pub fn rollback(&mut self) {
        let Some(journal) = self.journal.take() else {
            return;
        };
        self.schema = journal.schema;
        for (object, id, prior) in journal.undo.into_iter().rev() {
            let rows = self.objects.entry(object).or_default();
            match prior {
                Some(record) => rows.insert(id, record),
                None => rows.remove(&id),
            };
        }
    }

    pub fn records(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.objects
            .iter()
            .filter(move |(name, _)| name.eq_ignore_ascii_case(object))
            .flat_map(|(_, rows)| rows.values())
    }

    /// Looks a record up by 15- or 18-char id within one object.
    pub fn get(&self, object: &str, id: &str) -> Option<&Record> {
        self.records(object).find(|r| same_id(&r.id, id))
    }

    /// Looks a record up by id in any object (a reference field may point anywhere).
    pub fn find_by_id(&self, id: &str) -> Option<&Record> {
        let standard = object_for_prefix(id);
        self.objects
            .iter()
            .filter(|(name, _)| standard.is_none_or(|s| s == name.as_str()))
            .flat_map(|(_, rows)| rows.values())
            .find(|r| same_id(&r.id, id))
    }

    /// Records whose `field` has the text `value` (exact, case-sensitive match).
    pub fn find(&self, object: &str, field: &str, value: &str) -> Vec<&Record> {
        self.records(object)
            .filter(|r| {
                r.get(field)
                    .and_then(value_text)
                    .is_some_and(|t| t == value)
            })
            .collect()
    }

    /// Inserts a record with a fresh id and audit timestamps; returns the id.
    pub fn insert_new(&mut self, object: &str, mut fields: Map<String, Value>) -> String {
        let object = self.schema.ensure_object(object);
        let id = make_id(key_prefix(&object), self.next_id);
        self.next_id += 1;
        let now = sf_now();
        fields.insert("Id".into(), json!(id));
        fields.insert("CreatedDate".into(), json!(now));
        fields.insert("LastModifiedDate".into(), json!(now));
        fields.insert("SystemModstamp".into(), json!(now));
        for (k, v) in &fields {
            self.schema.note_written(&object, k, v);
        }
        if let Some(journal) = &mut self.journal {
            journal.undo.push((object.clone(), id.clone(), None));
        }
        let record = Record {
            object: object.clone(),
            id: id.clone(),
            fields,
        };
        self.objects
            .entry(object)
            .or_default()
            .insert(id.clone(), record);
        id
    }

    /// Merges `fields` into an existing record and bumps its modification stamps.
    /// Returns false when no such record exists.
    pub fn merge(&mut self, object: &str, id: &str, fields: Map<String, Value>) -> bool {
        let Some(canonical) = self.schema.object(object).map(|o| o.name.clone()) else {
            return false;
        };
        for (k, v) in &fields {
            self.schema.note_written(&canonical, k, v);
        }
        let Some(rows) = self.objects.get_mut(&canonical) else {
            return false;
        };
        let Some(record) = rows.values_mut().find(|r| same_id(&r.id, id)) else {
            return false;
        };
        if let Some(journal) = &mut self.journal {
            journal
                .undo
                .push((canonical.clone(), record.id.clone(), Some(record.clone())));
        }
        for (k, v) in fields {
            record.fields.insert(k, v);
        }
        let now = sf_now();
        record.fields.insert("LastModifiedDate".into(), json!(now));
        record.fields.insert("SystemModstamp".into(), json!(now));
        true
    }
}

/// 15-char ids are the case-sensitive prefix of the 18-char form.
pub(crate) fn same_id(stored: &str, given: &str) -> bool {
    match given.len() {
        15 => stored.get(..15) == Some(given),
        _ => stored == given,
    }
}
