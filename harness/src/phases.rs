//! The chaos run's phases: chaos (kills, faults, repairs and an administrator's moves), the
//! drain once faults are off, and the wait for the lifecycle loop to bring Salesforce in line.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fake_salesforce::FakeSalesforce;
use order_sync::config::SalesforceSettings;
use order_sync::store::Store;

use crate::admin::AdminDriver;
use crate::facts::StoreFacts;
use crate::fleet::Fleet;
use crate::repairs::RepairDriver;
use crate::verify_lifecycle::agreement;

/// The drivers acting on the store and Salesforce from outside order-sync.
pub struct Drivers<'a> {
    pub repairs: &'a mut RepairDriver,
    pub admin: &'a mut AdminDriver,
}

/// Kills and restarts workers, drives repairs and an administrator's moves until the backlog
/// is gone, every chosen repair is accepted and every possible admin move made (at least a few
/// kills in). False when the deadline passed first.
pub async fn chaos_phase(
    seed: u64,
    every: Duration,
    fleet: &mut Fleet,
    d: Drivers<'_>,
    store: &Store,
    deadline: Instant,
) -> Result<bool> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let jitter = |rng: &mut fastrand::Rng| every.mul_f64(0.5 + rng.f64());
    let mut next_kill = Instant::now() + jitter(&mut rng);
    let mut next_look = Instant::now();
    while Instant::now() < deadline {
        fleet.reap()?;
        if Instant::now() >= next_kill {
            fleet.kill_random(&mut rng)?;
            next_kill = Instant::now() + jitter(&mut rng);
        }
        if Instant::now() >= next_look {
            next_look = Instant::now() + Duration::from_millis(500);
            d.repairs.tick(0.25).await?;
            d.admin.tick(0.25).await?;
            let due = store.due_count().await.context("counting due orders")?;
            if due == 0 && d.repairs.all_done() && d.admin.all_done() && fleet.kills >= 3 {
                return Ok(true);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
}

/// Faults off, no more kills: waits until nothing is due and the repair loop has caught up
/// (three looks in a row). False when the deadline passed first.
pub async fn drain_phase(
    fleet: &mut Fleet,
    driver: &mut RepairDriver,
    store: &Store,
    deadline: Instant,
) -> Result<bool> {
    let mut quiet = 0;
    while Instant::now() < deadline {
        fleet.reap()?;
        driver.tick(1.0).await?;
        let due = store.due_count().await.context("counting due orders")?;
        quiet = if due == 0 && driver.settled().await? {
            quiet + 1
        } else {
            0
        };
        if quiet >= 3 {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(false)
}

/// After the drain: gives the lifecycle loop up to `limit` to bring every sent order's records
/// in line with the store (two agreeing looks in a row). Returns how long it took, or None
/// when disagreements remain (the report lists them).
pub async fn lifecycle_catch_up(
    fleet: &mut Fleet,
    settings: &SalesforceSettings,
    admin: &AdminDriver,
    fake: &FakeSalesforce,
    store: &Store,
    limit: Duration,
    drifted: &std::sync::Mutex<std::collections::BTreeSet<i64>>,
) -> Result<Option<Duration>> {
    let started = Instant::now();
    let mut agreeing = 0;
    while started.elapsed() < limit {
        fleet.reap()?;
        let facts = store.order_facts().await.context("reading orders")?;
        let a = agreement(settings, admin, &facts, fake);
        // Orders a Salesforce admin changed by hand wait for `reconcile --fix` (checked after).
        let skip = drifted.lock().map(|d| d.clone()).unwrap_or_default();
        let left = a.disagreements.iter().filter(|d| {
            let id = d.strip_prefix("order ").and_then(|r| r.split(' ').next());
            !id.and_then(|i| i.parse().ok())
                .is_some_and(|i: i64| skip.contains(&i))
        });
        agreeing = if left.count() == 0 { agreeing + 1 } else { 0 };
        if agreeing >= 2 {
            return Ok(Some(started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(None)
}
