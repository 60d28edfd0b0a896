//! Turns a request body into storable fields: canonical names, checked and normalized ids,
//! parents given by external id resolved, and the read-only fields Salesforce derives.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::record::{Record, looks_like_id, value_text};
use crate::store::Store;

/// Canonicalizes `body` for a write to `object`; `existing` is the record being updated.
pub(crate) fn prepare(
    store: &Store,
    object: &str,
    body: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (key, value) in body {
        if key == "attributes" {
            continue; // clients may echo the attributes block back; Salesforce ignores it
        }
        if let Value::Object(parent) = value {
            let (field, id) = resolve_parent(store, key, parent)?;
            out.insert(field, json!(id));
            continue;
        }
        let name = check_writable(store, object, key, value, existing)?;
        out.insert(name, value.clone());
    }
    normalize_references(store, object, &mut out)?;
    derive(store, object, &mut out);
    if existing.is_none() {
        crate::currency::default_on_insert(store, object, &mut out);
    }
    Ok(out)
}

/// The canonical name of a field the body may set, or the error a real org gives.
fn check_writable(
    store: &Store,
    object: &str,
    key: &str,
    value: &Value,
    existing: Option<&Record>,
) -> Result<String, ApiError> {
    crate::currency::check_field(store, object, key)?;
    let Some(field) = store.schema.field(object, key) else {
        return Err(no_such_column(object, key));
    };
    // An Id in the body is tolerated only when it names the record being updated.
    let same_id = key.eq_ignore_ascii_case("Id")
        && existing.is_some_and(|r| value.as_str() == Some(r.id.as_str()));
    if field.read_only && !same_id {
        let msg = format!(
            "Unable to create/update fields: {key}. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
        );
        return Err(ApiError::bad("INVALID_FIELD_FOR_INSERT_UPDATE", msg).with_fields(&[key]));
    }
    Ok(field.name.clone())
}

/// What a real org answers when a write names a field the object does not have.
pub(crate) fn no_such_column(object: &str, field: &str) -> ApiError {
    let msg = format!("No such column '{field}' on sobject of type {object}");
    ApiError::bad("INVALID_FIELD", msg).with_fields(&[field])
}

/// `"Account": {"Store_Customer_Id__c": "42"}` sets AccountId to that Account's id.
fn resolve_parent(
    store: &Store,
    rel: &str,
    parent: &Map<String, Value>,
) -> Result<(String, String), ApiError> {
    let (field, target) = match rel.strip_suffix("__r") {
        Some(base) => (format!("{base}__c"), None),
        None => (
            format!("{rel}Id"),
            store.schema.object(rel).map(|o| o.name.clone()),
        ),
    };
    let invalid = |msg: String| ApiError::bad("INVALID_FIELD", msg).with_fields(&[rel]);
    let Some(target) = target else {
        return Err(invalid(format!(
            "Cannot resolve the relationship '{rel}' by external id"
        )));
    };
    let mut keys = parent.iter().filter(|(k, _)| k.as_str() != "attributes");
    let (Some((ext, value)), None) = (keys.next(), keys.next()) else {
        return Err(invalid(format!(
            "The relationship '{rel}' must name exactly one external id field"
        )));
    };
    let text = value_text(value).unwrap_or_default();
    match store.find(&target, ext, &text).as_slice() {
        [one] => Ok((field, one.id.clone())),
        [] => Err(invalid(format!(
            "Foreign key external ID: {text} not found for field {ext} in entity {target}"
        ))),
        _ => Err(invalid(format!(
            "Foreign key external ID: {text} matches more than one {target}"
        ))),
    }
}

/// Every reference field (`...Id`, or declared `reference`) must hold the id of an existing
/// record: a deleted or unknown one is INVALID_CROSS_REFERENCE_KEY. Stores the 18-char form.
fn normalize_references(
    store: &Store,
    object: &str,
    fields: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    for (key, value) in fields.iter_mut() {
        if key == "Id" || value.is_null() || !store.is_reference(object, key) {
            continue;
        }
        let label = key.trim_end_matches("Id");
        let text = value.as_str().unwrap_or_default().to_string();
        if !looks_like_id(&text) {
            let msg = format!("{label} ID: id value of incorrect type: {value}");
            return Err(ApiError::bad("MALFORMED_ID", msg).with_fields(&[key]));
        }
        let Some(target) = store.find_by_id(&text) else {
            let msg = format!("invalid cross reference id: {key} = {text}");
            return Err(ApiError::bad("INVALID_CROSS_REFERENCE_KEY", msg).with_fields(&[key]));
        };
        // A reference named after a known object must point at that object.
        let expected = store.schema.object(label).map(|o| o.name.clone());
        if expected.is_some_and(|e| e != target.object) {
            let msg = format!("{label} ID: id value of incorrect type: {text}");
            return Err(ApiError::bad("MALFORMED_ID", msg).with_fields(&[key]));
        }
        *value = json!(target.id);
    }
    Ok(())
}

/// Read-only fields Salesforce fills in itself, so queries see what a real org would return.
fn derive(store: &Store, object: &str, fields: &mut Map<String, Value>) {
    let lookup = |field: &str, parent: &str| {
        let id = fields.get(field)?.as_str()?;
        store.get(parent, id).cloned()
    };
    match object {
        "OrderItem" | "QuoteLineItem" => {
            if let Some(pbe) = lookup("PricebookEntryId", "PricebookEntry") {
                let product = pbe.get("Product2Id").cloned().unwrap_or(Value::Null);
                fields.insert("Product2Id".into(), product);
                if object == "OrderItem" {
                    let price = pbe.get("UnitPrice").cloned().unwrap_or(Value::Null);
                    fields.insert("ListPrice".into(), price);
                }
            }
        }
        "PricebookEntry" => {
            if let Some(product) = lookup("Product2Id", "Product2") {
                for f in ["ProductCode", "Name"] {
                    fields.insert(f.into(), product.get(f).cloned().unwrap_or(Value::Null));
                }
            }
        }
        "Opportunity" => {
            if let Some(stage) = fields.get("StageName").and_then(Value::as_str) {
                let (closed, won) = (stage.starts_with("Closed"), stage == "Closed Won");
                fields.insert("IsClosed".into(), json!(closed));
                fields.insert("IsWon".into(), json!(won));
            }
        }
        "Order" => crate::orders::derive(store, fields),
        _ => {}
    }
}
