//! Runs a parsed SOQL query against the store: filtering, sorting, LIMIT/OFFSET and projection,
//! with parent-to-child subqueries attached by `subquery`.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::compare::{compare_values, matches};
use super::parse::{Expr, Op, Query};
use super::path::{Path, parent, resolve, value_of};
use crate::error::ApiError;
use crate::ops::attributes;
use crate::record::Record;
use crate::store::Store;

/// A query (or subquery) bound to its object: every field it names, resolved.
pub(super) struct Plan {
    pub object: String,
    paths: HashMap<String, Path>,
}

impl Plan {
    /// Resolves the fields `q` selects, filters and sorts on against `object`.
    pub fn new(store: &Store, object: &str, q: &Query) -> Result<Plan, ApiError> {
        let mut names: Vec<&str> = q.fields.iter().map(String::as_str).collect();
        if let Some(f) = &q.filter {
            collect_fields(f, &mut names);
        }
        names.extend(q.order.iter().map(|k| k.field.as_str()));
        let mut paths = HashMap::new();
        for name in names {
            paths.insert(name.to_string(), resolve(store, object, name)?);
        }
        Ok(Plan {
            object: object.to_string(),
            paths,
        })
    }

    /// Whether `record` passes the WHERE clause of `q`.
    pub fn keeps(&self, store: &Store, record: &Record, q: &Query) -> bool {
        q.filter
            .as_ref()
            .is_none_or(|f| eval(store, record, f, &self.paths))
    }

    /// Sorts by ORDER BY, then applies OFFSET and LIMIT.
    pub fn arrange(&self, store: &Store, rows: &mut Vec<&Record>, q: &Query) {
        if !q.order.is_empty() {
            rows.sort_by(|a, b| order(store, a, b, q, &self.paths));
        }
        rows.drain(..q.offset.min(rows.len()));
        rows.truncate(q.limit.unwrap_or(usize::MAX));
    }
}

/// Total matching rows (before LIMIT for COUNT()) and the projected rows.
pub(crate) fn execute(
    store: &Store,
    version: &str,
    q: &Query,
) -> Result<(usize, Vec<Value>), ApiError> {
    let object = store.schema.object(&q.object).map(|o| o.name.clone()).ok_or_else(|| {
        ApiError::bad("INVALID_FIELD", format!("sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.object))
    })?;
    super::subquery::check_depth(version, q)?;
    let plan = Plan::new(store, &object, q)?;
    let mut rows: Vec<&Record> = store
        .records(&object)
        .filter(|r| plan.keeps(store, r, q))
        .collect();
    if q.count {
        return Ok((rows.len(), Vec::new()));
    }
    plan.arrange(store, &mut rows, q);
    let rows = project_all(store, version, &rows, q, &plan)?;
    Ok((rows.len(), rows.into_iter().map(Value::Object).collect()))
}

/// Projects `rows` and attaches the children each of `q`'s subqueries finds for them.
pub(super) fn project_all(
    store: &Store,
    version: &str,
    rows: &[&Record],
    q: &Query,
    plan: &Plan,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    let mut out: Vec<Map<String, Value>> = rows
        .iter()
        .map(|r| project(store, version, r, &q.fields, &plan.paths))
        .collect();
    for sub in &q.children {
        super::subquery::attach(store, version, &plan.object, rows, sub, &mut out)?;
    }
    Ok(out)
}

fn collect_fields<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            collect_fields(a, out);
            collect_fields(b, out);
        }
        Expr::Not(a) => collect_fields(a, out),
        Expr::Cmp(f, ..) | Expr::In(f, ..) | Expr::Like(f, _) => out.push(f),
    }
}

fn eval(store: &Store, record: &Record, e: &Expr, paths: &HashMap<String, Path>) -> bool {
    let value = |f: &str| {
        paths
            .get(f)
            .map_or(Value::Null, |p| value_of(store, record, p))
    };
    match e {
        Expr::And(a, b) => eval(store, record, a, paths) && eval(store, record, b, paths),
        Expr::Or(a, b) => eval(store, record, a, paths) || eval(store, record, b, paths),
        Expr::Not(a) => !eval(store, record, a, paths),
        Expr::Cmp(f, op, lit) => matches(&value(f), *op, lit),
        Expr::In(f, negated, lits) => {
            let v = value(f);
            in_list(&v, lits) != *negated
        }
        Expr::Like(f, pattern) => super::compare::like(&value(f), pattern),
    }
}

/// `v IN (lits)`: text compared without allocating per literal (a reconcile sends hundreds of
/// keys per query, over every record), anything else as `=` does.
fn in_list(v: &Value, lits: &[super::parse::Literal]) -> bool {
    use super::parse::Literal;
    match v {
        Value::String(text) if text.is_ascii() => lits.iter().any(|l| match l {
            Literal::Str(s) if s.is_ascii() => s.eq_ignore_ascii_case(text),
            other => matches(v, Op::Eq, other),
        }),
        _ => lits.iter().any(|l| matches(v, Op::Eq, l)),
    }
}

fn order(
    store: &Store,
    a: &Record,
    b: &Record,
    q: &Query,
    paths: &HashMap<String, Path>,
) -> Ordering {
    for key in &q.order {
        let Some(path) = paths.get(&key.field) else {
            continue;
        };
        let (va, vb) = (value_of(store, a, path), value_of(store, b, path));
        let nulls = if key.nulls_first {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        let ord = match (va.is_null(), vb.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => nulls,
            (false, true) => nulls.reverse(),
            (false, false) if key.desc => compare_values(&vb, &va),
            (false, false) => compare_values(&va, &vb),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn project(
    store: &Store,
    version: &str,
    record: &Record,
    fields: &[String],
    paths: &HashMap<String, Path>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        attributes(version, &record.object, &record.id),
    );
    for name in fields {
        match paths.get(name) {
            Some(Path::Direct(f)) => {
                out.insert(f.clone(), record.get(f).cloned().unwrap_or(Value::Null));
            }
            Some(Path::Rel {
                rel,
                ref_field,
                target,
                field,
            }) => {
                let Some(p) = parent(store, record, ref_field, target.as_deref()) else {
                    out.insert(rel.clone(), Value::Null);
                    continue;
                };
                let nested = out.entry(rel.clone()).or_insert_with(|| {
                    let mut m = Map::new();
                    m.insert("attributes".into(), attributes(version, &p.object, &p.id));
                    Value::Object(m)
                });
                if let Value::Object(m) = nested {
                    m.insert(field.clone(), p.get(field).cloned().unwrap_or(Value::Null));
                }
            }
            None => {}
        }
    }
    out
}
