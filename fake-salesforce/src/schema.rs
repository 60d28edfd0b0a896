//! Object metadata: standard and custom fields, external ids, picklists, removed fields, rules.
//! Nothing is invented on write: tests declare custom fields with `FakeSalesforce::add_field`.

use serde_json::{Value, json};

use crate::catalog::{
    AUDIT, EXTERNAL_IDS, READ_ONLY, REQUIRED, STANDARD, picklist_for, standard_type,
};

#[derive(Clone, Debug)]
pub(crate) struct FieldDef {
    pub name: String,
    pub ftype: String,
    pub external_id: bool,
    pub required: bool,
    /// Computed by Salesforce (system stamps, formulas): not createable, not updateable.
    pub read_only: bool,
    /// Characters a text field holds; None for other types.
    pub length: Option<usize>,
    /// Active values of a (restricted) picklist.
    pub picklist: Vec<String>,
}

impl FieldDef {
    fn new(object: &str, name: &str, ftype: &str) -> FieldDef {
        FieldDef {
            name: name.to_string(),
            ftype: ftype.to_string(),
            external_id: EXTERNAL_IDS.contains(&name),
            required: false,
            read_only: AUDIT.contains(&name)
                || READ_ONLY.iter().any(|(o, f)| *o == object && *f == name),
            length: default_length(ftype),
            picklist: picklist_for(object, name)
                .iter()
                .map(|v| v.to_string())
                .collect(),
        }
    }
}

/// A text field's length as a new field of that type gets it in Setup.
fn default_length(ftype: &str) -> Option<usize> {
    match ftype {
        "string" | "url" | "picklist" => Some(255),
        "textarea" => Some(32_768),
        "email" => Some(80),
        "phone" => Some(40),
        _ => None,
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ObjectDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

/// A validation rule added by a test: writing `field == value` fails with `message`.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub object: String,
    pub field: String,
    pub value: String,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Schema {
    objects: Vec<ObjectDef>,
    pub rules: Vec<Rule>,
}

fn standard_object(name: &str, fields: &[&str]) -> ObjectDef {
    let required = REQUIRED
        .iter()
        .find(|(o, _)| *o == name)
        .map_or(&[][..], |(_, r)| *r);
    let fields = AUDIT.iter().chain(fields).map(|f| FieldDef {
        required: required.contains(f),
        ..FieldDef::new(name, f, standard_type(name, f))
    });
    ObjectDef {
        name: name.to_string(),
        fields: fields.collect(),
    }
}

impl Schema {
    pub fn standard() -> Self {
        let objects = STANDARD
            .iter()
            .map(|(o, f)| standard_object(o, f))
            .collect();
        Schema {
            objects,
            rules: Vec::new(),
        }
    }

    /// Adds a standard object an org feature turns on (multiple currencies: CurrencyType).
    pub fn add_object(&mut self, name: &str, fields: &[&str]) {
        if self.object(name).is_none() {
            self.objects.push(standard_object(name, fields));
        }
    }

    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub fn field(&self, object: &str, field: &str) -> Option<&FieldDef> {
        self.object(object)?
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field))
    }

    pub fn required_fields(&self, object: &str) -> Vec<String> {
        let Some(o) = self.object(object) else {
            return Vec::new();
        };
        o.fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.clone())
            .collect()
    }

    pub fn external_id_fields(&self, object: &str) -> Vec<String> {
        let Some(o) = self.object(object) else {
            return Vec::new();
        };
        o.fields
            .iter()
            .filter(|f| f.external_id)
            .map(|f| f.name.clone())
            .collect()
    }

    fn field_mut(&mut self, object: &str, field: &str) -> Option<&mut FieldDef> {
        self.objects
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(object))?
            .fields
            .iter_mut()
            .find(|f| f.name.eq_ignore_ascii_case(field))
    }

    /// Declares a field (as an admin adds one in Setup); an existing one changes its type.
    /// Returns false when the object does not exist.
    pub fn add_field(&mut self, object: &str, field: &str, ftype: &str) -> bool {
        let Some(o) = self
            .objects
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(object))
        else {
            return false;
        };
        let def = FieldDef::new(&o.name, field, ftype);
        o.fields.retain(|f| !f.name.eq_ignore_ascii_case(field));
        o.fields.push(def);
        true
    }

    /// Applies `change` to a declared field; false when there is no such field.
    pub fn change_field(
        &mut self,
        object: &str,
        field: &str,
        change: impl FnOnce(&mut FieldDef),
    ) -> bool {
        match self.field_mut(object, field) {
            Some(f) => {
                change(f);
                true
            }
            None => false,
        }
    }

    /// Deletes a field: describe no longer lists it, writes and queries naming it fail.
    pub fn remove_field(&mut self, object: &str, field: &str) {
        if let Some(o) = self
            .objects
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(object))
        {
            o.fields.retain(|f| !f.name.eq_ignore_ascii_case(field));
        }
    }

    /// The `GET /sobjects/{Obj}/describe` body.
    pub fn describe(&self, object: &str) -> Option<Value> {
        let o = self.object(object)?;
        let fields: Vec<Value> = o.fields.iter().map(describe_field).collect();
        Some(json!({
            "name": o.name,
            "label": o.name,
            "custom": o.name.ends_with("__c"),
            "keyPrefix": crate::record::key_prefix(&o.name),
            "createable": true,
            "updateable": true,
            "fields": fields,
        }))
    }
}

fn describe_field(f: &FieldDef) -> Value {
    let system = AUDIT.contains(&f.name.as_str());
    let writable = !f.read_only;
    let picklist: Vec<Value> = f
        .picklist
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"active": true, "defaultValue": i == 0, "label": v, "value": v, "validFor": null}))
        .collect();
    json!({
        "name": f.name,
        "label": f.name,
        "type": f.ftype,
        "custom": f.name.ends_with("__c"),
        "externalId": f.external_id,
        "unique": f.external_id,
        "idLookup": f.external_id || f.name == "Id",
        "length": f.length.unwrap_or(0),
        "nillable": !(system || f.required || f.ftype == "boolean"),
        "createable": writable,
        "updateable": writable,
        "picklistValues": picklist,
    })
}
