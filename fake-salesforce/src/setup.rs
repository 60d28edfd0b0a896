//! Setup changes a test makes as an org's admin would: fields declared, removed or changed,
//! picklist values, External IDs, validation rules.

use crate::FakeSalesforce;
use crate::schema::Rule;

impl FakeSalesforce {
    /// Declares a field on a standard object, as an admin adds one in Setup: `ftype` is a describe
    /// type (`string`, `textarea`, `url`, `double`, `int`, `currency`, `percent`, `date`,
    /// `datetime`, `boolean`, `picklist`, `reference`, …). A picklist starts with no values (see
    /// [`FakeSalesforce::add_picklist_value`]); text fields get Setup's default length.
    /// Panics on an unknown object, as that is a test bug.
    pub fn add_field(&self, object: &str, field: &str, ftype: &str) {
        let added = self.state().store.schema.add_field(object, field, ftype);
        assert!(added, "add_field: the fake has no object {object}");
    }

    /// Whether `object` has `field` (any case), as describe would list it.
    pub fn has_field(&self, object: &str, field: &str) -> bool {
        self.state().store.schema.field(object, field).is_some()
    }

    /// Adds an active value to a restricted picklist (StageName, Order Status, Quote Status, or a
    /// field added with type `picklist`); writes of values not in the list fail with
    /// INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST. Panics on an unknown field.
    pub fn add_picklist_value(&self, object: &str, field: &str, value: &str) {
        let changed = self.state().store.schema.change_field(object, field, |f| {
            if !f.picklist.iter().any(|v| v == value) {
                f.picklist.push(value.to_string());
            }
        });
        assert!(
            changed,
            "add_picklist_value: the fake has no field {object}.{field}"
        );
    }

    /// Sets a text field's length (describe's `length`); longer values fail with STRING_TOO_LONG.
    pub fn set_field_length(&self, object: &str, field: &str, length: usize) {
        let changed = self.state().store.schema.change_field(object, field, |f| {
            f.length = Some(length);
        });
        assert!(
            changed,
            "set_field_length: the fake has no field {object}.{field}"
        );
    }

    /// Makes a field computed (a formula, a roll-up): describe says it is neither createable nor
    /// updateable and writes naming it fail with INVALID_FIELD_FOR_INSERT_UPDATE.
    pub fn make_read_only(&self, object: &str, field: &str) {
        let changed = self.state().store.schema.change_field(object, field, |f| {
            f.read_only = true;
        });
        assert!(
            changed,
            "make_read_only: the fake has no field {object}.{field}"
        );
    }

    /// Declares (or un-declares) a field as an External ID, Unique: upserts may key on it.
    pub fn set_external_id(&self, object: &str, field: &str, external_id: bool) {
        let changed = self.state().store.schema.change_field(object, field, |f| {
            f.external_id = external_id;
        });
        assert!(
            changed,
            "set_external_id: the fake has no field {object}.{field}"
        );
    }

    /// Removes a field: describe no longer lists it and writes or queries naming it fail.
    pub fn remove_field(&self, object: &str, field: &str) {
        self.state().store.schema.remove_field(object, field);
    }

    /// A write setting `field` to `value` fails with 400 FIELD_CUSTOM_VALIDATION_EXCEPTION.
    pub fn add_validation_rule(&self, object: &str, field: &str, value: &str, message: &str) {
        let rule = Rule {
            object: object.into(),
            field: field.into(),
            value: value.into(),
            message: message.into(),
        };
        self.state().store.schema.rules.push(rule);
    }
}
