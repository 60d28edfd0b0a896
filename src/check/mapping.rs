//! `check` for `[salesforce.mapping]`: each mapped field exists in the org, can be written, and
//! can take what its template produces (type and length), judged against the describe.

use std::collections::HashMap;

use super::CheckItem;
use crate::config::{MappedField, Settings};
use crate::salesforce::{ObjectDescription, field_fit};

/// One item per mapped field; objects that could not be described already have their ✗.
pub(super) fn checks(
    settings: &Settings,
    described: &HashMap<String, ObjectDescription>,
) -> Vec<CheckItem> {
    let mut items = Vec::new();
    for m in settings.salesforce.mapping.all() {
        let (Some(object), Ok(template)) = (m.object, &m.template) else {
            continue; // start-up refuses these
        };
        let Some(d) = described.get(object.name()) else {
            continue;
        };
        let name = format!("{}.{}", object.name(), m.field);
        let item = match d.field(&m.field) {
            None => missing(m, object.name(), &name),
            Some(f) => match field_fit(template, f) {
                Ok(note) => CheckItem::pass(format!("{name} takes \"{template}\": {note}")),
                Err(problem) => CheckItem::fail(
                    format!("{name} cannot take \"{template}\": {problem}"),
                    format!(
                        "change the field in Setup → Object Manager → {}, or change or remove {}",
                        object.name(),
                        m.key()
                    ),
                ),
            },
        };
        items.push(item);
    }
    items
}

fn missing(m: &MappedField, object: &str, name: &str) -> CheckItem {
    CheckItem::fail(
        format!("{name} is missing (mapped by {})", m.key()),
        format!(
            "create the field on {object} and give the integration user edit access to it \
             (field-level security), or remove {}",
            m.key()
        ),
    )
}
