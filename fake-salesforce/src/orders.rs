//! Order statuses and their categories (`OrderStatus` rows), and what an org refuses around
//! activation: inserting a non-Draft Order, activating one without products or together with
//! other fields, and touching the header or the products of an activated Order.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::record::{Record, value_text};
use crate::store::Store;

/// The category (`StatusCode`) an Order status value belongs to; core Orders know two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusCategory {
    Draft,
    Activated,
}

impl StatusCategory {
    pub fn code(self) -> &'static str {
        match self {
            StatusCategory::Draft => "Draft",
            StatusCategory::Activated => "Activated",
        }
    }
}

const OBJECT: &str = "OrderStatus";
const DRAFT: &str = "Draft";
const ACTIVATED: &str = "Activated";

/// Adds a status value, as `SELECT ApiName, StatusCode FROM OrderStatus` reads it back.
pub(crate) fn add_status(store: &mut Store, api_name: &str, category: StatusCategory) {
    let mut fields = Map::new();
    fields.insert("ApiName".into(), json!(api_name));
    fields.insert("MasterLabel".into(), json!(api_name));
    fields.insert("StatusCode".into(), json!(category.code()));
    fields.insert("IsActive".into(), json!(true));
    store.insert_new(OBJECT, fields);
}

/// The category of `status`; None when it is no value of the Order Status picklist.
pub(crate) fn category(store: &Store, status: &str) -> Option<String> {
    store
        .find(OBJECT, "ApiName", status)
        .first()
        .and_then(|r| r.get("StatusCode"))
        .and_then(value_text)
}

/// The active status values, for the describe of Order.Status.
pub(crate) fn values(store: &Store) -> Vec<String> {
    store
        .records(OBJECT)
        .filter_map(|r| r.get("ApiName").and_then(value_text))
        .collect()
}

/// Order.StatusCode follows Status, as Salesforce derives it.
pub(crate) fn derive(store: &Store, fields: &mut Map<String, Value>) {
    let code = fields
        .get("Status")
        .and_then(value_text)
        .and_then(|s| category(store, &s));
    if let Some(code) = code {
        fields.insert("StatusCode".into(), json!(code));
    }
}

/// Checks a prepared Order or OrderItem write; `existing` is the record being updated.
pub(crate) fn check(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    match object {
        "Order" => check_order(store, fields, existing),
        "OrderItem" => {
            let parent = fields
                .get("OrderId")
                .or_else(|| existing.and_then(|r| r.get("OrderId")))
                .and_then(value_text);
            check_products_editable(store, parent.as_deref())
        }
        _ => Ok(()),
    }
}

fn integrity(message: impl Into<String>, field: &str) -> ApiError {
    ApiError::bad("FIELD_INTEGRITY_EXCEPTION", message).with_fields(&[field])
}

fn check_order(
    store: &Store,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    let status = fields.get("Status").and_then(value_text);
    let wanted = match &status {
        Some(s) => Some(category(store, s).ok_or_else(|| {
            let msg = format!("Status: bad value for restricted picklist field: {s}");
            ApiError::bad("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", msg).with_fields(&["Status"])
        })?),
        None => None,
    };
    let Some(existing) = existing else {
        if wanted.is_some_and(|c| c != DRAFT) {
            let msg = "You can't create an order with a status other than Draft.";
            return Err(integrity(msg, "Status"));
        }
        return Ok(());
    };
    let was = existing
        .get("StatusCode")
        .and_then(value_text)
        .unwrap_or_else(|| DRAFT.into());
    let others: Vec<&str> = fields
        .keys()
        .map(String::as_str)
        .filter(|k| !matches!(*k, "Status" | "StatusCode"))
        .collect();
    if was == ACTIVATED && !others.is_empty() {
        let msg = format!(
            "You can't edit {} on an activated order; only its Status can change.",
            others.join(", ")
        );
        return Err(integrity(msg, others[0]));
    }
    if was == DRAFT && wanted.as_deref() == Some(ACTIVATED) {
        if !others.is_empty() {
            let msg = "When you activate an order, Status must be the only field you update.";
            return Err(integrity(msg, "Status"));
        }
        if store.find("OrderItem", "OrderId", &existing.id).is_empty() {
            let msg = "You can't activate an order that has no order products.";
            return Err(integrity(msg, "Status"));
        }
    }
    Ok(())
}

/// Products of an activated Order can't be added, changed or deleted.
fn check_products_editable(store: &Store, order_id: Option<&str>) -> Result<(), ApiError> {
    let activated = order_id
        .and_then(|id| store.get("Order", id))
        .and_then(|o| o.get("StatusCode"))
        .and_then(Value::as_str)
        == Some(ACTIVATED);
    if activated {
        let msg = "You can't add, change or delete products of an activated order.";
        return Err(integrity(msg, "OrderId"));
    }
    Ok(())
}

/// Checks a DELETE: an activated Order, and the products of one, stay.
pub(crate) fn check_delete(store: &Store, record: &Record) -> Result<(), ApiError> {
    match record.object.as_str() {
        "Order" if record.get("StatusCode").and_then(Value::as_str) == Some(ACTIVATED) => {
            Err(integrity("You can't delete an activated order.", "Status"))
        }
        "OrderItem" => {
            let parent = record.get("OrderId").and_then(value_text);
            check_products_editable(store, parent.as_deref())
        }
        _ => Ok(()),
    }
}

/// The describe of Order.Status lists the status values the org has now.
pub(crate) fn patch_describe(store: &Store, object: &str, describe: &mut Value) {
    if !object.eq_ignore_ascii_case("Order") {
        return;
    }
    let values: Vec<Value> = values(store)
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"active": true, "defaultValue": i == 0, "label": v, "value": v, "validFor": null}))
        .collect();
    if let Some(fields) = describe.get_mut("fields").and_then(Value::as_array_mut) {
        for f in fields.iter_mut().filter(|f| f["name"] == "Status") {
            f["picklistValues"] = Value::Array(values.clone());
        }
    }
}
