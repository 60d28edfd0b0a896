//! Chaos suite: seeds orders of every route (plus Incomplete and malformed ones), runs several
//! `order-sync run` workers against the fake Salesforce with faults on, SIGKILLs and restarts
//! them, drives repairs from the Salesforce side and an administrator's cancels and completions
//! from the store's, then turns faults off, drains, waits for Salesforce to follow the store's
//! statuses, and verifies.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use fake_salesforce::{FakeSalesforce, FaultKind, Faults, StatusCategory};
use harness::admin::AdminDriver;
use harness::chaos_report::{self, RunInfo, Timings};
use harness::fleet::Fleet;
use harness::phases::{Drivers, chaos_phase, drain_phase, lifecycle_catch_up};
use harness::repairs::RepairDriver;
use harness::seed::{Kind, Mix, seed_catalog, seed_orders};
use harness::{TestDb, WorkerSpec};
use order_sync::config::Settings;
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
    /// Extra worker setting KEY=VALUE (ORDER_SYNC__ prefix implied; repeatable), e.g.
    /// LIFECYCLE__ENABLED=false to see the suite catch Salesforce falling behind the store.
    #[arg(long, value_name = "KEY=VALUE")]
    worker_env: Vec<String>,
    /// How long the lifecycle loop has, after the drain, to bring Salesforce in line.
    #[arg(long, default_value = "30s")]
    lifecycle_wait: humantime::Duration,
}

/// The Order status an administrator's cancel gives Salesforce Orders in this run: a
/// Draft-category value, as an org's admin would add for it.
const CANCELLED: &str = "Cancelled";

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
    let spec = worker_spec(args, &db.url, &fake, &log_dir)?;
    // What the workers were told, read as they read it: the stages and Order statuses to expect.
    let env = spec.env.iter().cloned().collect();
    let settings = Settings::load_with_env(None, Some(env)).context("the workers' settings")?;
    let mut admin = AdminDriver::new(store.clone(), &seeded, &driver.chosen, args.seed);
    println!(
        "chaos: {} orders seeded in {:.1}s on {}; {} workers; logs in {}",
        seeded.len(),
        seeding.as_secs_f64(),
        store.backend(),
        args.workers,
        log_dir.display()
    );
    let drivers = Drivers {
        repairs: &mut driver,
        admin: &mut admin,
    };
    let drifted = std::sync::Arc::new(std::sync::Mutex::new(Default::default()));
    let admin_in_salesforce = tokio::spawn(harness::drift::drift_midway(
        fake.clone(),
        seeded.clone(),
        drivers.repairs.chosen.clone(),
        args.seed,
        drifted.clone(),
    ));
    let (mut fleet, mut timings) = phases(
        args,
        spec.clone(),
        drivers,
        (&fake, &drifted),
        store,
        &settings,
    )
    .await?;
    timings.seeding = seeding;
    tokio::task::block_in_place(|| fleet.stop_all(Duration::from_secs(10)))?;
    let mut drift = admin_in_salesforce.await?;
    let drift = if timings.drained {
        harness::drift::mend(&fake, &spec, &mut drift).await?;
        Some(drift)
    } else {
        None
    };
    let info = RunInfo {
        settings: &settings.salesforce,
        admin: &admin,
        workers: args.workers,
        fault_rate: args.fault_rate,
        seeded: &seeded,
        log_dir: &log_dir,
        timings,
    };
    let verified = chaos_report::report(&info, &driver, &fleet, &fake, store).await?;
    let drift_ok = drift.as_ref().is_none_or(|d| {
        d.report();
        d.passed()
    });
    Ok(verified && drift_ok)
}

/// The workers' settings: short leases and polls, the fake's Order status for a cancel, and any
/// `--worker-env`.
fn worker_spec(
    args: &Args,
    db_url: &str,
    fake: &FakeSalesforce,
    log_dir: &std::path::Path,
) -> Result<WorkerSpec> {
    let mut spec = WorkerSpec::new(db_url, &fake.url(), log_dir)?;
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
    .set("SYNC__SHUTDOWN_GRACE", "5s")
    .set("SALESFORCE__ORDER_STATUSES__CANCELED", CANCELLED);
    fake.add_order_status(CANCELLED, StatusCategory::Draft);
    for kv in &args.worker_env {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--worker-env {kv}: KEY=VALUE"))?;
        spec.set(k, v);
    }
    Ok(spec)
}

/// Faults on with kills, repairs and admin moves; faults off and drain; then the lifecycle
/// loop's catch-up. Returns the timings (seeding left zero).
async fn phases(
    args: &Args,
    spec: WorkerSpec,
    d: Drivers<'_>,
    (fake, drifted): (
        &FakeSalesforce,
        &std::sync::Mutex<std::collections::BTreeSet<i64>>,
    ),
    store: &Store,
    settings: &Settings,
) -> Result<(Fleet, Timings)> {
    let timeout = Duration::from(args.request_timeout);
    fake.set_faults(
        Faults::new(args.fault_rate, FaultKind::ALL.to_vec())
            .with_seed(args.seed)
            .with_slow_by(timeout + Duration::from_secs(1)),
    );
    let started = Instant::now();
    let deadline = started + Duration::from(args.timeout);
    let mut fleet = Fleet::start(spec, args.workers)?;
    let every = Duration::from(args.kill_every);
    let (repairs, admin) = (d.repairs, d.admin);
    let drivers = Drivers {
        repairs: &mut *repairs,
        admin: &mut *admin,
    };
    let in_chaos = chaos_phase(args.seed, every, &mut fleet, drivers, store, deadline).await?;
    let chaos_time = started.elapsed();
    fake.set_faults(Faults::default());
    println!(
        "chaos: faults off after {:.1}s, {} kills; the administrator made {} moves on {} orders \
         ({} canceled in Order Placed); draining",
        chaos_time.as_secs_f64(),
        fleet.kills,
        admin.made(),
        admin.changes.len(),
        admin.placed_cancels.len()
    );
    let drained = in_chaos && drain_phase(&mut fleet, repairs, store, deadline).await?;
    let drain_time = started.elapsed() - chaos_time;
    let wait = Duration::from(args.lifecycle_wait);
    let caught_up = if drained {
        let sf = &settings.salesforce;
        lifecycle_catch_up(&mut fleet, sf, admin, fake, store, wait, drifted).await?
    } else {
        None
    };
    let timings = Timings {
        seeding: Duration::ZERO,
        chaos: chaos_time,
        drain_after_faults_off: drain_time,
        lifecycle_catch_up: caught_up,
        total: started.elapsed(),
        drained,
    };
    Ok((fleet, timings))
}
