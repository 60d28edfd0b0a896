//! The benchmark's phases: a backlog drained by one `order-sync run` child, a trickle of
//! orders timed from placed_at to their history row, and the claim query at two table sizes.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use fake_salesforce::FakeSalesforce;
use order_sync::store::Store;

use crate::facts::{BulkOrders, StoreFacts};

use crate::child::{ProcUsage, WorkerProc, WorkerSpec};
use crate::report::percentile;
use crate::seed::{Catalog, Mix, build_order, seed_orders};

/// A drained backlog.
#[derive(Debug, Clone, Copy)]
pub struct Backlog {
    pub orders: usize,
    pub seconds: f64,
    pub api_calls: u64,
    pub usage: ProcUsage,
    /// VmRSS a few seconds after the backlog, still running.
    pub rss_after_kb: u64,
}

/// Seeds `count` orders (70/20/10), starts a worker and waits until none is due.
pub async fn backlog(
    store: &Store,
    fake: &FakeSalesforce,
    catalog: &Catalog,
    spec: &WorkerSpec,
    count: usize,
    limit: Duration,
) -> Result<(Backlog, WorkerProc)> {
    seed_orders(store, catalog, Mix::BENCH, count, 4, "BL").await?;
    let calls_before = fake.api_calls();
    let started = Instant::now();
    let worker = spec.spawn("bench-backlog", "backlog")?;
    wait_until_drained(store, started + limit, Duration::from_millis(50)).await?;
    let seconds = started.elapsed().as_secs_f64();
    let api_calls = fake.api_calls() - calls_before;
    let usage = worker.usage()?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after_kb = worker.usage()?.rss_kb;
    Ok((
        Backlog {
            orders: count,
            seconds,
            api_calls,
            usage,
            rss_after_kb,
        },
        worker,
    ))
}

/// A backlog drained by one `order-sync once` run (the cron path).
#[derive(Debug, Clone, Copy)]
pub struct OnceBacklog {
    pub orders: usize,
    pub seconds: f64,
    pub api_calls: u64,
    pub exit_code: Option<i32>,
}

/// Seeds `count` more orders and times one `order-sync once` from start to exit.
pub async fn once_backlog(
    store: &Store,
    fake: &FakeSalesforce,
    catalog: &Catalog,
    spec: &WorkerSpec,
    count: usize,
    limit: Duration,
) -> Result<OnceBacklog> {
    seed_orders(store, catalog, Mix::BENCH, count, 4, "OB").await?;
    let calls_before = fake.api_calls();
    let started = Instant::now();
    let mut run = spec.spawn_once("bench-once", "once")?;
    let status = loop {
        if let Some(status) = run.try_exited()? {
            break status;
        }
        anyhow::ensure!(
            started.elapsed() < limit,
            "once still running at the deadline"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    Ok(OnceBacklog {
        orders: count,
        seconds: started.elapsed().as_secs_f64(),
        api_calls: fake.api_calls() - calls_before,
        exit_code: status.code(),
    })
}

/// Orders the benchmark's mix routes: in In Process, Awaiting Payment or Awaiting Evaluation.
pub async fn routed(store: &Store) -> Result<i64> {
    let counts = store.status_counts().await.context("counting statuses")?;
    Ok(counts
        .by_status
        .iter()
        .filter(|(s, _)| {
            ["In Process", "Awaiting Payment", "Awaiting Evaluation"].contains(&s.as_str())
        })
        .map(|(_, n)| n)
        .sum())
}

async fn wait_until_drained(store: &Store, deadline: Instant, every: Duration) -> Result<()> {
    while store.due_count().await.context("counting due orders")? > 0 {
        if Instant::now() > deadline {
            anyhow::bail!("orders still due at the deadline");
        }
        tokio::time::sleep(every).await;
    }
    Ok(())
}

/// A trickle: idle RSS before it, and placed → routed latencies.
#[derive(Debug, Clone, Default)]
pub struct Trickle {
    pub idle_rss_kb: u64,
    pub orders: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Starts a fresh worker, lets it idle (idle RSS), then inserts `rate` orders/s for `secs`
/// and reads each order's placed_at → first history row.
pub async fn trickle(
    store: &Store,
    catalog: &Catalog,
    spec: &WorkerSpec,
    rate: u32,
    secs: u64,
) -> Result<Trickle> {
    let mut worker = spec.spawn("bench-trickle", "trickle")?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_rss_kb = worker.usage()?.rss_kb;
    let mut rng = fastrand::Rng::with_seed(99);
    let mut first_id = None;
    let gap = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut next = Instant::now();
    let total = rate as usize * secs as usize;
    for n in 0..total {
        tokio::time::sleep_until(next.into()).await;
        next += gap;
        let kind = Mix::BENCH.pick(&mut rng);
        let mut order = build_order(kind, catalog, &mut rng, format!("TR-{n:06}"));
        order.placed_at = Utc::now();
        let id = store
            .insert_order(&order)
            .await
            .context("inserting a trickle order")?;
        first_id.get_or_insert(id);
    }
    wait_until_drained(
        store,
        Instant::now() + Duration::from_secs(60),
        Duration::from_millis(200),
    )
    .await?;
    let rows = store
        .placed_to_routed_ms(first_id.unwrap_or(i64::MAX))
        .await
        .context("reading latencies")?;
    tokio::task::block_in_place(|| worker.terminate(Duration::from_secs(10)))?;
    let mut ms: Vec<f64> = rows.into_iter().map(|(_, ms)| ms).collect();
    Ok(Trickle {
        idle_rss_kb,
        orders: ms.len(),
        p50_ms: percentile(&mut ms, 50.0).unwrap_or(f64::NAN),
        p99_ms: percentile(&mut ms, 99.0).unwrap_or(f64::NAN),
        max_ms: percentile(&mut ms, 100.0).unwrap_or(f64::NAN),
    })
}

/// Claim timings at one table size.
#[derive(Debug, Clone)]
pub struct ClaimTiming {
    pub total_orders: i64,
    pub pending: i64,
    pub seed_seconds: f64,
    pub first_ms: f64,
    pub median_ms: f64,
    pub max_ms: f64,
    /// Looks for later status changes at this table size.
    pub changes: crate::change_timing::ChangeTiming,
}

/// Bulk-seeds `total` orders (`pending` in Order Placed, the rest Completed and done), then
/// times `Store::claim_due` (batch `batch`): the first (discovering) claim, then `runs` more.
pub async fn claim_timing(
    store: &Store,
    catalog: &Catalog,
    total: i64,
    pending: i64,
    batch: u32,
    runs: usize,
) -> Result<ClaimTiming> {
    let (customer, product) = (catalog.customers[0], catalog.standard[0]);
    let seeding = Instant::now();
    let long_ago = Utc::now() - chrono::Duration::days(400);
    let done = BulkOrders {
        prefix: "DONE-",
        count: total - pending,
        status: "Completed",
        customer_id: customer,
        product_id: product,
        placed_at: long_ago,
        done: true,
    };
    store
        .bulk_orders(&done)
        .await
        .context("bulk seeding done orders")?;
    let pending_orders = BulkOrders {
        prefix: "PEND-",
        count: pending,
        status: "Order Placed",
        placed_at: Utc::now(),
        done: false,
        ..done
    };
    store
        .bulk_orders(&pending_orders)
        .await
        .context("bulk seeding pending orders")?;
    store.analyze().await.context("ANALYZE")?;
    let seed_seconds = seeding.elapsed().as_secs_f64();
    let time_one = || async {
        let t = Instant::now();
        store
            .claim_due("bench-claim", batch, 60_000)
            .await
            .context("claiming")?;
        anyhow::Ok(t.elapsed().as_secs_f64() * 1000.0)
    };
    let first_ms = time_one().await?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        ms.push(time_one().await?);
    }
    let changes = crate::change_timing::change_timing(store, runs).await?;
    Ok(ClaimTiming {
        changes,
        total_orders: total,
        pending,
        seed_seconds,
        first_ms,
        median_ms: percentile(&mut ms, 50.0).unwrap_or(f64::NAN),
        max_ms: percentile(&mut ms, 100.0).unwrap_or(f64::NAN),
    })
}
