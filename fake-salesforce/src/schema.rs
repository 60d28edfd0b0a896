//! Object metadata: standard and custom fields, external ids, picklists, removed fields, rules.

use serde_json::{Value, json};

use crate::catalog::{
    AUDIT, EXTERNAL_IDS, REQUIRED, STANDARD, inferred_type, picklist_for, standard_type,
};

#[derive(Clone, Debug)]
pub(crate) struct FieldDef {
    pub name: String,
    pub ftype: &'static str,
    pub external_id: bool,
    pub required: bool,
    pub picklist: &'static [&'static str],
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
    /// (object, field) pairs removed by a test; writes naming them fail with INVALID_FIELD.
    removed: Vec<(String, String)>,
    pub rules: Vec<Rule>,
}

fn standard_object(name: &str, fields: &[&str]) -> ObjectDef {
    let required = REQUIRED
        .iter()
        .find(|(o, _)| *o == name)
        .map_or(&[][..], |(_, r)| *r);
    let fields = AUDIT.iter().chain(fields).map(|f| FieldDef {
        name: f.to_string(),
        ftype: standard_type(name, f),
        external_id: EXTERNAL_IDS.contains(f),
        required: required.contains(f),
        picklist: picklist_for(name, f),
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
            removed: Vec::new(),
            rules: Vec::new(),
        }
    }

    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// Canonical spelling of an object, creating an (empty) custom object on first write.
    pub fn ensure_object(&mut self, name: &str) -> String {
        if let Some(o) = self.object(name) {
            return o.name.clone();
        }
        let fields = AUDIT.iter().map(|f| FieldDef {
            name: f.to_string(),
            ftype: standard_type(name, f),
            external_id: false,
            required: false,
            picklist: &[],
        });
        self.objects.push(ObjectDef {
            name: name.to_string(),
            fields: fields.collect(),
        });
        name.to_string()
    }

    pub fn field(&self, object: &str, field: &str) -> Option<&FieldDef> {
        self.object(object)?
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field))
    }

    pub fn is_removed(&self, object: &str, field: &str) -> bool {
        self.removed
            .iter()
            .any(|(o, f)| o.eq_ignore_ascii_case(object) && f.eq_ignore_ascii_case(field))
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

    /// Records a written field so describe lists it; returns its canonical spelling.
    pub fn note_written(&mut self, object: &str, field: &str, value: &Value) -> String {
        if let Some(f) = self.field(object, field) {
            return f.name.clone();
        }
        let object = self.ensure_object(object);
        let def = FieldDef {
            name: field.to_string(),
            ftype: inferred_type(field, value),
            external_id: false,
            required: false,
            picklist: &[],
        };
        if let Some(o) = self.objects.iter_mut().find(|o| o.name == object) {
            o.fields.push(def);
        }
        field.to_string()
    }

    /// Declares a field (a standard field an org feature turns on) unless it exists.
    pub fn add_field(&mut self, object: &str, field: &str, ftype: &'static str) {
        if self.field(object, field).is_some() {
            return;
        }
        let object = self.ensure_object(object);
        if let Some(o) = self.objects.iter_mut().find(|o| o.name == object) {
            o.fields.push(FieldDef {
                name: field.to_string(),
                ftype,
                external_id: false,
                required: false,
                picklist: &[],
            });
        }
    }

    pub fn remove_field(&mut self, object: &str, field: &str) {
        if let Some(o) = self
            .objects
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(object))
        {
            o.fields.retain(|f| !f.name.eq_ignore_ascii_case(field));
        }
        self.removed.push((object.to_string(), field.to_string()));
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
        "nillable": !(system || f.required || f.ftype == "boolean"),
        "createable": !system,
        "updateable": !system,
        "picklistValues": picklist,
    })
}
