//! The in-memory database: records per object plus the schema they are checked against, and
//! tombstones of deleted records.

mod index;
mod refresh;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::record::{Record, key_prefix, make_id, object_for_prefix, sf_now, value_text};
use crate::schema::Schema;
use index::{Index, indexed};

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
    index: Index,
    /// Id of each deleted record -> its object, so reads can tell ENTITY_IS_DELETED from NOT_FOUND.
    deleted: BTreeMap<String, String>,
    /// Multiple currencies turned on (`crate::currency`).
    pub multi_currency: bool,
}

#[derive(Clone, Debug)]
struct Journal {
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
            index: Index::default(),
            deleted: BTreeMap::new(),
            multi_currency: false,
        };
        let mut fields = Map::new();
        fields.insert("Name".into(), json!("Standard Price Book"));
        fields.insert("IsActive".into(), json!(true));
        fields.insert("IsStandard".into(), json!(true));
        store.standard_pricebook = store.insert_new("Pricebook2", fields);
        crate::currency::set_org_currency(&mut store, "USD");
        for (status, category) in [
            ("Draft", crate::orders::StatusCategory::Draft),
            ("Activated", crate::orders::StatusCategory::Activated),
        ] {
            crate::orders::add_status(&mut store, status, category);
        }
        store
    }

    pub fn standard_pricebook(&self) -> &str {
        &self.standard_pricebook
    }

    /// Starts recording changes so `rollback` can undo them (one graph = one transaction).
    pub fn begin(&mut self) {
        self.journal = Some(Journal { undo: Vec::new() });
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
        for (object, id, prior) in journal.undo.into_iter().rev() {
            let rows = self.objects.entry(object).or_default();
            if let Some(current) = rows.remove(&id) {
                self.index.remove(&current);
            }
            if let Some(record) = prior {
                // A record that existed before the transaction is no longer deleted.
                self.deleted.remove(&id);
                self.index.add(&record);
                rows.insert(id, record);
            }
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
        let rows = self
            .objects
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(object))
            .map(|(_, rows)| rows)?;
        lookup(rows, id)
    }

    /// Looks a record up by id in any object (a reference field may point anywhere).
    pub fn find_by_id(&self, id: &str) -> Option<&Record> {
        let standard = object_for_prefix(id);
        self.objects
            .iter()
            .filter(|(name, _)| standard.is_none_or(|s| s == name.as_str()))
            .find_map(|(_, rows)| lookup(rows, id))
    }

    /// Records whose `field` has the text `value` (exact, case-sensitive match).
    pub fn find(&self, object: &str, field: &str, value: &str) -> Vec<&Record> {
        if indexed(field) {
            return self
                .index
                .ids(object, field, value)
                .filter_map(|id| self.get(object, id))
                .collect();
        }
        self.records(object)
            .filter(|r| {
                r.get(field)
                    .and_then(value_text)
                    .is_some_and(|t| t == value)
            })
            .collect()
    }

    /// Inserts a record with a fresh id and audit timestamps; returns the id.
    /// Callers have checked the object exists (an API write) or name a standard one.
    pub fn insert_new(&mut self, object: &str, mut fields: Map<String, Value>) -> String {
        let object = self
            .schema
            .object(object)
            .map_or_else(|| object.to_string(), |o| o.name.clone());
        let id = make_id(key_prefix(&object), self.next_id);
        self.next_id += 1;
        let now = sf_now();
        fields.insert("Id".into(), json!(id));
        fields.insert("CreatedDate".into(), json!(now));
        fields.insert("LastModifiedDate".into(), json!(now));
        fields.insert("SystemModstamp".into(), json!(now));
        if let Some(journal) = &mut self.journal {
            journal.undo.push((object.clone(), id.clone(), None));
        }
        let record = Record {
            object: object.clone(),
            id: id.clone(),
            fields,
        };
        self.index.add(&record);
        self.objects
            .entry(object)
            .or_default()
            .insert(id.clone(), record);
        id
    }

    /// Merges `fields` into an existing record and bumps its modification stamps.
    /// Returns false when no such record exists.
    pub fn merge(&mut self, object: &str, id: &str, fields: Map<String, Value>) -> bool {
        let Some((canonical, key)) = self.locate(object, id) else {
            return false;
        };
        let Some(record) = self
            .objects
            .get_mut(&canonical)
            .and_then(|r| r.get_mut(&key))
        else {
            return false;
        };
        self.index.remove(record);
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
        self.index.add(record);
        true
    }
}

impl Store {
    /// The canonical object name and stored key of record `id` of `object`, if it exists.
    fn locate(&self, object: &str, id: &str) -> Option<(String, String)> {
        let canonical = self.schema.object(object)?.name.clone();
        let key = lookup(self.objects.get(&canonical)?, id)?.id.clone();
        Some((canonical, key))
    }

    /// Deletes a record and keeps its tombstone (both undone by `rollback`). Returns false when
    /// no such record exists.
    pub fn remove(&mut self, object: &str, id: &str) -> bool {
        let Some((canonical, key)) = self.locate(object, id) else {
            return false;
        };
        let Some(record) = self
            .objects
            .get_mut(&canonical)
            .and_then(|r| r.remove(&key))
        else {
            return false;
        };
        self.index.remove(&record);
        self.deleted.insert(key.clone(), canonical.clone());
        if let Some(journal) = &mut self.journal {
            journal.undo.push((canonical, key, Some(record)));
        }
        true
    }

    /// Whether `id` (15 or 18 chars) names a deleted record of `object`.
    pub fn is_deleted(&self, object: &str, id: &str) -> bool {
        let found = match id.len() {
            15 => self
                .deleted
                .range(id.to_string()..)
                .next()
                .filter(|(stored, _)| same_id(stored, id)),
            _ => self.deleted.get_key_value(id),
        };
        found.is_some_and(|(_, o)| o.eq_ignore_ascii_case(object))
    }

    /// Whether `field` of `object` holds another record's id: `Id` itself, a declared reference,
    /// or a field named `...Id` as the standard objects name theirs.
    pub fn is_reference(&self, object: &str, field: &str) -> bool {
        field.ends_with("Id")
            || self
                .schema
                .field(object, field)
                .is_some_and(|f| f.ftype == "reference")
    }

    /// Every record of every object.
    pub fn all_records(&self) -> impl Iterator<Item = &Record> {
        self.objects.values().flat_map(BTreeMap::values)
    }
}

/// Finds a record by its 18-char id, or by the 15-char prefix of one.
fn lookup<'a>(rows: &'a BTreeMap<String, Record>, id: &str) -> Option<&'a Record> {
    if id.len() == 15 {
        return rows
            .range(id.to_string()..)
            .next()
            .map(|(_, r)| r)
            .filter(|r| same_id(&r.id, id));
    }
    rows.get(id)
}

/// 15-char ids are the case-sensitive prefix of the 18-char form.
pub(crate) fn same_id(stored: &str, given: &str) -> bool {
    match given.len() {
        15 => stored.get(..15) == Some(given),
        _ => stored == given,
    }
}
