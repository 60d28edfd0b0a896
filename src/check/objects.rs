//! check's part of the Salesforce model: each object order-sync writes is described, and its
//! External ID key and written fields checked (plus the repair loop's evaluation object).

use std::collections::HashMap;

use super::CheckItem;
use crate::config::Settings;
use crate::salesforce::{MODEL, ObjectDescription, ObjectModel, Salesforce, SfError};

/// An object the sync upserts: its External ID field (with the config key naming it) and the fields it writes.
pub(super) struct Upserted<'a> {
    pub object: &'a str,
    pub key: &'a str,
    pub key_setting: &'static str,
    pub writes: &'static [&'static str],
}

/// Every object an order graph writes, with its key and the fields it sets: the model (objects.rs).
pub(super) fn upserted(settings: &Settings) -> Vec<Upserted<'_>> {
    upserted_of(&MODEL, settings)
}

/// The objects of `model` as check describes them.
pub(super) fn upserted_of<'a>(
    model: &'a [ObjectModel],
    settings: &'a Settings,
) -> Vec<Upserted<'a>> {
    let f = &settings.salesforce.fields;
    model
        .iter()
        .map(|m| Upserted {
            object: m.name,
            key: m.key.field(f),
            key_setting: m.key.setting(),
            writes: m.written,
        })
        .collect()
}

/// Describes every object the sync touches and checks its key and written fields.
pub(super) async fn describe_all(
    sf: &Salesforce,
    settings: &Settings,
    items: &mut Vec<CheckItem>,
) -> HashMap<String, ObjectDescription> {
    let mut specs = upserted(settings);
    let repair = &settings.repair;
    if repair.enabled
        && !specs
            .iter()
            .any(|s| s.object.eq_ignore_ascii_case(&repair.evaluation_object))
    {
        // The repair loop finds orders on the evaluation object by the order External ID.
        let key = &settings.salesforce.fields.order_external_id;
        specs.push(Upserted {
            object: &repair.evaluation_object,
            key,
            key_setting: "salesforce.fields.order_external_id",
            writes: &[],
        });
    }
    let mut described = HashMap::new();
    for spec in &specs {
        match sf.describe(spec.object).await {
            Ok(d) => {
                items.push(key_check(spec, &d));
                if !spec.writes.is_empty() {
                    items.push(fields_check(spec, &d));
                }
                described.insert(spec.object.to_string(), d);
            }
            Err(e) => items.push(describe_failed(spec.object, &e)),
        }
    }
    described
}

fn describe_failed(object: &str, e: &SfError) -> CheckItem {
    CheckItem::fail(
        format!("{object} could not be described: {e}"),
        format!(
            "the integration user needs read access to {object} (profile or permission set), and the object must exist in this org"
        ),
    )
}

fn key_check(spec: &Upserted, d: &ObjectDescription) -> CheckItem {
    let (object, key) = (spec.object, spec.key);
    let label = format!("{object}.{key} is an External ID, Unique field");
    match d.field(key) {
        Some(f) if f.external_id && f.unique => CheckItem::pass(label),
        Some(_) => CheckItem::fail(
            format!("{object}.{key} is not marked External ID and Unique"),
            format!(
                "in Setup → Object Manager → {object} → Fields, edit {key} and tick both \"External ID\" and \"Unique\""
            ),
        ),
        None => CheckItem::fail(
            format!("{object}.{key} is missing"),
            format!(
                "create a Text field {key} on {object} with \"External ID\" and \"Unique\" ticked and give the integration \
                user edit access to it, or set {} to the field you use",
                spec.key_setting
            ),
        ),
    }
}

fn fields_check(spec: &Upserted, d: &ObjectDescription) -> CheckItem {
    let missing: Vec<&str> = spec
        .writes
        .iter()
        .copied()
        .filter(|f| d.field(f).is_none())
        .collect();
    if missing.is_empty() {
        return CheckItem::pass(format!(
            "{} has the fields order-sync writes ({})",
            spec.object,
            spec.writes.join(", ")
        ));
    }
    CheckItem::fail(
        format!(
            "{} lacks fields order-sync writes: {}",
            spec.object,
            missing.join(", ")
        ),
        format!(
            "give the integration user read and edit access to {} (field-level security) on {}",
            missing.join(", "),
            spec.object
        ),
    )
}
