//! sObject operations (create, upsert, update, delete, get, describe), shared by the REST routes
//! and by composite graph nodes so both return exactly the same bodies.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::checks::check_write;
use crate::error::{ApiError, OpResult, Reply};
use crate::prepare::prepare;
use crate::record::Record;
use crate::store::Store;

pub(crate) fn record_url(version: &str, object: &str, id: &str) -> String {
    format!("/services/data/{version}/sobjects/{object}/{id}")
}

pub(crate) fn attributes(version: &str, object: &str, id: &str) -> Value {
    json!({"type": object, "url": record_url(version, object, id)})
}

/// A record as `GET /sobjects/{Obj}/{id}` returns it.
pub(crate) fn record_json(version: &str, record: &Record) -> Value {
    let mut out = record.fields.clone();
    out.insert(
        "attributes".into(),
        attributes(version, &record.object, &record.id),
    );
    Value::Object(out)
}

/// Routes `/sobjects/...` (segments after "sobjects") to an operation.
pub(crate) fn dispatch(
    store: &mut Store,
    version: &str,
    method: &Method,
    segs: &[String],
    body: Option<&Value>,
) -> OpResult {
    match (method.as_str(), segs) {
        ("GET", [obj, d]) if d == "describe" => {
            let mut body = store.schema.describe(obj).ok_or_else(ApiError::not_found)?;
            crate::orders::patch_describe(store, obj, &mut body);
            Ok(Reply::ok(body))
        }
        ("GET", [obj, id]) => get(store, version, obj, id),
        ("PATCH", [obj, id]) => update(store, obj, id, body_object(body)?),
        ("DELETE", [obj, id]) => delete(store, obj, id),
        ("POST", [obj]) => create(store, obj, body_object(body)?),
        ("PATCH", [obj, field, value]) => {
            upsert(store, version, obj, field, value, body_object(body)?)
        }
        ("GET", [obj, field, value]) => get_by_external_id(store, version, obj, field, value),
        (_, [_] | [_, _] | [_, _, _]) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("HTTP Method '{method}' not allowed. Allowed are DELETE,GET,PATCH,POST"),
        )),
        _ => Err(ApiError::not_found()),
    }
}

fn body_object(body: Option<&Value>) -> Result<&Map<String, Value>, ApiError> {
    match body {
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ApiError::json_parse("expected a JSON object")),
        None => Err(ApiError::json_parse("the body is empty")),
    }
}

/// Canonical name of an object; an unknown one is a 404, as on a real org (objects are never
/// created by a write).
fn known_object(store: &Store, raw: &str) -> Result<String, ApiError> {
    store
        .schema
        .object(raw)
        .map(|o| o.name.clone())
        .ok_or_else(ApiError::not_found)
}

pub(crate) fn create(store: &mut Store, raw_object: &str, body: &Map<String, Value>) -> OpResult {
    let object = known_object(store, raw_object)?;
    let id = insert(store, &object, body, None)?;
    let body = json!({"id": id, "success": true, "errors": []});
    Ok(Reply::with_status(StatusCode::CREATED, body))
}

/// Prepares, checks and inserts; `forced` is the external id taken from an upsert URL.
fn insert(
    store: &mut Store,
    object: &str,
    body: &Map<String, Value>,
    forced: Option<(&str, &str)>,
) -> Result<String, ApiError> {
    let mut fields = prepare(store, object, body, None)?;
    if let Some((field, value)) = forced {
        fields.insert(field.to_string(), json!(value));
    }
    // Salesforce fills a new Quote's Status with the picklist default.
    if object == "Quote" && fields.get("Status").is_none_or(Value::is_null) {
        fields.insert("Status".into(), json!("Draft"));
    }
    check_write(store, object, &fields, None)?;
    Ok(store.insert_new(object, fields))
}

fn apply_update(
    store: &mut Store,
    object: &str,
    existing: &Record,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let fields = prepare(store, object, body, Some(existing))?;
    check_write(store, object, &fields, Some(existing))?;
    store.merge(object, &existing.id, fields);
    Ok(())
}

pub(crate) fn update(
    store: &mut Store,
    raw_object: &str,
    id: &str,
    body: &Map<String, Value>,
) -> OpResult {
    let object = known_object(store, raw_object)?;
    let existing = existing(store, &object, id)?.clone();
    apply_update(store, &object, &existing, body)?;
    Ok(Reply::no_content())
}

fn delete(store: &mut Store, raw_object: &str, id: &str) -> OpResult {
    let object = known_object(store, raw_object)?;
    let existing = existing(store, &object, id)?.clone();
    crate::orders::check_delete(store, &existing)?;
    store.remove(&object, &existing.id);
    Ok(Reply::no_content())
}

/// Record `id` of `object`; a deleted one is ENTITY_IS_DELETED, an unknown one NOT_FOUND.
fn existing<'a>(store: &'a Store, object: &str, id: &str) -> Result<&'a Record, ApiError> {
    store.get(object, id).ok_or_else(|| gone(store, object, id))
}

/// Why there is no record `id` of `object`.
fn gone(store: &Store, object: &str, id: &str) -> ApiError {
    if store.is_deleted(object, id) {
        ApiError::entity_is_deleted()
    } else {
        ApiError::not_found()
    }
}

/// Canonical name of an upsert key field, or why it can't be one: the field must exist and be
/// the Id or declared an External ID.
fn external_key(store: &Store, object: &str, field: &str) -> Result<String, ApiError> {
    match store.schema.field(object, field) {
        Some(f) if f.external_id || f.name == "Id" => Ok(f.name.clone()),
        Some(f) => Err(ApiError::bad(
            "INVALID_FIELD",
            format!("Field {} is not an External ID or Id field", f.name),
        )
        .with_fields(&[f.name.as_str()])),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {field}"),
        )),
    }
}

pub(crate) fn upsert(
    store: &mut Store,
    version: &str,
    raw_object: &str,
    field: &str,
    value: &str,
    body: &Map<String, Value>,
) -> OpResult {
    let object = known_object(store, raw_object)?;
    let field = external_key(store, &object, field)?;
    let matches: Vec<Record> = store
        .find(&object, &field, value)
        .into_iter()
        .cloned()
        .collect();
    match matches.as_slice() {
        [] if field == "Id" => Err(gone(store, &object, value)),
        [] => {
            let id = insert(store, &object, body, Some((&field, value)))?;
            let body = json!({"id": id, "success": true, "errors": [], "created": true});
            Ok(Reply::with_status(StatusCode::CREATED, body))
        }
        [existing] => {
            apply_update(store, &object, existing, body)?;
            let body = json!({"id": existing.id, "success": true, "errors": [], "created": false});
            Ok(Reply::ok(body))
        }
        many => Ok(multiple_matches(
            version,
            &object,
            many.iter().map(|r| r.id.as_str()),
        )),
    }
}

/// 300 Multiple Choices: an External ID value that matches more than one record.
fn multiple_matches<'a>(version: &str, object: &str, ids: impl Iterator<Item = &'a str>) -> Reply {
    let urls: Vec<String> = ids.map(|id| record_url(version, object, id)).collect();
    Reply::with_status(StatusCode::MULTIPLE_CHOICES, json!(urls))
}

fn get(store: &Store, version: &str, raw_object: &str, id: &str) -> OpResult {
    let object = known_object(store, raw_object)?;
    let record = existing(store, &object, id)?;
    Ok(Reply::ok(record_json(version, record)))
}

fn get_by_external_id(
    store: &Store,
    version: &str,
    raw_object: &str,
    field: &str,
    value: &str,
) -> OpResult {
    let object = known_object(store, raw_object)?;
    let field = external_key(store, &object, field)?;
    match store.find(&object, &field, value).as_slice() {
        [one] => Ok(Reply::ok(record_json(version, one))),
        [] if field == "Id" => Err(gone(store, &object, value)),
        [] => Err(ApiError::not_found()),
        many => Ok(multiple_matches(
            version,
            &object,
            many.iter().map(|r| r.id.as_str()),
        )),
    }
}
