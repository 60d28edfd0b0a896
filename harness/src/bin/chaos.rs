//! Chaos suite: seeds orders of every route (plus Incomplete and malformed ones), runs several
//! `order-sync run` workers against the fake Salesforce with faults on, SIGKILLs and restarts
//! them, drives repairs from the Salesforce side, then turns faults off, drains and verifies.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use fake_salesforce::{FakeSalesforce, FaultKind, Faults};
use harness::chaos_report::{self, RunInfo, Timings};
use harness::fleet::Fleet;
use harness::repairs::RepairDriver;
use harness::seed::{Kind, Mix, seed_catalog, seed_orders};
use harness::{StoreFacts, TestDb, WorkerSpec};
use order_sync::store::Store;

#[derive(Parser, Debug, Clone)]
#[command(
    about = "Kill workers, inject Salesforce faults, and check every order lands exactly once"
)]
pub struct Args {
    /// Orders to seed.
    #[arg(long, default_value_t = 10_000)]
    orders: usize,
    /// `order-sync run` processes.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Mean time between SIGKILLs (each ±50 %).
    #[arg(long, default_value = "3s")]
    kill_every: humantime::Duration,
    /// Share of Salesforce data requests that fail, over every fault kind.
    #[arg(long, default_value_t = 0.12)]
    fault_rate: f64,
    /// The workers' Salesforce request timeout; slow responses are held back 1s longer than this.
    #[arg(long, default_value = "2s")]
    request_timeout: humantime::Duration,
    /// Give up (and fail) after this long.
    #[arg(long, default_value = "15m")]
    timeout: humantime::Duration,
    /// Use this database as is (default: a fresh PostgreSQL database, dropped afterwards).
    #[arg(long)]
    database_url: Option<String>,
    /// The database: a fresh PostgreSQL (default) or MySQL/MariaDB database, or SQLite files.
    #[arg(long, value_enum, default_value = "postgres")]
    backend: harness::Backend,
    /// Share of evaluation orders taken through the repair flow.
    #[arg(long, default_value_t = 0.5)]
    repair_share: f64,
    /// Seed of the fault dice, the kill schedule and the repair choices.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where workers' JSON logs go (default: a fresh directory under /tmp).
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// Keep the database afterwards.
    #[arg(long)]
    keep: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("chaos: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    // A run with nothing to break proves nothing: PASS needs orders and workers to kill.
    anyhow::ensure!(
        args.orders >= 100,
        "--orders {}: the chaos suite needs at least 100 orders to mean anything",
        args.orders
    );
    anyhow::ensure!(
        args.workers >= 2,
        "--workers {}: replicas need at least two workers",
        args.workers
    );
    let db = TestDb::open(args.database_url.as_deref(), args.backend, "chaos").await?;
    let outcome = chaos(&args, &db).await;
    db.cleanup(args.keep).await?;
    outcome
}

async fn chaos(args: &Args, db: &TestDb) -> Result<bool> {
    let fake = FakeSalesforce::start().await;
    let store = &db.store;
    let seeding = Instant::now();
    let catalog = seed_catalog(store, &fake, 300).await?;
    let seeded = seed_orders(store, &catalog, Mix::CHAOS, args.orders, 4, "CH").await?;
    let seeding = seeding.elapsed();
    let evaluations: Vec<i64> = seeded
        .iter()
        .filter(|(_, k)| matches!(k, Kind::Evaluation { .. }))
        .map(|(id, _)| *id)
        .collect();
    let mut driver = RepairDriver::new(
        fake.clone(),
        store.clone(),
        &evaluations,
        args.repair_share,
        args.seed,
    );
    let log_dir = args.log_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("order-sync-chaos-{}", std::process::id()))
    });
    let mut spec = WorkerSpec::new(&db.url, &fake.url(), &log_dir)?;
    let timeout = Duration::from(args.request_timeout);
    // Short leases so a killed worker's claims are rescued quickly, but three request timeouts
    // long so a live worker's claim never expires mid-flight.
    let lease = humantime::format_duration(timeout * 3 + Duration::from_secs(1)).to_string();
    spec.set(
        "SALESFORCE__REQUEST_TIMEOUT",
        &args.request_timeout.to_string(),
    )
    .set("SYNC__LEASE_DURATION", &lease)
    .set("SYNC__POLL_INTERVAL", "250ms")
    .set("SYNC__SHUTDOWN_GRACE", "5s");
    println!(
        "chaos: {} orders seeded in {:.1}s on {}; {} workers; logs in {}",
        seeded.len(),
        seeding.as_secs_f64(),
        store.backend(),
        args.workers,
        log_dir.display()
    );
    fake.set_faults(
        Faults::new(args.fault_rate, FaultKind::ALL.to_vec())
            .with_seed(args.seed)
            .with_slow_by(timeout + Duration::from_secs(1)),
    );
    let started = Instant::now();
    let deadline = started + Duration::from(args.timeout);
    let mut fleet = Fleet::start(spec, args.workers)?;
    let in_chaos = chaos_phase(args, &mut fleet, &mut driver, store, deadline).await?;
    let chaos_time = started.elapsed();
    fake.set_faults(Faults::default());
    println!(
        "chaos: faults off after {:.1}s, {} kills; draining",
        chaos_time.as_secs_f64(),
        fleet.kills
    );
    let drained = in_chaos && drain_phase(&mut fleet, &mut driver, store, deadline).await?;
    let timings = Timings {
        seeding,
        chaos: chaos_time,
        drain_after_faults_off: started.elapsed() - chaos_time,
        total: started.elapsed(),
        drained,
    };
    tokio::task::block_in_place(|| fleet.stop_all(Duration::from_secs(10)))?;
    let info = RunInfo {
        workers: args.workers,
        fault_rate: args.fault_rate,
        seeded: &seeded,
        log_dir: &log_dir,
        timings,
    };
    chaos_report::report(&info, &driver, &fleet, &fake, store).await
}

/// Kills and restarts workers and drives repairs until the backlog is gone and every chosen
/// repair is accepted (at least a few kills in). False when the deadline passed first.
async fn chaos_phase(
    args: &Args,
    fleet: &mut Fleet,
    driver: &mut RepairDriver,
    store: &Store,
    deadline: Instant,
) -> Result<bool> {
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let every = Duration::from(args.kill_every);
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
            driver.tick(0.25).await?;
            let due = store.due_count().await.context("counting due orders")?;
            if due == 0 && driver.all_done() && fleet.kills >= 3 {
                return Ok(true);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
}

/// Faults off, no more kills: waits until nothing is due and the repair loop has caught up
/// (three looks in a row). False when the deadline passed first.
async fn drain_phase(
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
