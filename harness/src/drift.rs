//! Drift for the chaos suite: midway through the run (workers killed, faults on), a Salesforce
//! administrator edits and deletes records behind order-sync's back; once the run has drained,
//! `order-sync reconcile --all --fix` must mend what the workers' self-healing left and a second
//! `reconcile --all` must exit 0, before the usual verification.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Result;
use fake_salesforce::FakeSalesforce;
use serde_json::json;

use crate::child::WorkerSpec;
use crate::seed::Kind;

const KEY: &str = "Store_Order_Id__c";

/// What the administrator did and what the reconciles answered.
#[derive(Debug, Default)]
pub struct DriftRun {
    pub amounts_edited: usize,
    pub stages_edited: usize,
    pub quotes_deleted: usize,
    pub opportunities_deleted: usize,
    /// Exit codes: the first reconcile (3: drift found), `--fix` and the check after it (0).
    pub codes: [Option<i32>; 3],
    pub fix_calls: u64,
    /// The orders whose records were changed.
    pub orders: BTreeSet<i64>,
}

impl DriftRun {
    /// The fix and the check after it agree (0); the first reconcile may find nothing left only
    /// when the workers' own healing (a later status change) mended every drifted order.
    pub fn passed(&self) -> bool {
        matches!(self.codes[0], Some(0 | 3)) && self.codes[1..] == [Some(0), Some(0)]
    }

    pub fn report(&self) {
        println!(
            "drift: a Salesforce admin edited {} Amounts and {} stages, deleted {} Quotes and {} \
             Opportunities; reconcile exited {:?}, --fix {:?} ({} API calls), the check after {:?}: {}",
            self.amounts_edited,
            self.stages_edited,
            self.quotes_deleted,
            self.opportunities_deleted,
            self.codes[0],
            self.codes[1],
            self.fix_calls,
            self.codes[2],
            if self.passed() { "PASS" } else { "FAIL" }
        );
    }
}

/// Once a third of the orders are in Salesforce, while workers run, are killed and meet
/// faults, drifts about 2 % of the sent ones (see [`drift`]).
pub async fn drift_midway(
    fake: FakeSalesforce,
    seeded: Vec<(i64, Kind)>,
    repaired: BTreeSet<i64>,
    seed: u64,
    drifted: std::sync::Arc<std::sync::Mutex<BTreeSet<i64>>>,
) -> DriftRun {
    let third = seeded.len() / 3;
    let deadline = Instant::now() + Duration::from_secs(600);
    while fake.count("Opportunity") < third && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let run = drift(&fake, &seeded, &repaired, seed);
    if let Ok(mut ids) = drifted.lock() {
        ids.extend(run.orders.iter().copied());
    }
    run
}

/// Then, with the run drained: `reconcile --all` must find drift (3), `--fix` mend it (0) and a
/// second `reconcile --all` agree (0).
pub async fn mend(fake: &FakeSalesforce, spec: &WorkerSpec, run: &mut DriftRun) -> Result<()> {
    run.codes[0] = exit_code(spec, &["reconcile", "--all"], "drift-reconcile").await?;
    let calls = fake.api_calls();
    run.codes[1] = exit_code(spec, &["reconcile", "--all", "--fix"], "drift-fix").await?;
    run.fix_calls = fake.api_calls() - calls;
    run.codes[2] = exit_code(spec, &["reconcile", "--all"], "drift-check").await?;
    Ok(())
}

/// Drifts about 2 % of the sent orders. Evaluations a repair took and Orders (activated: their
/// products are a person's to change) are left alone; the Opportunity is deleted only where no
/// Order hangs on it.
fn drift(
    fake: &FakeSalesforce,
    seeded: &[(i64, Kind)],
    repaired: &BTreeSet<i64>,
    seed: u64,
) -> DriftRun {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0xD81F7);
    let mut run = DriftRun::default();
    for (id, kind) in seeded {
        let found = fake.find("Opportunity", KEY, &id.to_string());
        let (Some(opp), true) = (found.first(), rng.f64() < 0.02) else {
            continue;
        };
        run.orders.insert(*id);
        match (kind, rng.u8(0..3)) {
            (Kind::Evaluation { .. }, _) if repaired.contains(id) => {}
            (Kind::Evaluation { .. }, _) => {
                fake.delete_record("Opportunity", &opp.id);
                run.opportunities_deleted += 1;
            }
            (_, 0) => {
                fake.update_fields("Opportunity", &opp.id, json!({ "Amount": 0.01 }));
                run.amounts_edited += 1;
            }
            (_, 1) => {
                fake.update_fields(
                    "Opportunity",
                    &opp.id,
                    json!({ "StageName": "Needs Analysis" }),
                );
                run.stages_edited += 1;
            }
            _ => {
                if let Some(q) = fake.find("Quote", KEY, &id.to_string()).first() {
                    fake.delete_record("Quote", &q.id);
                    run.quotes_deleted += 1;
                }
            }
        }
    }
    run
}

async fn exit_code(spec: &WorkerSpec, args: &[&str], log: &str) -> Result<Option<i32>> {
    let started = Instant::now();
    let mut child = spec.spawn_args(args, "chaos-reconcile", log)?;
    loop {
        if let Some(status) = child.try_exited()? {
            return Ok(status.code());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "{args:?} still running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
