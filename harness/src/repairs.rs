//! Drives the repair flow from the Salesforce side, as technicians and customers would: marks
//! evaluations complete and accepts priced quotes, at random times.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use fake_salesforce::FakeSalesforce;
use order_sync::store::Store;

use crate::facts::StoreFacts;
use serde_json::json;

/// Repairs chosen among the evaluation orders, and how far each got.
pub struct RepairDriver {
    fake: FakeSalesforce,
    store: Store,
    /// Evaluations to mark complete; the `accept` subset also gets its quote accepted.
    pub chosen: BTreeSet<i64>,
    pub to_accept: BTreeSet<i64>,
    pub marked: BTreeSet<i64>,
    /// Order id → the unit price put on every quote line.
    pub accepted: BTreeMap<i64, f64>,
    /// Records the fake did not hold exactly once when the driver looked (a duplicate or a loss).
    pub anomalies: Vec<String>,
    rng: fastrand::Rng,
}

impl RepairDriver {
    /// Picks `share` of `evaluations` to repair; 80 % of those are accepted, the rest left waiting.
    pub fn new(
        fake: FakeSalesforce,
        store: Store,
        evaluations: &[i64],
        share: f64,
        seed: u64,
    ) -> RepairDriver {
        let mut rng = fastrand::Rng::with_seed(seed);
        let chosen: BTreeSet<i64> = evaluations
            .iter()
            .copied()
            .filter(|_| rng.f64() < share)
            .collect();
        let to_accept = chosen.iter().copied().filter(|_| rng.f64() < 0.8).collect();
        RepairDriver {
            fake,
            store,
            chosen,
            to_accept,
            marked: BTreeSet::new(),
            accepted: BTreeMap::new(),
            anomalies: Vec::new(),
            rng,
        }
    }

    /// One look: each chosen order waiting in Awaiting Evaluation is marked complete with
    /// probability `p`; each waiting in Awaiting Customer Approval is accepted with probability `p`.
    pub async fn tick(&mut self, p: f64) -> Result<()> {
        let waiting = self
            .store
            .ids_in_status("Awaiting Evaluation")
            .await
            .context("reading Awaiting Evaluation")?;
        for id in waiting {
            if self.chosen.contains(&id)
                && !self.marked.contains(&id)
                && self.rng.f64() < p
                && self.mark(id)
            {
                self.marked.insert(id);
            }
        }
        let approval = self
            .store
            .ids_in_status("Awaiting Customer Approval")
            .await
            .context("reading Awaiting Customer Approval")?;
        for id in approval {
            if self.to_accept.contains(&id)
                && !self.accepted.contains_key(&id)
                && self.rng.f64() < p
            {
                let price = f64::from(self.rng.u32(20..400)) + 0.5;
                if self.accept(id, price) {
                    self.accepted.insert(id, price);
                }
            }
        }
        Ok(())
    }

    /// Every chosen evaluation marked and every accepted-to-be quote accepted.
    pub fn all_done(&self) -> bool {
        self.marked.len() == self.chosen.len() && self.accepted.len() == self.to_accept.len()
    }

    fn one(&mut self, object: &str, id: i64) -> Option<String> {
        let found = self.fake.find(object, "Store_Order_Id__c", &id.to_string());
        if found.len() != 1 {
            self.anomalies
                .push(format!("{} {object} records for order {id}", found.len()));
            return None;
        }
        found.into_iter().next().map(|r| r.id)
    }

    fn mark(&mut self, id: i64) -> bool {
        let Some(opp) = self.one("Opportunity", id) else {
            return false;
        };
        self.fake.update_fields(
            "Opportunity",
            &opp,
            json!({"Evaluation_Status__c": "Evaluation Complete"}),
        );
        true
    }

    fn accept(&mut self, id: i64, price: f64) -> bool {
        let Some(quote) = self.one("Quote", id) else {
            return false;
        };
        for line in self.fake.find("QuoteLineItem", "QuoteId", &quote) {
            self.fake
                .update_fields("QuoteLineItem", &line.id, json!({"UnitPrice": price}));
        }
        self.fake
            .update_fields("Quote", &quote, json!({"Status": "Accepted"}));
        true
    }

    /// Whether the store has caught up: no marked order left in Awaiting Evaluation and no
    /// accepted one left in Awaiting Customer Approval.
    pub async fn settled(&self) -> Result<bool> {
        let waiting = self
            .store
            .ids_in_status("Awaiting Evaluation")
            .await
            .context("reading Awaiting Evaluation")?;
        if waiting.iter().any(|id| self.marked.contains(id)) {
            return Ok(false);
        }
        let approval = self
            .store
            .ids_in_status("Awaiting Customer Approval")
            .await
            .context("reading Awaiting Customer Approval")?;
        Ok(!approval.iter().any(|id| self.accepted.contains_key(id)))
    }
}
