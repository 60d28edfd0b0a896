//! Parent-to-child relationships of the standard objects, as data: SOQL subqueries name them
//! and deletes follow them.

/// What deleting a parent does to the children of one relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnDelete {
    /// The children are deleted too (and their own children, in turn).
    Cascade,
    /// The children stay; their reference field is cleared.
    Clear,
}

/// A parent-to-child relationship: SOQL subqueries name it, deletes follow it.
pub(crate) struct ChildRelationship {
    pub parent: &'static str,
    /// The relationship name a subquery's FROM uses (the child's plural).
    pub name: &'static str,
    pub child: &'static str,
    /// The child's reference field naming the parent.
    pub field: &'static str,
    pub on_delete: OnDelete,
}

const fn rel(
    parent: &'static str,
    name: &'static str,
    child: &'static str,
    field: &'static str,
    on_delete: OnDelete,
) -> ChildRelationship {
    ChildRelationship {
        parent,
        name,
        child,
        field,
        on_delete,
    }
}

/// Deleting an Account takes its Contacts, Opportunities and Orders with it; an Opportunity its
/// Quotes but not its Orders (they lose the link); a Quote or an Order its lines. Any other
/// reference to a deleted record is cleared, as a lookup's default is.
pub(crate) const CHILD_RELATIONSHIPS: &[ChildRelationship] = &[
    rel(
        "Account",
        "Contacts",
        "Contact",
        "AccountId",
        OnDelete::Cascade,
    ),
    rel(
        "Account",
        "Opportunities",
        "Opportunity",
        "AccountId",
        OnDelete::Cascade,
    ),
    rel("Account", "Orders", "Order", "AccountId", OnDelete::Cascade),
    rel(
        "Opportunity",
        "Quotes",
        "Quote",
        "OpportunityId",
        OnDelete::Cascade,
    ),
    rel(
        "Opportunity",
        "Orders",
        "Order",
        "OpportunityId",
        OnDelete::Clear,
    ),
    rel(
        "Quote",
        "QuoteLineItems",
        "QuoteLineItem",
        "QuoteId",
        OnDelete::Cascade,
    ),
    rel(
        "Order",
        "OrderItems",
        "OrderItem",
        "OrderId",
        OnDelete::Cascade,
    ),
];
