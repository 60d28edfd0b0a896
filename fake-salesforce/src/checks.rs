//! Rules every API write must pass after its body was prepared: values fit their fields
//! (restricted picklists, text lengths, number/date/boolean types), validation rules, required
//! fields, Order status and activation, currencies, price book integrity and external id
//! uniqueness.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::record::{Record, value_text};
use crate::store::Store;

/// Checks a prepared write; `existing` is the record being updated (None on create).
pub(crate) fn check_write(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    check_values(store, object, fields)?;
    check_rules(store, object, fields)?;
    if existing.is_some() {
        check_create_only(object, fields)?;
    }
    check_required(store, object, fields, existing)?;
    crate::orders::check(store, object, fields, existing)?;
    crate::currency::check(store, object, fields, existing)?;
    check_pricebook(store, object, fields, existing)?;
    check_unique(store, object, fields, existing)
}

/// Fields Salesforce lets you set on insert but not on update (parents and price-book entries of
/// line items, a quote's opportunity). Naming one in an update fails, even with the same value.
const CREATE_ONLY: &[(&str, &str)] = &[
    ("OrderItem", "OrderId"),
    ("OrderItem", "PricebookEntryId"),
    ("QuoteLineItem", "QuoteId"),
    ("QuoteLineItem", "PricebookEntryId"),
    ("Quote", "OpportunityId"),
];

fn check_create_only(object: &str, fields: &Map<String, Value>) -> Result<(), ApiError> {
    let named: Vec<&str> = CREATE_ONLY
        .iter()
        .filter(|(o, f)| {
            o.eq_ignore_ascii_case(object) && fields.keys().any(|k| k.eq_ignore_ascii_case(f))
        })
        .map(|(_, f)| *f)
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let msg = format!(
        "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
        named.join(", ")
    );
    Err(ApiError::bad("INVALID_FIELD_FOR_INSERT_UPDATE", msg).with_fields(&named))
}

/// The value a field will have after the write.
fn merged<'a>(
    fields: &'a Map<String, Value>,
    existing: Option<&'a Record>,
    name: &str,
) -> Option<&'a Value> {
    match fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
        Some((_, v)) => Some(v),
        None => existing.and_then(|r| r.get(name)),
    }
}

/// Each value fits its field, as a real org checks before anything else.
fn check_values(store: &Store, object: &str, fields: &Map<String, Value>) -> Result<(), ApiError> {
    for (name, value) in fields {
        let Some(def) = store.schema.field(object, name) else {
            continue; // prepare() refused unknown fields; derived ones are the fake's own
        };
        if value.is_null() {
            continue; // required fields are checked separately
        }
        check_type(&def.ftype, name, value)?;
        let text = value_text(value).unwrap_or_default();
        if def.ftype == "picklist" && !picklist_allows(store, object, def, &text) {
            let msg = format!("{name}: bad value for restricted picklist field: {text}");
            let err = ApiError::bad("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", msg);
            return Err(err.with_fields(&[name.as_str()]));
        }
        if let Some(max) = def.length.filter(|max| text.chars().count() > *max) {
            let msg = format!("{name}: data value too large: {text} (max length={max})");
            return Err(ApiError::bad("STRING_TOO_LONG", msg).with_fields(&[name.as_str()]));
        }
    }
    Ok(())
}

/// A restricted picklist's values: Order Status from its OrderStatus rows; currencies are
/// checked against the org's active ones elsewhere.
fn picklist_allows(store: &Store, object: &str, def: &crate::schema::FieldDef, text: &str) -> bool {
    match (object, def.name.as_str()) {
        ("Order", "Status") => crate::orders::values(store).iter().any(|v| v == text),
        (_, "CurrencyIsoCode") => true,
        _ => def.picklist.iter().any(|v| v == text),
    }
}

/// Numbers, dates and booleans refuse what cannot be read as one (numeric text is accepted, as
/// Salesforce does); the error is the JSON parser's, as on a real org.
fn check_type(ftype: &str, name: &str, value: &Value) -> Result<(), ApiError> {
    let text = value_text(value).unwrap_or_default();
    let fits = match ftype {
        "double" | "currency" | "percent" => value.is_number() || text.parse::<f64>().is_ok(),
        "int" => value.is_i64() || text.parse::<i64>().is_ok(),
        "date" => crate::record::parse_date(&text).is_some(),
        "datetime" => crate::record::parse_datetime(&text).is_some(),
        "boolean" => value.is_boolean(),
        _ => return Ok(()),
    };
    if fits {
        return Ok(());
    }
    let kind = match ftype {
        "currency" | "percent" => "double",
        other => other,
    };
    let msg = format!(
        "Cannot deserialize instance of {kind} from VALUE_STRING value {text} or request may be missing a required field ({name})"
    );
    Err(ApiError::bad("JSON_PARSER_ERROR", msg).with_fields(&[name]))
}

fn check_rules(store: &Store, object: &str, fields: &Map<String, Value>) -> Result<(), ApiError> {
    for rule in store
        .schema
        .rules
        .iter()
        .filter(|r| r.object.eq_ignore_ascii_case(object))
    {
        let written = fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&rule.field));
        if written
            .and_then(|(_, v)| value_text(v))
            .is_some_and(|t| t == rule.value)
        {
            let err = ApiError::bad("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message.clone());
            return Err(err.with_fields(&[rule.field.as_str()]));
        }
    }
    Ok(())
}

fn check_required(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    // Salesforce treats an empty string like null for required fields.
    let missing: Vec<String> = store
        .schema
        .required_fields(object)
        .into_iter()
        .filter(|f| {
            merged(fields, existing, f)
                .and_then(value_text)
                .is_none_or(|t| t.is_empty())
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let msg = format!("Required fields are missing: [{}]", missing.join(", "));
    let names: Vec<&str> = missing.iter().map(String::as_str).collect();
    Err(ApiError::bad("REQUIRED_FIELD_MISSING", msg).with_fields(&names))
}

/// The price book an OrderItem's or QuoteLineItem's parent uses.
fn parent_pricebook(store: &Store, object: &str, parent_id: &str) -> Option<String> {
    let text = |r: &Record, f: &str| r.get(f).and_then(value_text);
    if object == "OrderItem" {
        return text(store.get("Order", parent_id)?, "Pricebook2Id");
    }
    let quote = store.get("Quote", parent_id)?;
    text(quote, "Pricebook2Id").or_else(|| {
        let opp = store.get("Opportunity", &text(quote, "OpportunityId")?)?;
        text(opp, "Pricebook2Id")
    })
}

fn check_pricebook(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    let (parent_field, message) = match object {
        "OrderItem" => (
            "OrderId",
            "Order Products must have a Price Book Entry that belongs to the Price Book related to the parent Order.",
        ),
        "QuoteLineItem" => (
            "QuoteId",
            "Quote Line Items must have a Price Book Entry that belongs to the Price Book related to the parent Quote.",
        ),
        _ => return Ok(()),
    };
    let id_of = |f: &str| merged(fields, existing, f).and_then(value_text);
    let (Some(parent), Some(pbe_id)) = (id_of(parent_field), id_of("PricebookEntryId")) else {
        return Ok(()); // missing ids were already reported as required fields
    };
    let entry_book = store
        .get("PricebookEntry", &pbe_id)
        .and_then(|e| e.get("Pricebook2Id"))
        .and_then(value_text);
    if entry_book.is_some() && entry_book == parent_pricebook(store, object, &parent) {
        return Ok(());
    }
    Err(ApiError::bad("FIELD_INTEGRITY_EXCEPTION", message).with_fields(&["PricebookEntryId"]))
}

fn check_unique(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    for field in store.schema.external_id_fields(object) {
        let Some(text) = fields.get(&field).and_then(value_text) else {
            continue;
        };
        let clash = store
            .find(object, &field, &text)
            .into_iter()
            .find(|r| existing.is_none_or(|e| e.id != r.id));
        if let Some(other) = clash {
            let msg = format!(
                "duplicate value found: {field} duplicates value on record with id: {}",
                other.id
            );
            return Err(ApiError::bad("DUPLICATE_VALUE", msg).with_fields(&[field.as_str()]));
        }
    }
    Ok(())
}
