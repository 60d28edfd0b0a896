//! Currencies. An org is single-currency (its currency on the Organization row, no
//! CurrencyIsoCode field anywhere) until a test turns multiple currencies on: then
//! `CurrencyType` rows list them, records carry CurrencyIsoCode, and line items must use
//! price-book entries in their parent's currency.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::record::value_text;
use crate::store::Store;

pub(crate) const FIELD: &str = "CurrencyIsoCode";

/// Objects that carry CurrencyIsoCode in a multi-currency org.
const OBJECTS: &[&str] = &[
    "Account",
    "Contact",
    "Opportunity",
    "Quote",
    "QuoteLineItem",
    "Order",
    "OrderItem",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
];

/// The org's currency: the Organization row's DefaultCurrencyIsoCode.
pub(crate) fn org_currency(store: &Store) -> String {
    store
        .records("Organization")
        .next()
        .and_then(|r| r.get("DefaultCurrencyIsoCode"))
        .and_then(value_text)
        .unwrap_or_else(|| "USD".into())
}

pub(crate) fn set_org_currency(store: &mut Store, iso: &str) {
    let id = store.records("Organization").next().map(|r| r.id.clone());
    let mut fields = Map::new();
    fields.insert("DefaultCurrencyIsoCode".into(), json!(iso));
    match id {
        Some(id) => {
            store.merge("Organization", &id, fields);
        }
        None => {
            fields.insert("Name".into(), json!("Fake Org"));
            fields.insert("IsSandbox".into(), json!(true));
            store.insert_new("Organization", fields);
        }
    }
}

/// Turns multiple currencies on; the first of `currencies` is the corporate currency, and
/// records written before are kept in it (as Salesforce does when an admin enables it).
pub(crate) fn enable(store: &mut Store, currencies: &[&str]) {
    let Some(corporate) = currencies.first() else {
        return;
    };
    store.multi_currency = true;
    let (object, fields) = crate::catalog::CURRENCY_TYPE;
    store.schema.add_object(object, fields);
    for (i, iso) in currencies.iter().enumerate() {
        let mut fields = Map::new();
        fields.insert("IsoCode".into(), json!(iso));
        fields.insert("IsCorporate".into(), json!(i == 0));
        fields.insert("IsActive".into(), json!(true));
        fields.insert("ConversionRate".into(), json!(1.0));
        fields.insert("DecimalPlaces".into(), json!(2));
        store.insert_new("CurrencyType", fields);
    }
    set_org_currency(store, corporate);
    for object in OBJECTS {
        store.schema.add_field(object, FIELD, "picklist");
        let ids: Vec<String> = store
            .records(object)
            .filter(|r| r.get(FIELD).is_none())
            .map(|r| r.id.clone())
            .collect();
        for id in ids {
            let mut fields = Map::new();
            fields.insert(FIELD.into(), json!(corporate));
            store.merge(object, &id, fields);
        }
    }
}

fn active(store: &Store, iso: &str) -> bool {
    store
        .find("CurrencyType", "IsoCode", iso)
        .iter()
        .any(|r| r.get("IsActive") == Some(&json!(true)))
}

/// A single-currency org has no CurrencyIsoCode field: naming it fails as any unknown field.
pub(crate) fn check_field(store: &Store, object: &str, key: &str) -> Result<(), ApiError> {
    if store.multi_currency || !key.eq_ignore_ascii_case(FIELD) {
        return Ok(());
    }
    let msg = format!("No such column '{key}' on sobject of type {object}");
    Err(ApiError::bad("INVALID_FIELD", msg).with_fields(&[key]))
}

/// The parent whose currency a line item takes: (reference field, parent object).
fn parent_of(object: &str) -> Option<(&'static str, &'static str)> {
    match object {
        "OrderItem" => Some(("OrderId", "Order")),
        "QuoteLineItem" => Some(("QuoteId", "Quote")),
        "Quote" => Some(("OpportunityId", "Opportunity")),
        _ => None,
    }
}

fn currency_of(store: &Store, object: &str, id: &str) -> Option<String> {
    store.get(object, id)?.get(FIELD).and_then(value_text)
}

/// On insert in a multi-currency org: a record given no currency takes its parent's (line
/// items, a quote) or the corporate currency.
pub(crate) fn default_on_insert(store: &Store, object: &str, fields: &mut Map<String, Value>) {
    if !store.multi_currency || !OBJECTS.contains(&object) || fields.contains_key(FIELD) {
        return;
    }
    let inherited = parent_of(object).and_then(|(field, parent)| {
        let id = fields.get(field).and_then(value_text)?;
        currency_of(store, parent, &id)
    });
    let iso = inherited.unwrap_or_else(|| org_currency(store));
    fields.insert(FIELD.into(), json!(iso));
}

/// A written currency must be an active one, and a line item's price-book entry must be in
/// its parent's currency.
pub(crate) fn check(
    store: &Store,
    object: &str,
    fields: &Map<String, Value>,
    existing: Option<&crate::record::Record>,
) -> Result<(), ApiError> {
    if !store.multi_currency {
        return Ok(());
    }
    if let Some(iso) = fields.get(FIELD).and_then(value_text)
        && !active(store, &iso)
    {
        let msg = format!("Currency ISO Code: invalid currency code: {iso}");
        return Err(
            ApiError::bad("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", msg).with_fields(&[FIELD]),
        );
    }
    let Some((parent_field, parent)) = parent_of(object).filter(|(_, p)| *p != "Opportunity")
    else {
        return Ok(());
    };
    let merged = |f: &str| {
        fields
            .get(f)
            .or_else(|| existing.and_then(|r| r.get(f)))
            .and_then(value_text)
    };
    let (Some(parent_id), Some(entry)) = (merged(parent_field), merged("PricebookEntryId")) else {
        return Ok(());
    };
    let parent_currency = currency_of(store, parent, &parent_id);
    let entry_currency = currency_of(store, "PricebookEntry", &entry);
    if parent_currency == entry_currency {
        return Ok(());
    }
    let msg = format!(
        "The price book entry's currency ({}) must match the currency of the parent {parent} ({}).",
        entry_currency.unwrap_or_default(),
        parent_currency.unwrap_or_default()
    );
    Err(ApiError::bad("FIELD_INTEGRITY_EXCEPTION", msg).with_fields(&["PricebookEntryId"]))
}
