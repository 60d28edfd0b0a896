//! Walks the model: keys, reference ids and id slots must each name one thing.

use std::collections::HashSet;

use super::*;
use crate::config::Settings;

fn fields() -> FieldNames {
    Settings::load_with_env(None, Some(Default::default()))
        .unwrap()
        .salesforce
        .fields
}

#[test]
fn the_model_is_in_enum_order_and_names_parse_back() {
    assert_eq!(MODEL.len(), SfObject::ALL.len());
    for (m, o) in MODEL.iter().zip(SfObject::ALL) {
        assert_eq!(m.object, o, "MODEL[{}] must be SfObject::{o:?}", o as usize);
        assert_eq!(SfObject::parse(m.name), Some(o));
        assert_eq!(SfObject::parse(&m.name.to_lowercase()), Some(o));
    }
}

#[test]
fn every_object_has_a_key_field_and_a_setting_naming_it() {
    let f = fields();
    for m in &MODEL {
        assert!(!m.key.field(&f).is_empty(), "{} has no key", m.name);
        assert!(m.key.setting().starts_with("salesforce.fields."));
        assert!(!m.written.is_empty(), "{} writes nothing", m.name);
    }
}

#[test]
fn every_reference_id_names_exactly_one_object() {
    let mut seen = HashSet::new();
    for m in &MODEL {
        let (Reference::One(r) | Reference::PerLine(r)) = m.reference;
        for r in std::iter::once(r).chain(m.other_references.iter().copied()) {
            assert!(seen.insert(r), "reference {r} is used twice");
        }
    }
    // What the graph sends, read back: each node to its own object and no other.
    for (reference, object) in [
        ("acct", SfObject::Account),
        ("contact", SfObject::Contact),
        ("opp", SfObject::Opportunity),
        ("quote", SfObject::Quote),
        ("qli17", SfObject::QuoteLineItem),
        ("order", SfObject::Order),
        ("activate", SfObject::Order),
        ("oi17", SfObject::OrderItem),
    ] {
        let found: Vec<SfObject> = MODEL
            .iter()
            .filter(|m| m.answers_to(reference))
            .map(|m| m.object)
            .collect();
        assert_eq!(found, [object], "{reference}");
    }
    assert!(by_reference("oi").is_none() && by_reference("qlix").is_none());
}

#[test]
fn id_slots_and_their_columns_are_unique_and_lines_keep_none() {
    let slots: Vec<IdSlot> = MODEL.iter().filter_map(|m| m.id_slot).collect();
    let columns: HashSet<&str> = slots.iter().map(|s| s.column()).collect();
    assert_eq!(columns.len(), slots.len());
    for (i, s) in slots.iter().enumerate() {
        assert!(!slots[i + 1..].contains(s), "{s:?} kept twice");
    }
    for m in &MODEL {
        assert_eq!(m.id_slot.is_none(), m.object.is_line(), "{}", m.name);
    }
    // The Opportunity's id is what every later change of the order is sent to.
    assert_eq!(
        SfObject::Opportunity.model().id_slot,
        Some(IdSlot::Opportunity)
    );
}

#[test]
fn insert_only_fields_are_fields_the_object_writes() {
    for m in &MODEL {
        for f in m.insert_only {
            let currency = *f == "CurrencyIsoCode" && m.currency;
            assert!(m.written.contains(f) || currency, "{}.{f}", m.name);
        }
    }
}

#[test]
fn a_node_refers_only_to_objects_before_it() {
    assert_eq!(SfObject::Account.id_ref(), "@{acct.id}");
    for (i, m) in MODEL.iter().enumerate() {
        for parent in m.written.iter().filter_map(|f| f.strip_suffix("Id")) {
            if let Some(p) = SfObject::parse(parent) {
                assert!((p as usize) < i, "{} refers to the later {parent}", m.name);
            }
        }
    }
}

#[test]
fn the_write_back_sets_the_column_of_every_id_the_model_keeps() {
    // The store's write-back (store/outcome.rs) keeps each returned id in the model's column:
    // a slot added here without a column there would lose its id.
    let write_back = include_str!("../../store/outcome.rs");
    for m in &MODEL {
        if let Some(slot) = m.id_slot {
            let set = format!("{} = :", slot.column());
            assert!(write_back.contains(&set), "{} is not written back", m.name);
        }
    }
}
