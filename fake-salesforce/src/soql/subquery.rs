//! Parent-to-child subqueries: `(SELECT ... FROM Quotes)` inside a query on Opportunity. Each
//! child relationship becomes a field holding `{totalSize, done, records}`, or null without
//! children. Children of all parents come from one scan of the child object, so a 2,000-row
//! page costs one pass per subquery and level, not one per parent.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::exec::{Plan, project_all};
use super::parse::Query;
use crate::error::ApiError;
use crate::record::Record;
use crate::relationships::{CHILD_RELATIONSHIPS, ChildRelationship};
use crate::store::Store;

/// Levels of parent-to-child relationships, the root counted as the first (API v58.0 and later).
const MAX_LEVELS: usize = 5;
/// The same before API v58.0: one level of subqueries.
const MAX_LEVELS_BEFORE_V58: usize = 2;
/// Parent-to-child relationships one query may name.
const MAX_SUBQUERIES: usize = 20;

/// Refuses queries nested deeper than the API version allows, or with too many subqueries.
pub(super) fn check_depth(version: &str, q: &Query) -> Result<(), ApiError> {
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(u32::MAX);
    let allowed = if major >= 58 {
        MAX_LEVELS
    } else {
        MAX_LEVELS_BEFORE_V58
    };
    let malformed = |msg: String| Err(ApiError::bad("MALFORMED_QUERY", msg));
    if levels(q) > allowed {
        return malformed(format!(
            "SOQL statements cannot query more than {allowed} levels of parent-to-child relationships in API version {version}"
        ));
    }
    if subqueries(q) > MAX_SUBQUERIES {
        return malformed(format!(
            "SOQL statements cannot query more than {MAX_SUBQUERIES} parent-to-child relationships"
        ));
    }
    Ok(())
}

fn levels(q: &Query) -> usize {
    1 + q.children.iter().map(levels).max().unwrap_or(0)
}

fn subqueries(q: &Query) -> usize {
    q.children.iter().map(|c| 1 + subqueries(c)).sum()
}

/// The child relationship `name` of `parent`, as Salesforce reports an unknown one.
fn relationship(parent: &str, name: &str) -> Result<&'static ChildRelationship, ApiError> {
    CHILD_RELATIONSHIPS
        .iter()
        .find(|r| r.parent == parent && r.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let msg = format!(
                "Didn't understand relationship '{name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
            );
            ApiError::bad("INVALID_TYPE", msg)
        })
}

/// Runs subquery `sub` for `parents` (rows of `object`) and stores each parent's children in
/// the matching map of `out`, under the relationship's name.
pub(super) fn attach(
    store: &Store,
    version: &str,
    object: &str,
    parents: &[&Record],
    sub: &Query,
    out: &mut [Map<String, Value>],
) -> Result<(), ApiError> {
    let rel = relationship(object, &sub.object)?;
    let plan = Plan::new(store, rel.child, sub)?;
    let groups = children_by_parent(store, rel, parents, sub, &plan);
    let flat: Vec<&Record> = groups.iter().flatten().copied().collect();
    let mut projected = project_all(store, version, &flat, sub, &plan)?.into_iter();
    for (map, group) in out.iter_mut().zip(&groups) {
        let records: Vec<Value> = projected
            .by_ref()
            .take(group.len())
            .map(Value::Object)
            .collect();
        let field = match records.len() {
            0 => Value::Null,
            n => json!({"totalSize": n, "done": true, "records": records}),
        };
        map.insert(rel.name.to_string(), field);
    }
    Ok(())
}

/// For each parent, in order, its children that pass the subquery's WHERE, sorted and limited.
fn children_by_parent<'a>(
    store: &'a Store,
    rel: &ChildRelationship,
    parents: &[&Record],
    sub: &Query,
    plan: &Plan,
) -> Vec<Vec<&'a Record>> {
    let position: HashMap<&str, usize> = parents
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut groups: Vec<Vec<&Record>> = vec![Vec::new(); parents.len()];
    for child in store.records(rel.child) {
        let parent = child.get(rel.field).and_then(Value::as_str);
        if let Some(&i) = parent.and_then(|p| position.get(p))
            && plan.keeps(store, child, sub)
        {
            groups[i].push(child);
        }
    }
    for group in &mut groups {
        plan.arrange(store, group, sub);
    }
    groups
}
