//! The Salesforce objects an order graph writes, as data: each one's name, whether it holds an
//! order line, and the fields order-sync itself sets on it (besides its External ID key).

use crate::config::FieldNames;

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

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            SfObject::Account => "Account",
            SfObject::Contact => "Contact",
            SfObject::Opportunity => "Opportunity",
            SfObject::Quote => "Quote",
            SfObject::QuoteLineItem => "QuoteLineItem",
            SfObject::Order => "Order",
            SfObject::OrderItem => "OrderItem",
        }
    }

    /// The object with this API name (any case, as Salesforce compares them).
    pub fn parse(name: &str) -> Option<SfObject> {
        Self::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(name))
    }

    /// One record per order line (QuoteLineItem, OrderItem), not per order.
    pub fn is_line(self) -> bool {
        matches!(self, SfObject::QuoteLineItem | SfObject::OrderItem)
    }

    /// The fields the order graph (graph.rs) sets on this object, besides its key. (Order's
    /// PoNumber is a default mapping in config/default.toml, so a mapping may change it.)
    pub fn written_fields(self) -> &'static [&'static str] {
        match self {
            SfObject::Account => &["Name"],
            SfObject::Contact => &["FirstName", "LastName", "Email", "Phone", "AccountId"],
            SfObject::Opportunity => &[
                "Name",
                "StageName",
                "CloseDate",
                "Amount",
                "AccountId",
                "Pricebook2Id",
            ],
            SfObject::Quote => &["Name", "OpportunityId", "Pricebook2Id", "ContactId"],
            SfObject::QuoteLineItem => &["QuoteId", "PricebookEntryId", "Quantity", "UnitPrice"],
            SfObject::Order => &[
                "AccountId",
                "EffectiveDate",
                "Status",
                "Pricebook2Id",
                "OpportunityId",
                "QuoteId",
            ],
            SfObject::OrderItem => &["OrderId", "PricebookEntryId", "Quantity", "UnitPrice"],
        }
    }

    /// The External ID field that keys this object's upserts.
    pub fn key_field(self, fields: &FieldNames) -> &str {
        match self {
            SfObject::Account | SfObject::Contact => &fields.customer_external_id,
            SfObject::Opportunity | SfObject::Quote | SfObject::Order => &fields.order_external_id,
            SfObject::QuoteLineItem | SfObject::OrderItem => &fields.line_external_id,
        }
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
