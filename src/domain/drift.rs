//! The vocabulary of a reconcile: each way Salesforce can disagree with the store about a sent
//! order ([`Kind`]), what mends it ([`Mend`]), and one disagreement ([`Drift`]). Here, not in
//! `reconcile`, because the store keeps the last reconcile's findings and reads them back as these.

use super::{OrderId, SalesforceIds};

/// The kinds of disagreement, as metrics, `--json` and the stored findings name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An Opportunity, Quote, Order or line item of a sent order is not in Salesforce.
    Missing,
    /// The Opportunity Amount is not the order's.
    Amount,
    /// A line item's quantity or price is not the order line's.
    Lines,
    /// The stage or Order status is not what the store status shows.
    Status,
    /// More records than one carry an order's key, or line items beyond its lines.
    Duplicate,
    /// A Salesforce record names a store order the store does not have.
    Orphan,
    /// order-sync keeps a record id Salesforce no longer uses for that record.
    StaleId,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Missing,
        Kind::Amount,
        Kind::Lines,
        Kind::Status,
        Kind::Duplicate,
        Kind::Orphan,
        Kind::StaleId,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Amount => "amount",
            Kind::Lines => "lines",
            Kind::Status => "status",
            Kind::Duplicate => "duplicate",
            Kind::Orphan => "orphan",
            Kind::StaleId => "stale_id",
        }
    }

    /// The kind `name` names; None for any other text.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What fixing a disagreement does (`reconcile --fix`, the console's Fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mend {
    /// Send the order again as it is now (upserts by External ID: nothing is duplicated).
    Resend,
    /// Keep the ids Salesforce uses now (only the record found, the other slots unset).
    AdoptIds(SalesforceIds),
    /// Nothing order-sync may do: what a person must do in Salesforce.
    Human(String),
}

impl Mend {
    /// `resend`, `adopt` or `human`: how the stored findings name it.
    pub fn name(&self) -> &'static str {
        match self {
            Mend::Resend => "resend",
            Mend::AdoptIds(_) => "adopt",
            Mend::Human(_) => "human",
        }
    }

    /// Whether order-sync can do it (a person must do the rest).
    pub fn is_fixable(&self) -> bool {
        !matches!(self, Mend::Human(_))
    }

    /// What fixing does, in words (or, left to a person, what they must do).
    pub fn words(&self) -> String {
        match self {
            Mend::Resend => "sends the order again as it is now".into(),
            Mend::AdoptIds(_) => "keeps the id Salesforce uses now".into(),
            Mend::Human(what) => what.clone(),
        }
    }
}

/// One disagreement of one order (or, for an orphan, of one Salesforce record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub order_id: OrderId,
    pub kind: Kind,
    pub what: String,
    pub mend: Mend,
}

impl Drift {
    pub fn new(order_id: OrderId, kind: Kind, what: impl Into<String>, mend: Mend) -> Drift {
        Drift {
            order_id,
            kind,
            what: what.into(),
            mend,
        }
    }

    /// What `--fix` does, in words.
    pub fn fix_words(&self) -> String {
        match &self.mend {
            Mend::Human(what) => format!("left to a person: {what}"),
            fixable => format!("--fix {}", fixable.words()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_is_read_back_from_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("Missing"), None);
    }
}
