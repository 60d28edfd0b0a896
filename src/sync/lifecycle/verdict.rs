//! What a lookup by External ID says about a change whose update met a record that is not at
//! its stored id: moved (new ids to adopt), gone (to be written again), ambiguous (a person
//! chooses), or in place (the refusal was about something else). No I/O.

use crate::domain::SalesforceIds;
use crate::salesforce::{KeyedIds, SfObject};
use crate::store::ClaimedChange;

/// The (object, External ID value) of each record a status update writes by its stored id.
pub(super) fn keys(c: &ClaimedChange) -> [(SfObject, i64); 2] {
    [
        (SfObject::Opportunity, c.opportunity_key),
        (SfObject::Order, c.order_id.0),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Every record is at its stored id: the refusal was about something else.
    InPlace,
    /// Found under other ids (a sandbox refresh, a merge): these are adopted, with why.
    Moved(SalesforceIds, String),
    /// A record is gone (deleted): the order is written again as it is now, for this reason.
    Gone(String),
    /// More than one record carries the key and none is the stored one: a person chooses.
    Ambiguous(String),
}

/// Compares the ids a change's update used with what `found` holds under the order's keys.
pub(super) fn verdict(c: &ClaimedChange, found: &KeyedIds) -> Verdict {
    let status = c.status.map_or("its status now", |s| s.label());
    let stored = [c.opportunity.as_deref(), c.order.as_deref()];
    let mut ids = SalesforceIds::default();
    let mut moved = Vec::new();
    for ((object, key), stored) in keys(c).into_iter().zip(stored) {
        // A record the update does not write (an evaluation has no Order) is not checked.
        let Some(stored) = stored else { continue };
        let name = object.name();
        let now = found.ids(object, key);
        let id = match now {
            _ if now.iter().any(|id| id == stored) => continue,
            [] => {
                return Verdict::Gone(format!(
                    "its {name} {stored} was deleted in Salesforce: the order is written there \
                     again as it is now ({status})"
                ));
            }
            [one] => one,
            many => {
                return Verdict::Ambiguous(format!(
                    "{} {name} records carry this order's External ID {key} and none is its \
                     {name} {stored}; merge or delete the extra ones in Salesforce, then retry",
                    many.len()
                ));
            }
        };
        if let Some(slot) = object.model().id_slot {
            *slot.of(&mut ids) = Some(id.clone());
        }
        moved.push(format!("{name} as {id} (was {stored})"));
    }
    if moved.is_empty() {
        return Verdict::InPlace;
    }
    let said = format!(
        "Salesforce holds its {}: new ids after a sandbox refresh or a merge, adopted; the status \
         change is sent again",
        moved.join(" and ")
    );
    Verdict::Moved(ids, said)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, OrderStatus};

    const OPP: &str = "006000000000001AAA";
    const ORDER: &str = "801000000000001AAA";

    fn change() -> ClaimedChange {
        ClaimedChange {
            order_id: OrderId(7),
            attempt: 1,
            status: Some(OrderStatus::Completed),
            code: Some("Completed".into()),
            shown: Some(OrderStatus::InProcess),
            opportunity: Some(OPP.into()),
            order: Some(ORDER.into()),
            unsettled: false,
            resending: false,
            sent_before: true,
            opportunity_key: 7,
        }
    }

    fn holding(opportunities: &[&str], orders: &[&str]) -> KeyedIds {
        let mut found = KeyedIds::default();
        for id in opportunities {
            found = found.with(SfObject::Opportunity, 7, id);
        }
        for id in orders {
            found = found.with(SfObject::Order, 7, id);
        }
        found
    }

    #[test]
    fn records_still_at_their_stored_ids_leave_the_refusal_standing() {
        assert_eq!(
            verdict(&change(), &holding(&[OPP], &[ORDER])),
            Verdict::InPlace
        );
        let duplicate_beside_it = holding(&[OPP, "006000000000009AAA"], &[ORDER]);
        assert_eq!(verdict(&change(), &duplicate_beside_it), Verdict::InPlace);
    }

    #[test]
    fn records_under_new_ids_are_adopted_slot_by_slot() {
        let refreshed = holding(&["006000000000002AAA"], &[ORDER]);
        let Verdict::Moved(ids, said) = verdict(&change(), &refreshed) else {
            panic!("moved")
        };
        assert_eq!(ids.opportunity.as_deref(), Some("006000000000002AAA"));
        assert_eq!(ids.order, None, "the Order stays where it is");
        assert!(said.contains(&format!("was {OPP}")), "{said}");
    }

    #[test]
    fn a_record_no_longer_under_its_key_is_gone_and_says_which() {
        let Verdict::Gone(why) = verdict(&change(), &holding(&[OPP], &[])) else {
            panic!("gone")
        };
        assert!(why.contains(ORDER) && why.contains("Completed"), "{why}");
    }

    #[test]
    fn two_records_under_a_key_and_neither_stored_are_left_to_a_person() {
        let found = holding(&["006000000000002AAA", "006000000000003AAA"], &[ORDER]);
        assert!(matches!(verdict(&change(), &found), Verdict::Ambiguous(_)));
    }

    #[test]
    fn an_order_without_a_salesforce_order_is_not_looked_for_one() {
        let evaluation = ClaimedChange {
            order: None,
            ..change()
        };
        assert_eq!(
            verdict(&evaluation, &holding(&[OPP], &[])),
            Verdict::InPlace
        );
    }
}
