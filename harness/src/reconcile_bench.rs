//! The benchmark's reconcile phases: what proving agreement costs (calls, seconds) for the
//! orders the backlog sent, what mending 1 % drift costs, and a backfill of historical orders
//! beside the push's own pace.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fake_salesforce::FakeSalesforce;
use order_sync::store::Store;
use serde_json::json;

use crate::child::WorkerSpec;
use crate::seed::{Catalog, Mix, build_order};

/// One timed command: its exit code, seconds and API calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timed {
    pub code: Option<i32>,
    pub seconds: f64,
    pub api_calls: u64,
}

/// The reconcile phases' figures.
#[derive(Debug, Clone, Default)]
pub struct ReconcileFigures {
    pub sent_orders: usize,
    pub agreeing: Timed,
    pub drifted: usize,
    pub fix: Timed,
    pub after_fix: Timed,
    pub backfilled: usize,
    pub backfill: Timed,
}

async fn timed(
    fake: &FakeSalesforce,
    spec: &WorkerSpec,
    args: &[&str],
    log: &str,
) -> Result<Timed> {
    let calls = fake.api_calls();
    let started = Instant::now();
    let mut child = spec.spawn_args(args, "bench-reconcile", log)?;
    let status = loop {
        if let Some(status) = child.try_exited()? {
            break status;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(900),
            "{args:?} still running"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    Ok(Timed {
        code: status.code(),
        seconds: started.elapsed().as_secs_f64(),
        api_calls: fake.api_calls() - calls,
    })
}

/// Reconciles the `sent` orders, drifts 1 % of them (Amount and stage edits, as a sales rep
/// does), mends them, checks again, then backfills `historical` never-sent orders.
pub async fn reconcile_phases(
    store: &Store,
    fake: &FakeSalesforce,
    catalog: &Catalog,
    spec: &WorkerSpec,
    historical: usize,
) -> Result<ReconcileFigures> {
    let mut f = ReconcileFigures {
        sent_orders: fake.count("Opportunity"),
        ..ReconcileFigures::default()
    };
    eprintln!("bench: reconcile of {} sent orders", f.sent_orders);
    f.agreeing = timed(fake, spec, &["reconcile", "--all"], "reconcile").await?;
    let opportunities = fake.records("Opportunity");
    let step = 100;
    for (i, opp) in opportunities.iter().step_by(step).enumerate() {
        let edit = if i % 2 == 0 {
            json!({ "Amount": 0.5 })
        } else {
            json!({ "StageName": "Closed Lost" })
        };
        fake.update_fields("Opportunity", &opp.id, edit);
        f.drifted += 1;
    }
    eprintln!("bench: reconcile --fix with {} drifted", f.drifted);
    f.fix = timed(
        fake,
        spec,
        &["reconcile", "--all", "--fix"],
        "reconcile-fix",
    )
    .await?;
    f.after_fix = timed(fake, spec, &["reconcile", "--all"], "reconcile-after").await?;
    f.backfilled = seed_historical(store, catalog, historical).await?;
    eprintln!("bench: backfill of {} historical orders", f.backfilled);
    let args = ["backfill", "--placed-since", "2000-01-01"];
    f.backfill = timed(fake, spec, &args, "backfill").await?;
    Ok(f)
}

/// Orders placed before order-sync was installed: Completed, never sent.
async fn seed_historical(store: &Store, catalog: &Catalog, count: usize) -> Result<usize> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut seeded = 0;
    for n in 0..count {
        let kind = Mix::BENCH.pick(&mut rng);
        if kind.is_malformed() || kind.routed_status().is_none() {
            continue;
        }
        let mut order = build_order(kind, catalog, &mut rng, format!("HI-{n:07}"));
        order.status = "Completed".into();
        store
            .insert_order(&order)
            .await
            .context("inserting a historical order")?;
        seeded += 1;
    }
    Ok(seeded)
}

impl ReconcileFigures {
    /// Prints the figures against the targets; false when a command failed.
    pub fn report(&self, push_orders_per_s: f64, push_calls_per_order: f64) -> bool {
        let per = |t: &Timed, n: usize| n as f64 / t.seconds.max(1e-9);
        println!("\n## Reconcile, fix and backfill\n");
        println!("| phase | orders | exit | seconds | API calls | target |");
        println!("|---|---:|---:|---:|---:|---|");
        let row = |name: &str, n: usize, t: &Timed, target: String| {
            let code = t.code.map_or("-".into(), |c| c.to_string());
            println!(
                "| {name} | {n} | {code} | {:.1} | {} | {target} |",
                t.seconds, t.api_calls
            );
        };
        row(
            "reconcile, all agree",
            self.sent_orders,
            &self.agreeing,
            "≤ 25 calls, ≤ 30 s".into(),
        );
        let fix_target = 25.0 + self.drifted as f64 / 40.0;
        row(
            "reconcile --fix, 1 % drifted",
            self.drifted,
            &self.fix,
            format!("≤ {fix_target:.1} calls"),
        );
        row(
            "reconcile after the fix",
            self.sent_orders,
            &self.after_fix,
            "exit 0".into(),
        );
        row(
            "backfill",
            self.backfilled,
            &self.backfill,
            format!("push: {push_orders_per_s:.0} orders/s, {push_calls_per_order:.3} calls/order"),
        );
        println!(
            "\nbackfill: {:.0} orders/s, {:.3} calls/order",
            per(&self.backfill, self.backfilled),
            self.backfill.api_calls as f64 / self.backfilled.max(1) as f64
        );
        [
            self.agreeing.code,
            self.fix.code,
            self.after_fix.code,
            self.backfill.code,
        ]
        .iter()
        .all(|c| *c == Some(0))
    }
}
