//! check lists what the Salesforce model lists: a new entry is described and checked with no
//! change here.

use super::objects::{Upserted, upserted, upserted_of};
use crate::config::Settings;
use crate::salesforce::{Key, Reference, SfObject};
use crate::salesforce::{MODEL, ObjectModel};

fn settings() -> Settings {
    Settings::load_with_env(None, Some(Default::default())).unwrap()
}

fn listed<'a>(
    u: &[Upserted<'a>],
) -> Vec<(&'a str, &'a str, &'static str, &'static [&'static str])> {
    u.iter()
        .map(|u| (u.object, u.key, u.key_setting, u.writes))
        .collect()
}

#[test]
fn check_describes_exactly_the_objects_of_the_model() {
    let s = settings();
    let f = &s.salesforce.fields;
    let model: Vec<_> = MODEL
        .iter()
        .map(|m| (m.name, m.key.field(f), m.key.setting(), m.written))
        .collect();
    assert_eq!(listed(&upserted(&s)), model);
    assert_eq!(upserted(&s)[2].key, f.order_external_id);
}

#[test]
fn one_more_model_entry_is_one_more_object_check_describes() {
    let s = settings();
    let invoice = ObjectModel {
        object: SfObject::Order,
        name: "Invoice__c",
        key: Key::Order,
        reference: Reference::One("invoice"),
        other_references: &[],
        id_slot: None,
        written: &["Amount__c", "Order__c"],
        insert_only: &["Order__c"],
        currency: true,
        on_evaluations: false,
        id_prefix: None,
    };
    let model: Vec<ObjectModel> = MODEL.into_iter().chain([invoice]).collect();
    let u = upserted_of(&model, &s);
    assert_eq!(u.len(), MODEL.len() + 1);
    let last = listed(&u).pop().unwrap();
    assert_eq!(
        last,
        (
            "Invoice__c",
            s.salesforce.fields.order_external_id.as_str(),
            "salesforce.fields.order_external_id",
            &["Amount__c", "Order__c"][..]
        )
    );
}
