//! The Salesforce model as data: every object an order graph writes, its External ID key, the
//! reference id of its node, the fields it writes (and which only on insert), where its returned
//! id is kept and on which routes it exists. Graph building, re-send lookups, `link` and `check`
//! read this table; adding an object is one entry here (and its body in graph.rs).

mod parts;

pub use parts::{IdSlot, Key, Reference};

use crate::config::FieldNames;
use crate::domain::Route;

/// An object order-sync writes; the only objects a field mapping may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SfObject {
    Account,
    Contact,
    Opportunity,
    Quote,
    QuoteLineItem,
    Order,
    OrderItem,
}

/// One object of the model.
#[derive(Debug)]
pub struct ObjectModel {
    pub object: SfObject,
    /// The API name.
    pub name: &'static str,
    /// Which External ID setting keys its upserts, and which value of the order fills it.
    pub key: Key,
    /// Its node's reference id in an order graph.
    pub reference: Reference,
    /// Further nodes on the same record (the Order's activating update).
    pub other_references: &'static [&'static str],
    /// Where the returned id is kept: the `SalesforceIds` slot and its `order_sync_state` column.
    pub id_slot: Option<IdSlot>,
    /// The fields the order graph sets on it, besides its key. (Order's PoNumber is a default
    /// mapping in config/default.toml, so a mapping may change it.)
    pub written: &'static [&'static str],
    /// Fields Salesforce takes on insert only: a re-send of an existing record leaves them out.
    pub insert_only: &'static [&'static str],
    /// Written in the order's currency in a multi-currency org.
    pub currency: bool,
    /// Whether an evaluation (Awaiting Evaluation) has one; other routes all do.
    pub on_evaluations: bool,
    /// Its record id prefix, for a plain "that is a Quote id" answer in `link`.
    pub id_prefix: Option<&'static str>,
}

/// The reference id of the update that activates an Order once its products exist.
pub const ACTIVATION_REFERENCE: &str = "activate";

/// The reference id of a re-send's update that sets the Order status its store status shows.
pub const SHOWN_REFERENCE: &str = "shown";

/// The model, in graph node order (a node may only refer to nodes before it).
pub const MODEL: [ObjectModel; 7] = [
    ObjectModel {
        object: SfObject::Account,
        name: "Account",
        key: Key::Customer,
        reference: Reference::One("acct"),
        other_references: &[],
        id_slot: Some(IdSlot::Account),
        written: &["Name"],
        insert_only: &[],
        currency: false,
        on_evaluations: true,
        id_prefix: Some("001"),
    },
    ObjectModel {
        object: SfObject::Contact,
        name: "Contact",
        key: Key::Customer,
        reference: Reference::One("contact"),
        other_references: &[],
        id_slot: Some(IdSlot::Contact),
        written: &["FirstName", "LastName", "Email", "Phone", "AccountId"],
        insert_only: &[],
        currency: false,
        on_evaluations: true,
        id_prefix: Some("003"),
    },
    ObjectModel {
        object: SfObject::Opportunity,
        name: "Opportunity",
        key: Key::Opportunity,
        reference: Reference::One("opp"),
        other_references: &[],
        id_slot: Some(IdSlot::Opportunity),
        written: &[
            "Name",
            "StageName",
            "CloseDate",
            "Amount",
            "AccountId",
            "Pricebook2Id",
        ],
        insert_only: &[],
        currency: true,
        on_evaluations: true,
        id_prefix: Some("006"),
    },
    ObjectModel {
        object: SfObject::Quote,
        name: "Quote",
        key: Key::Opportunity,
        reference: Reference::One("quote"),
        other_references: &[],
        id_slot: Some(IdSlot::Quote),
        written: &["Name", "OpportunityId", "Pricebook2Id", "ContactId"],
        // A quote's currency is its opportunity's, set once.
        insert_only: &["OpportunityId", "CurrencyIsoCode"],
        currency: true,
        on_evaluations: true,
        id_prefix: Some("0Q0"),
    },
    ObjectModel {
        object: SfObject::QuoteLineItem,
        name: "QuoteLineItem",
        key: Key::Line,
        reference: Reference::PerLine("qli"),
        other_references: &[],
        id_slot: None,
        written: &["QuoteId", "PricebookEntryId", "Quantity", "UnitPrice"],
        insert_only: &["QuoteId", "PricebookEntryId"],
        currency: false,
        on_evaluations: true,
        id_prefix: None,
    },
    ObjectModel {
        object: SfObject::Order,
        name: "Order",
        key: Key::Order,
        reference: Reference::One("order"),
        other_references: &[ACTIVATION_REFERENCE, SHOWN_REFERENCE],
        id_slot: Some(IdSlot::Order),
        written: &[
            "AccountId",
            "EffectiveDate",
            "Status",
            "Pricebook2Id",
            "OpportunityId",
            "QuoteId",
        ],
        insert_only: &[],
        currency: true,
        on_evaluations: false,
        id_prefix: Some("801"),
    },
    ObjectModel {
        object: SfObject::OrderItem,
        name: "OrderItem",
        key: Key::Line,
        reference: Reference::PerLine("oi"),
        other_references: &[],
        id_slot: None,
        written: &["OrderId", "PricebookEntryId", "Quantity", "UnitPrice"],
        insert_only: &["OrderId", "PricebookEntryId"],
        currency: false,
        on_evaluations: false,
        id_prefix: None,
    },
];

impl ObjectModel {
    /// Whether an order on `route` has this record.
    pub fn on_route(&self, route: Route) -> bool {
        self.on_evaluations || route.creates_salesforce_order()
    }

    /// Whether `reference` names a node on this object.
    pub fn answers_to(&self, reference: &str) -> bool {
        self.reference.matches(reference) || self.other_references.contains(&reference)
    }
}

/// The model entry of the node `reference` names.
pub fn by_reference(reference: &str) -> Option<&'static ObjectModel> {
    MODEL.iter().find(|m| m.answers_to(reference))
}

impl SfObject {
    pub const ALL: [SfObject; 7] = [
        SfObject::Account,
        SfObject::Contact,
        SfObject::Opportunity,
        SfObject::Quote,
        SfObject::QuoteLineItem,
        SfObject::Order,
        SfObject::OrderItem,
    ];

    /// Its entry in [`MODEL`].
    pub fn model(self) -> &'static ObjectModel {
        &MODEL[self as usize]
    }

    /// The API name.
    pub fn name(self) -> &'static str {
        self.model().name
    }

    /// The object with this API name (any case, as Salesforce compares them).
    pub fn parse(name: &str) -> Option<SfObject> {
        MODEL
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
            .map(|m| m.object)
    }

    /// One record per order line (QuoteLineItem, OrderItem), not per order.
    pub fn is_line(self) -> bool {
        matches!(self.model().reference, Reference::PerLine(_))
    }

    /// The fields the order graph sets on this object, besides its key.
    pub fn written_fields(self) -> &'static [&'static str] {
        self.model().written
    }

    /// The External ID field that keys this object's upserts.
    pub fn key_field(self, fields: &FieldNames) -> &str {
        self.model().key.field(fields)
    }

    /// `@{ref.id}`: the id of this object's record, as a later node of the same graph names it.
    pub fn id_ref(self) -> String {
        format!("@{{{}.id}}", self.model().reference.id(None))
    }

    /// Whether order-sync sets `field` itself (the key, Id, or a field of [`Self::written_fields`]),
    /// so a mapping must leave it alone.
    pub fn writes_itself(self, field: &str, fields: &FieldNames) -> bool {
        let same = |f: &str| f.eq_ignore_ascii_case(field);
        same("Id")
            || same(self.key_field(fields))
            || same("CurrencyIsoCode")
            || self.written_fields().iter().any(|f| same(f))
    }
}

#[cfg(test)]
mod tests;
