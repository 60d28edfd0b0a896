//! Benchmark: drains a backlog with one `order-sync run` child against the fake Salesforce at a
//! set latency per request, times a trickle, and times the claim query at two table sizes.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use fake_salesforce::FakeSalesforce;
use harness::bench::{
    Backlog, ClaimTiming, OnceBacklog, Trickle, backlog, claim_timing, once_backlog, routed,
    trickle,
};
use harness::bench_report::Results;
use harness::seed::seed_catalog;
use harness::{TestDb, WorkerSpec};

#[derive(Parser, Debug)]
#[command(about = "Throughput, API calls, latency, memory and CPU of order-sync run")]
struct Args {
    /// Backlog size.
    #[arg(long, default_value_t = 10_000)]
    orders: usize,
    /// Latency the fake adds to every request.
    #[arg(long, default_value = "100ms")]
    latency: humantime::Duration,
    /// Use this database for the backlog and trickle (default: a fresh PostgreSQL database).
    #[arg(long)]
    database_url: Option<String>,
    /// The database: a fresh PostgreSQL (default) or MySQL/MariaDB database, or SQLite files.
    #[arg(long, value_enum, default_value = "postgres")]
    backend: harness::Backend,
    /// Trickle: orders per second, and for how long.
    #[arg(long, default_value_t = 5)]
    trickle_rate: u32,
    #[arg(long, default_value_t = 30)]
    trickle_secs: u64,
    /// Table sizes for the claim query (the first is the baseline).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000i64, 1_000_000])]
    claim_sizes: Vec<i64>,
    /// Orders in Order Placed at every claim table size.
    #[arg(long, default_value_t = 10_000)]
    claim_pending: i64,
    #[arg(long)]
    skip_claim: bool,
    /// Skip the reconcile, fix and backfill phases.
    #[arg(long)]
    skip_reconcile: bool,
    /// Historical (never sent) orders the backfill phase sends.
    #[arg(long, default_value_t = 10_000)]
    historical: usize,
    /// Extra worker settings, KEY=VALUE with KEY after ORDER_SYNC__ (e.g. SYNC__BATCH_SIZE=150).
    #[arg(long = "env")]
    env: Vec<String>,
    /// Longest the backlog may take.
    #[arg(long, default_value = "10m")]
    timeout: humantime::Duration,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    let db = TestDb::open(args.database_url.as_deref(), args.backend, "bench").await?;
    let result = sync_phases(&args, &db).await;
    db.cleanup(false).await?;
    let phases = result?;
    let mut claims = Vec::new();
    if !args.skip_claim {
        for size in &args.claim_sizes {
            claims.push(claim_phase(&args, *size).await?);
        }
    }
    let results = Results {
        backend: args.backend.name(),
        latency: args.latency.to_string(),
        settings: &args.env,
        backlog: &phases.backlog,
        once: &phases.once,
        trickle: &phases.trickle,
        claims: &claims,
        routed: phases.routed,
    };
    let mut ok = results.report();
    if let Some(r) = &phases.reconcile {
        let b = &phases.backlog;
        let push_rate = b.orders as f64 / b.seconds.max(1e-9);
        ok &= r.report(push_rate, b.api_calls as f64 / b.orders.max(1) as f64);
    }
    Ok(ok)
}

/// What the phases against one database measured.
struct Phases {
    backlog: Backlog,
    once: OnceBacklog,
    trickle: Trickle,
    /// (routed, seeded) for the two backlogs.
    routed: (i64, i64),
    reconcile: Option<harness::reconcile_bench::ReconcileFigures>,
}

async fn sync_phases(args: &Args, db: &TestDb) -> Result<Phases> {
    let fake = FakeSalesforce::start().await;
    fake.set_latency(args.latency.into());
    let catalog = seed_catalog(&db.store, &fake, 500).await?;
    let log_dir = std::env::temp_dir().join(format!("order-sync-bench-{}", std::process::id()));
    let mut spec = WorkerSpec::new(&db.url, &fake.url(), &log_dir)?;
    // The defaults, not the chaos suite's short delays.
    spec.set("SYNC__RETRY_MIN_DELAY", "5s")
        .set("SYNC__RETRY_MAX_DELAY", "10m")
        .set("REPAIR__POLL_INTERVAL", "30s");
    if args.backend == harness::Backend::Postgres {
        // README's advice for PostgreSQL: the wake-up trigger, so new orders need no poll.
        spec.set("STORE__NOTIFY_TRIGGER", "true");
    }
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--env {kv}: expected KEY=VALUE"))?;
        spec.set(k, v);
    }
    eprintln!(
        "bench: backlog of {} orders, {} per request; logs in {}",
        args.orders,
        args.latency,
        log_dir.display()
    );
    let (backlog, mut worker) = backlog(
        &db.store,
        &fake,
        &catalog,
        &spec,
        args.orders,
        args.timeout.into(),
    )
    .await?;
    tokio::task::block_in_place(|| worker.terminate(Duration::from_secs(20)))?;
    let routed_run = routed(&db.store).await?;
    let reconcile = if args.skip_reconcile {
        None
    } else {
        let phases = harness::reconcile_bench::reconcile_phases(
            &db.store,
            &fake,
            &catalog,
            &spec,
            args.historical,
        );
        Some(phases.await?)
    };
    eprintln!("bench: the same backlog again through `once` (the cron path)");
    let once = once_backlog(
        &db.store,
        &fake,
        &catalog,
        &spec,
        args.orders,
        args.timeout.into(),
    )
    .await?;
    let routed_both = routed(&db.store).await?;
    eprintln!(
        "bench: {routed_run} of {} orders routed by run, {} of {} by once",
        args.orders,
        routed_both - routed_run,
        args.orders
    );
    eprintln!(
        "bench: backlog drained in {:.1}s; trickle {}/s for {}s",
        backlog.seconds, args.trickle_rate, args.trickle_secs
    );
    let trickle = trickle(
        &db.store,
        &catalog,
        &spec,
        args.trickle_rate,
        args.trickle_secs,
    )
    .await?;
    Ok(Phases {
        backlog,
        once,
        trickle,
        routed: (routed_both, 2 * args.orders as i64),
        reconcile,
    })
}

async fn claim_phase(args: &Args, size: i64) -> Result<ClaimTiming> {
    eprintln!(
        "bench: claim query with {size} orders ({} pending)",
        args.claim_pending.min(size)
    );
    let db = TestDb::open(None, args.backend, "claim").await?;
    let fake = FakeSalesforce::start().await;
    let result = async {
        let catalog = seed_catalog(&db.store, &fake, 1).await?;
        claim_timing(
            &db.store,
            &catalog,
            size,
            args.claim_pending.min(size),
            75,
            7,
        )
        .await
    }
    .await;
    db.cleanup(false).await?;
    result
}
