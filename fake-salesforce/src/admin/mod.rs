//! Admin hooks: what people do to the org's data behind the integration's back (edits, deletes
//! with their cascades, account merges, duplicates, sandbox refreshes). None counts as an API call.

mod cascade;

use serde_json::Value;

use crate::FakeSalesforce;

impl FakeSalesforce {
    /// An admin edit in Salesforce: merges `fields` without API validation and bumps the
    /// modification stamps. Panics on an unknown record or a non-object, as that is a test bug.
    pub fn update_fields(&self, object: &str, id: &str, fields: Value) {
        let Value::Object(map) = fields else {
            panic!("update_fields needs a JSON object")
        };
        let updated = self.state().store.merge(object, id, map);
        assert!(updated, "update_fields: no {object} with id {id}");
    }

    /// Deletes a record as the UI does, with Salesforce's cascades: a Quote takes its
    /// QuoteLineItems, an Order its OrderItems, an Opportunity its Quotes (and their lines) while
    /// its Orders only lose their OpportunityId, an Account its Contacts, Opportunities and Orders
    /// (cascading in turn). Any other reference to a deleted record is cleared. Deleted ids answer
    /// ENTITY_IS_DELETED from then on. An activated Order is deleted too (an admin can deactivate
    /// it first). Panics on an unknown record, as that is a test bug.
    pub fn delete_record(&self, object: &str, id: &str) {
        let deleted = cascade::delete(&mut self.state().store, object, id);
        assert!(deleted, "delete_record: no {object} with id {id}");
    }

    /// Merges two Accounts as Salesforce's merge does: every record pointing at the loser
    /// (Contacts, Opportunities, Orders, Quotes …) is reparented to the winner, whose own fields
    /// stay as they are; then the loser is deleted (ENTITY_IS_DELETED from then on; its External
    /// ID goes with it). Panics unless both are distinct existing Accounts.
    pub fn merge_accounts(&self, winner_id: &str, loser_id: &str) {
        cascade::merge_accounts(&mut self.state().store, winner_id, loser_id);
    }

    /// Inserts a record skipping the uniqueness of External ID fields, as a data loader does
    /// when an admin has un-ticked Unique: a second record with the same key makes upserts and
    /// reads by that key answer 300 Multiple Choices. Field names must exist and references must
    /// name existing records (as `prepare` checks); other API rules are skipped. Returns the id.
    /// Panics on an unknown object or a body the API would refuse, as that is a test bug.
    pub fn insert_duplicate(&self, object: &str, fields: Value) -> String {
        let Value::Object(map) = fields else {
            panic!("insert_duplicate needs a JSON object")
        };
        let mut state = self.state();
        let store = &mut state.store;
        let Some(object) = store.schema.object(object).map(|o| o.name.clone()) else {
            panic!("insert_duplicate: the fake has no object {object}")
        };
        let prepared = crate::prepare::prepare(store, &object, &map, None);
        let prepared = prepared.unwrap_or_else(|e| panic!("insert_duplicate: {}", e.message));
        store.insert_new(&object, prepared)
    }

    /// A sandbox refresh: every record of every object gets a new id (same key prefix, never an
    /// id handed out before) and every reference field follows; External ID values and other
    /// fields stay. Old ids become unknown (NOT_FOUND, not ENTITY_IS_DELETED), and so do the ids
    /// of records deleted before. [`FakeSalesforce::standard_pricebook_id`] follows too.
    pub fn sandbox_refresh(&self) {
        self.state().store.reassign_ids();
    }
}
