//! What deleting or merging records does to the records around them, read from the catalog's
//! child relationships.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::record::Record;
use crate::relationships::{CHILD_RELATIONSHIPS, OnDelete};
use crate::store::Store;

/// Deletes record `id` of `object`, the children its relationships cascade to, and clears every
/// other reference to a deleted record. Returns false when there is no such record.
pub(crate) fn delete(store: &mut Store, object: &str, id: &str) -> bool {
    let Some(root) = store.get(object, id).cloned() else {
        return false;
    };
    let doomed = with_cascaded_children(store, root);
    let ids: HashSet<String> = doomed.iter().map(|r| r.id.clone()).collect();
    for record in &doomed {
        store.remove(&record.object, &record.id);
    }
    rewrite_references(store, &ids, &Value::Null);
    true
}

/// `root` and, depth first, every record a Cascade relationship takes with it.
fn with_cascaded_children(store: &Store, root: Record) -> Vec<Record> {
    let mut seen = HashSet::new();
    let mut doomed = Vec::new();
    let mut queue = vec![root];
    while let Some(record) = queue.pop() {
        if !seen.insert(record.id.clone()) {
            continue;
        }
        let cascades = CHILD_RELATIONSHIPS
            .iter()
            .filter(|r| r.parent == record.object && r.on_delete == OnDelete::Cascade);
        for rel in cascades {
            let children = store.find(rel.child, rel.field, &record.id);
            queue.extend(children.into_iter().cloned());
        }
        doomed.push(record);
    }
    doomed
}

/// Points every reference to `loser` at `winner`, then deletes `loser` (its tombstone stays).
/// Panics unless both are distinct Accounts, as anything else is a test bug.
pub(crate) fn merge_accounts(store: &mut Store, winner: &str, loser: &str) {
    let find = |id: &str| store.get("Account", id).map(|r| r.id.clone());
    let (Some(winner), Some(loser)) = (find(winner), find(loser)) else {
        panic!("merge_accounts: {winner} and {loser} must both be Accounts");
    };
    assert_ne!(
        winner, loser,
        "merge_accounts: an Account can't merge with itself"
    );
    rewrite_references(store, &HashSet::from([loser.clone()]), &json!(winner));
    store.remove("Account", &loser);
}

/// Sets every reference field naming one of `ids` to `value`, bumping the stamps of the records
/// changed (a reparented or unlinked child is modified in Salesforce too).
fn rewrite_references(store: &mut Store, ids: &HashSet<String>, value: &Value) {
    let changes: Vec<(String, String, Map<String, Value>)> = store
        .all_records()
        .filter_map(|record| {
            let fields: Map<String, Value> = record
                .fields
                .iter()
                .filter(|(field, v)| {
                    field.as_str() != "Id"
                        && v.as_str().is_some_and(|id| ids.contains(id))
                        && store.is_reference(&record.object, field)
                })
                .map(|(field, _)| (field.clone(), value.clone()))
                .collect();
            (!fields.is_empty()).then(|| (record.object.clone(), record.id.clone(), fields))
        })
        .collect();
    for (object, id, fields) in changes {
        store.merge(&object, &id, fields);
    }
}
