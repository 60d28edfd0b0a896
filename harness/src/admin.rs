//! Drives the store's side of an order's later life, as its administrators would: cancels and
//! completes routed orders, marks purchase orders paid, and cancels a few still in Order Placed
//! (some while order-sync is sending them), at random times. Records every change it made.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result};
use order_sync::store::Store;
use order_sync::store::sql::{Args, Stmt};

use crate::facts::StoreFacts;
use crate::seed::Kind;

const OP: &str = "Order Placed";
const IN_PROCESS: &str = "In Process";
const AWAITING_PAYMENT: &str = "Awaiting Payment";
const AWAITING_EVALUATION: &str = "Awaiting Evaluation";
const CANCELED: &str = "Canceled";
const COMPLETED: &str = "Completed";

/// One planned move: (the status the order must be in, the status the admin sets).
type Step = (&'static str, &'static str);

/// Orders' planned moves and what was done.
pub struct AdminDriver {
    store: Store,
    rng: fastrand::Rng,
    /// Order id → the moves still to make, next first.
    plans: BTreeMap<i64, Vec<Step>>,
    /// Order id → every (from, to) this driver set, in order.
    pub changes: BTreeMap<i64, Vec<(String, String)>>,
    /// Orders this driver canceled while they were still in Order Placed.
    pub placed_cancels: BTreeSet<i64>,
    /// How many of those were waiting for a retry or held by a worker when canceled.
    pub canceled_mid_send: usize,
    /// Most mid-send cancels beyond the planned ones.
    mid_send_budget: usize,
    /// Orders an administrator may cancel mid-send: routable ones the repair flow does not take.
    allow: BTreeSet<i64>,
    /// Plans whose next move could have been made at the last look (the dice said not yet).
    ready: usize,
}

/// The moves an administrator might make to an order of `kind`; None for most orders.
fn plan_for(kind: Kind, rng: &mut fastrand::Rng) -> Option<Vec<Step>> {
    let x = rng.f64();
    match kind {
        Kind::Card | Kind::PurchaseOrder if x < 0.01 => Some(vec![(OP, CANCELED)]),
        Kind::Card if x < 0.12 => Some(vec![(IN_PROCESS, CANCELED)]),
        Kind::Card if x < 0.3 => Some(vec![(IN_PROCESS, COMPLETED)]),
        Kind::PurchaseOrder if x < 0.12 => Some(vec![(AWAITING_PAYMENT, CANCELED)]),
        Kind::PurchaseOrder if x < 0.25 => Some(vec![(AWAITING_PAYMENT, IN_PROCESS)]),
        Kind::PurchaseOrder if x < 0.4 => Some(vec![
            (AWAITING_PAYMENT, IN_PROCESS),
            (IN_PROCESS, COMPLETED),
        ]),
        Kind::Evaluation { .. } if x < 0.2 => Some(vec![(AWAITING_EVALUATION, CANCELED)]),
        _ => None,
    }
}

impl AdminDriver {
    /// Plans moves for some of `seeded`, leaving alone the evaluations the repair flow takes
    /// (`repairing`): an administrator does not cancel an order a technician is working on.
    pub fn new(store: Store, seeded: &[(i64, Kind)], repairing: &BTreeSet<i64>, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0xad31);
        let free: Vec<(i64, Kind)> = seeded
            .iter()
            .copied()
            .filter(|(id, k)| k.routed_status().is_some() && !repairing.contains(id))
            .collect();
        let plans: BTreeMap<i64, Vec<Step>> = free
            .iter()
            .filter_map(|(id, kind)| plan_for(*kind, &mut rng).map(|p| (*id, p)))
            .collect();
        AdminDriver {
            store,
            rng,
            plans,
            changes: BTreeMap::new(),
            placed_cancels: BTreeSet::new(),
            canceled_mid_send: 0,
            mid_send_budget: (seeded.len() / 400).max(2),
            allow: free.iter().map(|(id, _)| *id).collect(),
            ready: 0,
        }
    }

    /// Planned moves of orders that are not yet made.
    pub fn planned(&self) -> usize {
        self.plans.values().map(Vec::len).sum()
    }

    /// Every move made (an order paid then completed counts two).
    pub fn made(&self) -> usize {
        self.changes.values().map(Vec::len).sum()
    }

    /// No plan could move at the last look: the rest wait on orders order-sync has not routed
    /// (or never will, such as a parked one).
    pub fn all_done(&self) -> bool {
        self.ready == 0
    }

    /// One look: each planned move whose order is in the step's status is made with
    /// probability `p`; a planned Order Placed cancel that finds the order routed cancels it
    /// there instead. Also cancels an order waiting for a retry now and then (mid-send).
    pub async fn tick(&mut self, p: f64) -> Result<()> {
        let now = self.statuses().await?;
        self.ready = 0;
        let ids: Vec<i64> = self.plans.keys().copied().collect();
        for id in ids {
            let Some(status) = now.get(&id).map(String::as_str) else {
                continue;
            };
            let Some(&(from, to)) = self.plans[&id].first() else {
                continue;
            };
            if from == OP && status != OP && status != CANCELED {
                // Routed before the admin got to it: cancel it where it is.
                let step = (static_status(status), CANCELED);
                self.plans.insert(id, vec![step]);
                continue;
            }
            if status != from {
                continue;
            }
            self.ready += 1;
            if self.rng.f64() < p && self.set_status(id, from, to).await? {
                if let Some(steps) = self.plans.get_mut(&id) {
                    steps.remove(0);
                }
                if from == OP {
                    self.placed_cancels.insert(id);
                }
            }
        }
        self.plans.retain(|_, steps| !steps.is_empty());
        if self.mid_send_budget > 0 && self.rng.f64() < p {
            self.cancel_mid_send().await?;
        }
        Ok(())
    }

    /// Cancels one unplanned order order-sync has tried to send but not yet routed (a retry
    /// is due, or a worker holds it): it must end Canceled in both places, or never arrive.
    async fn cancel_mid_send(&mut self) -> Result<()> {
        let tried = self
            .store
            .tried_in_order_placed()
            .await
            .context("reading orders being sent")?;
        let Some(&id) = tried
            .iter()
            .find(|id| !self.plans.contains_key(id) && self.allowed(**id))
        else {
            return Ok(());
        };
        if self.set_status(id, OP, CANCELED).await? {
            self.placed_cancels.insert(id);
            self.canceled_mid_send += 1;
            self.mid_send_budget -= 1;
        }
        Ok(())
    }

    fn allowed(&self, id: i64) -> bool {
        self.allow.contains(&id)
    }

    async fn statuses(&self) -> Result<HashMap<i64, String>> {
        let mut all = HashMap::new();
        for s in [OP, IN_PROCESS, AWAITING_PAYMENT, AWAITING_EVALUATION] {
            let ids = self
                .store
                .ids_in_status(s)
                .await
                .context("reading statuses")?;
            all.extend(ids.into_iter().map(|id| (id, s.to_string())));
        }
        Ok(all)
    }

    /// Sets `to` (and updated_at = now) if the order is still in `from`, as an admin's screen
    /// would; false when it had moved on meanwhile.
    async fn set_status(&mut self, id: i64, from: &str, to: &str) -> Result<bool> {
        let store = &self.store;
        let at = chrono::Utc::now()
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string();
        let time = store.db().dialect().time_param(":at");
        let sql = format!(
            "UPDATE orders SET status = :to, updated_at = {time} WHERE id = :id AND status = :from"
        );
        let args = Args::new()
            .set("to", to)
            .set("from", from)
            .set("at", at)
            .set("id", id);
        let stmt = Stmt::render(store.db().dialect(), &sql);
        let n = store
            .db()
            .execute(&stmt, &args)
            .await
            .with_context(|| format!("setting order {id} to {to}"))?;
        if n == 1 {
            self.changes
                .entry(id)
                .or_default()
                .push((from.to_string(), to.to_string()));
        }
        Ok(n == 1)
    }

    /// The status the admin last set on `id`, if any.
    pub fn final_status(&self, id: i64) -> Option<&str> {
        self.changes.get(&id)?.last().map(|(_, to)| to.as_str())
    }
}

fn static_status(s: &str) -> &'static str {
    match s {
        IN_PROCESS => IN_PROCESS,
        AWAITING_PAYMENT => AWAITING_PAYMENT,
        _ => AWAITING_EVALUATION,
    }
}
