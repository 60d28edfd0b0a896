//! Benchmark: drains a backlog with one `order-sync run` child against the fake Salesforce at a
//! set latency per request, times a trickle, and times the claim query at two table sizes.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use fake_salesforce::FakeSalesforce;
use harness::bench::{Backlog, ClaimTiming, Trickle, backlog, claim_timing, trickle};
use harness::report::{row, table};
use harness::seed::seed_catalog;
use harness::{TestDb, WorkerSpec};
use serde_json::json;

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
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<()> {
    let db = TestDb::open(args.database_url.as_deref(), args.backend, "bench").await?;
    let result = sync_phases(&args, &db).await;
    db.cleanup(false).await?;
    let (backlog, trickle) = result?;
    let mut claims = Vec::new();
    if !args.skip_claim {
        for size in &args.claim_sizes {
            claims.push(claim_phase(&args, *size).await?);
        }
    }
    let backend = args.backend.name();
    print(&args, backend, &backlog, &trickle, &claims);
    Ok(())
}

async fn sync_phases(args: &Args, db: &TestDb) -> Result<(Backlog, Trickle)> {
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
    Ok((backlog, trickle))
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

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn print(args: &Args, backend: &str, b: &Backlog, t: &Trickle, claims: &[ClaimTiming]) {
    let per_s = b.orders as f64 / b.seconds;
    let calls = b.api_calls as f64 / b.orders as f64;
    let peak_mb = b.usage.peak_rss_kb as f64 / 1024.0;
    let idle_mb = t.idle_rss_kb as f64 / 1024.0;
    let cpu_per_k = b.usage.cpu_seconds * 1000.0 / b.orders as f64;
    let ratio = match claims {
        [base, .., big] if base.median_ms > 0.0 => Some(big.median_ms / base.median_ms),
        _ => None,
    };
    let mut rows = vec![
        row(
            "backend / latency per request",
            format!("{backend} / {}", args.latency),
        ),
        row(
            "worker settings",
            if args.env.is_empty() {
                "defaults".into()
            } else {
                args.env.join(" ")
            },
        ),
        row(
            "backlog",
            format!("{} orders in {:.1}s", b.orders, b.seconds),
        ),
        row(
            "orders per second (target >= 500)",
            format!("{per_s:.0}  {}", verdict(per_s >= 500.0)),
        ),
        row(
            "API calls per order (target <= 0.05)",
            format!(
                "{calls:.4} ({} calls)  {}",
                b.api_calls,
                verdict(calls <= 0.05)
            ),
        ),
        row(
            "trickle p50 / p99 / max (target p99 <= 1s)",
            format!(
                "{:.0} / {:.0} / {:.0} ms over {} orders  {}",
                t.p50_ms,
                t.p99_ms,
                t.max_ms,
                t.orders,
                verdict(t.p99_ms <= 1000.0)
            ),
        ),
        row(
            "peak RSS, backlog (target <= 100 MB)",
            format!("{peak_mb:.1} MB  {}", verdict(peak_mb <= 100.0)),
        ),
        row(
            "RSS 3s after the backlog",
            format!("{:.1} MB", b.rss_after_kb as f64 / 1024.0),
        ),
        row(
            "idle RSS, fresh worker (target <= 20 MB)",
            format!("{idle_mb:.1} MB  {}", verdict(idle_mb <= 20.0)),
        ),
        row(
            "CPU seconds per 1,000 orders",
            format!("{cpu_per_k:.2} ({:.1}s total)", b.usage.cpu_seconds),
        ),
    ];
    for c in claims {
        rows.push(row(
            &format!("claim @ {} orders ({} pending)", c.total_orders, c.pending),
            format!(
                "median {:.2} ms, max {:.2} ms, first {:.1} ms (seeded in {:.1}s)",
                c.median_ms, c.max_ms, c.first_ms, c.seed_seconds
            ),
        ));
    }
    if let Some(r) = ratio {
        rows.push(row(
            "claim ratio largest / smallest (target <= 1.5)",
            format!("{r:.2}  {}", verdict(r <= 1.5)),
        ));
    }
    table("order-sync benchmark", &rows);
    let claims_json: Vec<_> = claims.iter().map(|c| json!({"orders": c.total_orders, "pending": c.pending,
        "median_ms": c.median_ms, "max_ms": c.max_ms, "first_ms": c.first_ms, "seed_seconds": c.seed_seconds})).collect();
    println!(
        "{}",
        json!({
            "suite": "bench", "backend": backend, "latency_ms": Duration::from(args.latency).as_millis() as u64, "settings": args.env,
            "orders": b.orders, "seconds": b.seconds, "orders_per_second": per_s, "api_calls": b.api_calls,
            "api_calls_per_order": calls, "trickle": {"orders": t.orders, "p50_ms": t.p50_ms, "p99_ms": t.p99_ms, "max_ms": t.max_ms},
            "peak_rss_mb": peak_mb, "idle_rss_mb": idle_mb, "rss_after_backlog_mb": b.rss_after_kb as f64 / 1024.0,
            "cpu_seconds_per_1000": cpu_per_k, "claims": claims_json, "claim_ratio": ratio,
        })
    );
}
