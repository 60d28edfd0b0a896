//! Org metadata for `order-sync check`: sObject describes and the price book's coverage of the store's skus.

use std::collections::BTreeSet;

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::Salesforce;
use super::error::{SfError, describe_body};
use super::wire::soql_literal;

/// What a describe says about one sObject, as far as `check` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectDescription {
    pub name: String,
    pub fields: Vec<FieldDescription>,
}

/// One field of a describe: whether it can key an upsert, whether it can be written, its length
/// (text fields) and its active picklist values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDescription {
    pub name: String,
    pub field_type: String,
    pub external_id: bool,
    pub unique: bool,
    pub createable: bool,
    pub updateable: bool,
    /// Characters a text field holds; 0 for other types.
    pub length: usize,
    pub picklist_values: Vec<String>,
}

impl ObjectDescription {
    /// The field named `name`; Salesforce API names are case-insensitive.
    pub fn field(&self, name: &str) -> Option<&FieldDescription> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl FieldDescription {
    pub fn is_picklist(&self) -> bool {
        matches!(self.field_type.as_str(), "picklist" | "multipicklist")
    }

    /// Whether `value` is an active picklist value (case-sensitive, as Salesforce stores it).
    pub fn allows(&self, value: &str) -> bool {
        self.picklist_values.iter().any(|v| v == value)
    }
}

/// The price book `check` looked at, and the skus with no active entry in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricebookCoverage {
    pub pricebook_id: String,
    pub missing_skus: Vec<String>,
}

#[derive(Deserialize)]
struct WireDescribe {
    name: String,
    #[serde(default)]
    fields: Vec<WireField>,
}

#[derive(Deserialize)]
struct WireField {
    name: String,
    #[serde(rename = "type", default)]
    field_type: String,
    #[serde(rename = "externalId", default)]
    external_id: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    createable: bool,
    #[serde(default)]
    updateable: bool,
    #[serde(default)]
    length: usize,
    #[serde(rename = "picklistValues", default)]
    picklist_values: Vec<WirePicklistValue>,
}

#[derive(Deserialize)]
struct WirePicklistValue {
    value: String,
    #[serde(default = "active_by_default")]
    active: bool,
}

fn active_by_default() -> bool {
    true
}

fn to_domain(d: WireDescribe) -> ObjectDescription {
    let fields = d
        .fields
        .into_iter()
        .map(|f| FieldDescription {
            name: f.name,
            field_type: f.field_type,
            external_id: f.external_id,
            unique: f.unique,
            createable: f.createable,
            updateable: f.updateable,
            length: f.length,
            picklist_values: f
                .picklist_values
                .into_iter()
                .filter(|v| v.active)
                .map(|v| v.value)
                .collect(),
        })
        .collect();
    ObjectDescription {
        name: d.name,
        fields,
    }
}

/// `GET sobjects/{object}/describe`: the fields the integration user can see.
pub(super) async fn describe_object(
    sf: &super::client::Inner,
    object: &str,
) -> Result<ObjectDescription, SfError> {
    let path = format!(
        "sobjects/{}/describe",
        url::form_urlencoded::byte_serialize(object.as_bytes()).collect::<String>()
    );
    let bytes = sf.send(Method::GET, &path, None).await?;
    let wire: WireDescribe = serde_json::from_slice(&bytes).map_err(|_| {
        SfError::transient(
            None,
            format!(
                "the describe of {object} was not the expected JSON ({})",
                describe_body(&bytes)
            ),
        )
    })?;
    Ok(to_domain(wire))
}

/// One value of the Order Status picklist and its category (`Draft`, `Activated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatusValue {
    pub api_name: String,
    pub category: String,
}

impl Salesforce {
    /// `GET sobjects/{object}/describe`: the fields the integration user can see.
    pub async fn describe(&self, object: &str) -> Result<ObjectDescription, SfError> {
        describe_object(&self.inner, object).await
    }

    /// The org's Order Status values with their categories (`OrderStatus`).
    pub async fn order_statuses(&self) -> Result<Vec<OrderStatusValue>, SfError> {
        let rows = self
            .inner
            .query("SELECT ApiName, StatusCode FROM OrderStatus")
            .await?;
        let text = |r: &Value, f: &str| r.get(f).and_then(Value::as_str).map(str::to_string);
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(OrderStatusValue {
                    api_name: text(r, "ApiName")?,
                    category: text(r, "StatusCode")?,
                })
            })
            .collect())
    }

    /// Whether the org keeps several currencies, and its own (asked once, then cached).
    pub async fn currencies(&self) -> Result<super::OrgCurrencies, SfError> {
        self.currencies.get(&self.inner).await
    }

    /// The price book orders use (checked to exist when configured) and which `skus` lack an active entry.
    pub async fn pricebook_check(
        &self,
        skus: &BTreeSet<String>,
    ) -> Result<PricebookCoverage, SfError> {
        if !self.settings.pricebook_id.is_empty() {
            self.verify_pricebook(&self.settings.pricebook_id).await?;
        }
        // Coverage is checked in the org's own currency.
        let org = self.currencies().await?;
        let key = |s: &String| (s.clone(), org.corporate.clone());
        let wanted = skus.iter().map(key).collect();
        let (pricebook_id, found) = self.pricebook.entries(&self.inner, &wanted, &org).await?;
        let missing_skus = skus
            .iter()
            .filter(|s| !found.contains_key(&key(s)))
            .cloned()
            .collect();
        Ok(PricebookCoverage {
            pricebook_id,
            missing_skus,
        })
    }

    async fn verify_pricebook(&self, id: &str) -> Result<(), SfError> {
        let soql = format!(
            "SELECT Id, IsActive FROM Pricebook2 WHERE Id = {}",
            soql_literal(id)
        );
        let rows = self.inner.query(&soql).await?;
        match rows.first() {
            None => Err(SfError::rejected(
                Some("NOT_FOUND"),
                format!("no price book has the id {id}"),
            )),
            Some(r) if r.get("IsActive").and_then(Value::as_bool) == Some(false) => Err(
                SfError::rejected(None, format!("price book {id} is inactive")),
            ),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_describe_body_becomes_fields_with_only_active_picklist_values() {
        let body = br#"{"name":"Quote","fields":[
            {"name":"Status","type":"picklist","externalId":false,"unique":false,"picklistValues":[
                {"value":"Draft","active":true},{"value":"Old","active":false}]},
            {"name":"Store_Order_Id__c","type":"string","externalId":true,"unique":true,"picklistValues":[]}]}"#;

        let d = to_domain(serde_json::from_slice(body).expect("parses"));

        let status = d.field("status").expect("case-insensitive lookup");
        assert!(status.is_picklist());
        assert_eq!(status.picklist_values, vec!["Draft".to_string()]);
        let key = d.field("Store_Order_Id__c").expect("present");
        assert!(key.external_id && key.unique);
    }
}
