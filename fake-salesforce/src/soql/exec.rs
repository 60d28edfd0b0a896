//! Runs a parsed SOQL query against the store: field resolution (including one
//! relationship hop such as `Product2.ProductCode`), filtering, sorting and projection.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::compare::{compare_values, matches};
use super::parse::{Expr, Query};
use crate::error::ApiError;
use crate::ops::attributes;
use crate::record::Record;
use crate::store::Store;

/// Where a selected or filtered field's value comes from.
#[derive(Clone, Debug)]
pub(crate) enum Path {
    Direct(String),
    Rel {
        rel: String,
        ref_field: String,
        target: Option<String>,
        field: String,
    },
}

fn no_such_column(field: &str, object: &str) -> ApiError {
    let msg = format!(
        "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
    ApiError::bad("INVALID_FIELD", msg)
}

fn resolve(store: &Store, object: &str, raw: &str) -> Result<Path, ApiError> {
    let parts: Vec<&str> = raw.split('.').collect();
    let field_of = |obj: &str, f: &str| store.schema.field(obj, f).map(|d| d.name.clone());
    match parts.as_slice() {
        [f] => field_of(object, f)
            .map(Path::Direct)
            .ok_or_else(|| no_such_column(f, object)),
        [rel, f] => {
            let ref_name = match rel
                .len()
                .checked_sub(3)
                .filter(|&n| rel[n..].eq_ignore_ascii_case("__r"))
            {
                Some(n) => format!("{}__c", &rel[..n]),
                None => format!("{rel}Id"),
            };
            let bad_rel = || {
                ApiError::bad(
                    "INVALID_FIELD",
                    format!(
                        "Didn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                    ),
                )
            };
            let ref_field = field_of(object, &ref_name).ok_or_else(bad_rel)?;
            let rel_name = ref_field
                .strip_suffix("Id")
                .map_or_else(|| rel.to_string(), str::to_string);
            let target = store.schema.object(&rel_name).map(|o| o.name.clone());
            let field = match &target {
                Some(t) => field_of(t, f).ok_or_else(|| no_such_column(f, t))?,
                None => f.to_string(),
            };
            Ok(Path::Rel {
                rel: rel_name,
                ref_field,
                target,
                field,
            })
        }
        _ => Err(no_such_column(raw, object)),
    }
}

fn parent<'a>(
    store: &'a Store,
    record: &Record,
    ref_field: &str,
    target: Option<&str>,
) -> Option<&'a Record> {
    let id = record.get(ref_field)?.as_str()?;
    match target {
        Some(t) => store.get(t, id),
        None => store.find_by_id(id),
    }
}

pub(crate) fn value_of(store: &Store, record: &Record, path: &Path) -> Value {
    let found = match path {
        Path::Direct(f) => record.get(f),
        Path::Rel {
            ref_field,
            target,
            field,
            ..
        } => parent(store, record, ref_field, target.as_deref()).and_then(|p| p.get(field)),
    };
    found.cloned().unwrap_or(Value::Null)
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
            lits.iter().any(|l| matches(&v, super::parse::Op::Eq, l)) != *negated
        }
        Expr::Like(f, pattern) => super::compare::like(&value(f), pattern),
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
    let mut names: Vec<&str> = q.fields.iter().map(String::as_str).collect();
    if let Some(f) = &q.filter {
        collect_fields(f, &mut names);
    }
    names.extend(q.order.iter().map(|k| k.field.as_str()));
    let mut paths = HashMap::new();
    for name in names {
        paths.insert(name.to_string(), resolve(store, &object, name)?);
    }
    let mut rows: Vec<&Record> = store
        .records(&object)
        .filter(|r| q.filter.as_ref().is_none_or(|f| eval(store, r, f, &paths)))
        .collect();
    if q.count {
        return Ok((rows.len(), Vec::new()));
    }
    rows.sort_by(|a, b| order(store, a, b, q, &paths));
    let limit = q.limit.unwrap_or(usize::MAX);
    let rows: Vec<Value> = rows
        .into_iter()
        .skip(q.offset)
        .take(limit)
        .map(|r| project(store, version, r, &q.fields, &paths))
        .collect();
    Ok((rows.len(), rows))
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
        let ord = match (va.is_null(), vb.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if key.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if key.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
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
) -> Value {
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
    Value::Object(out)
}
