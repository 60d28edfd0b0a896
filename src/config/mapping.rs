//! `[salesforce.mapping.<Object>]`: extra fields per Salesforce object, filled from the order by
//! templates. Read from TOML tables, or from a JSON object in one environment variable per
//! object (env keys are lower-cased and split at `__`, so field names cannot be env keys).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::FieldNames;
use super::template::{Template, TemplateError};
use super::validate::is_api_name;
use crate::salesforce::SfObject;

/// One configured field: where it was written (for messages) and its parsed template.
#[derive(Debug, Clone)]
pub struct MappedField {
    /// The object as configured (`Opportunity`, or `opportunity` from the environment).
    pub object_key: String,
    pub object: Option<SfObject>,
    pub field: String,
    pub template: Result<Template, TemplateError>,
}

impl MappedField {
    /// The settings key naming this field, e.g. `salesforce.mapping.Opportunity.Store_Order_URL__c`.
    pub fn key(&self) -> String {
        format!("salesforce.mapping.{}.{}", self.object_key, self.field)
    }
}

/// Every mapped field, in a stable order. Empty values are dropped: `Field = ""` turns off a
/// mapping made elsewhere (such as the default `Order.PoNumber`).
#[derive(Debug, Clone, Default)]
pub struct FieldMapping {
    fields: Vec<MappedField>,
}

impl FieldMapping {
    pub fn all(&self) -> &[MappedField] {
        &self.fields
    }

    /// The valid fields mapped on `object` with their templates (start-up refused the others).
    pub fn for_object(&self, object: SfObject) -> impl Iterator<Item = (&str, &Template)> {
        self.fields
            .iter()
            .filter(move |m| m.object == Some(object))
            .filter_map(|m| Some((m.field.as_str(), m.template.as_ref().ok()?)))
    }

    /// Maps `field` on `object` (replacing a mapping of the same field), as a file would; the
    /// demo adds its store-admin link this way.
    pub fn insert(
        &mut self,
        object: SfObject,
        field: &str,
        template: &str,
    ) -> Result<(), TemplateError> {
        let template = Template::parse(template)?;
        self.fields
            .retain(|m| !(m.object == Some(object) && m.field.eq_ignore_ascii_case(field)));
        self.fields.push(MappedField {
            object_key: object.name().to_string(),
            object: Some(object),
            field: field.to_string(),
            template: Ok(template),
        });
        Ok(())
    }

    /// Each problem as `key: what is wrong`, for start-up.
    pub(super) fn problems(&self, keys: &FieldNames) -> Vec<String> {
        let mut out = Vec::new();
        for m in &self.fields {
            let Some(object) = m.object else {
                let names: Vec<&str> = SfObject::ALL.iter().map(|o| o.name()).collect();
                out.push(format!(
                    "salesforce.mapping.{}: {:?} is not an object order-sync writes (one of {})",
                    m.object_key,
                    m.object_key,
                    names.join(", ")
                ));
                continue;
            };
            if let Some(p) = field_problem(m, object, keys) {
                out.push(format!("{}: {p}", m.key()));
            }
        }
        out
    }
}

fn field_problem(m: &MappedField, object: SfObject, keys: &FieldNames) -> Option<String> {
    let f = &m.field;
    let relationship = ["__r", "__mdt", "__x"].iter().any(|s| f.ends_with(s));
    if !is_api_name(f) || relationship {
        return Some(format!(
            "{f:?} is not a field API name (letters, digits and underscores, starting with a letter, \
             custom fields ending in __c, e.g. \"Store_Order_URL__c\")"
        ));
    }
    if object.writes_itself(f, keys) {
        return Some(format!(
            "order-sync writes {}.{f} itself; map another field (README: Field mapping)",
            object.name()
        ));
    }
    let template = match &m.template {
        Ok(t) => t,
        Err(e) => return Some(e.to_string()),
    };
    let line_value = template.placeholders().find(|p| p.is_line());
    if let Some(p) = line_value.filter(|_| !object.is_line()) {
        return Some(format!(
            "{{{}}} is a line value: only QuoteLineItem and OrderItem mappings may use it",
            p.name()
        ));
    }
    None
}

impl<'de> Deserialize<'de> for FieldMapping {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tables = BTreeMap::<String, ObjectTable>::deserialize(d)?;
        // Keys sort upper case first, so an environment table (`order`) comes after the file's
        // (`Order`) and its fields win, as the environment wins everywhere else. Salesforce
        // field names ignore case, so `PoNumber` and `ponumber` are one field: the later wins.
        let mut fields: Vec<MappedField> = Vec::new();
        for (object_key, table) in tables {
            for (field, source) in table.0 {
                let object = SfObject::parse(&object_key);
                fields.retain(|m| {
                    !(m.object.is_some()
                        && m.object == object
                        && m.field.eq_ignore_ascii_case(&field))
                });
                if source.is_empty() {
                    continue;
                }
                fields.push(MappedField {
                    object_key: object_key.clone(),
                    object,
                    template: Template::parse(&source),
                    field,
                });
            }
        }
        Ok(FieldMapping { fields })
    }
}

/// One object's fields: a TOML table, or a JSON object in a string (from the environment).
struct ObjectTable(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for ObjectTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TableVisitor)
    }
}

struct TableVisitor;

impl<'de> Visitor<'de> for TableVisitor {
    type Value = ObjectTable;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a table of field = "template", or a JSON object {"Field__c": "template"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ObjectTable, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, String>()? {
            out.insert(k, v);
        }
        Ok(ObjectTable(out))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ObjectTable, E> {
        serde_json::from_str(v).map(ObjectTable).map_err(|e| {
            E::custom(format!(
                "a mapping from the environment must be a JSON object of strings, e.g. \
                 {{\"Store_Order_Number__c\": \"{{order.number}}\"}} ({e})"
            ))
        })
    }
}
