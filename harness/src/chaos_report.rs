//! The chaos suite's end: gathers the store's and the fake's final state, runs the checks,
//! prints the summary table and one JSON line, and says whether everything held.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use fake_salesforce::FakeSalesforce;
use order_sync::store::Store;
use serde_json::json;

use crate::child::count_in_logs;
use crate::fleet::Fleet;
use crate::repairs::RepairDriver;
use crate::report::{row, table};
use crate::seed::Kind;
use crate::verify::verify;

/// What the run measured besides the final state.
pub struct Timings {
    pub seeding: Duration,
    pub chaos: Duration,
    pub drain_after_faults_off: Duration,
    pub total: Duration,
    pub drained: bool,
}

pub struct RunInfo<'a> {
    pub workers: usize,
    pub fault_rate: f64,
    pub seeded: &'a [(i64, Kind)],
    pub log_dir: &'a Path,
    pub timings: Timings,
}

const LOG_NEEDLES: [&str; 4] = [
    "took over an expired lease",
    "lease expired before write-back",
    "will retry",
    "repair pass stopped early",
];

/// Verifies, prints, and returns whether every check passed.
pub async fn report(info: &RunInfo<'_>, driver: &RepairDriver, fleet: &Fleet, fake: &FakeSalesforce, store: &Store) -> Result<bool> {
    let facts = store.order_facts().await.context("reading orders")?;
    let history = store.history_facts().await.context("reading history")?;
    let attempts = store.attempt_outcomes().await.context("reading attempts")?;
    let verdict = verify(info.seeded, driver, &facts, &history, fake);
    let logs = count_in_logs(info.log_dir, &LOG_NEEDLES)?;
    let faults = fake.faults_injected();
    let fault_total: u64 = faults.values().sum();
    let calls = fake.api_calls();
    let rescued_rows = facts.iter().filter(|f| f.rescued_from.is_some()).count();
    let t = &info.timings;
    let passed = verdict.passed() && t.drained && fleet.exits.is_empty() && driver.anomalies.is_empty();
    let mut rows = vec![
        row("result", if passed { "PASS" } else { "FAIL" }),
        row("orders seeded", info.seeded.len()),
    ];
    for k in ["card", "purchase_order", "evaluation", "incomplete", "malformed:no_lines", "malformed:zero_quantity",
        "malformed:unknown_payment", "malformed:unknown_sku"] {
        rows.push(row(&format!("  {k}"), verdict.count(k)));
    }
    rows.extend([
        row("repairs: marked / accepted / reissued", format!("{} / {} / {}", driver.marked.len(), driver.accepted.len(), verdict.count("reissued"))),
        row("workers / kills / exits by themselves", format!("{} / {} / {}", info.workers, fleet.kills, fleet.exits.len())),
        row("Salesforce data requests", calls),
        row("faults injected (share)", format!("{fault_total} ({:.1} %, rate {})", 100.0 * fault_total as f64 / calls.max(1) as f64, info.fault_rate)),
    ]);
    for (kind, n) in &faults {
        rows.push(row(&format!("  {kind}"), n));
    }
    rows.extend([
        row("lease rescues (log) / rows rescued now", format!("{} / {rescued_rows}", logs[0])),
        row("lease lost at write-back (log)", logs[1]),
        row("retries (log) / repair passes cut short", format!("{} / {}", logs[2], logs[3])),
        row("attempts by outcome", attempts.iter().map(|(o, n)| format!("{o}={n}")).collect::<Vec<_>>().join(" ")),
        row("malformed parked / well-formed parked", format!("{} / {}", verdict.count("parked_malformed"), verdict.count("parked_well_formed"))),
        row("duplicates", verdict.count("duplicates")),
        row("lost", verdict.count("lost")),
        row("incomplete sent", verdict.count("incomplete_sent")),
        row("history mismatches", verdict.count("history_mismatch")),
        row("seeding", format!("{:.1}s", t.seeding.as_secs_f64())),
        row("chaos phase (faults on)", format!("{:.1}s", t.chaos.as_secs_f64())),
        row("drain after faults off", format!("{:.1}s", t.drain_after_faults_off.as_secs_f64())),
        row("time to drain (total)", if t.drained { format!("{:.1}s", t.total.as_secs_f64()) } else { "TIMED OUT".into() }),
    ]);
    table("order-sync chaos summary", &rows);
    print_failures(&verdict.failures, fleet, driver);
    let line = json!({
        "suite": "chaos", "passed": passed, "backend": store.backend(), "orders": info.seeded.len(),
        "workers": info.workers, "kills": fleet.kills, "worker_exits": fleet.exits,
        "api_calls": calls, "faults_injected": faults, "faults_total": fault_total,
        "rescues_logged": logs[0], "lease_lost_logged": logs[1], "rows_rescued_now": rescued_rows,
        "counts": verdict.counts, "repairs": {"marked": driver.marked.len(), "accepted": driver.accepted.len()},
        "seconds": {"seeding": t.seeding.as_secs_f64(), "chaos": t.chaos.as_secs_f64(),
            "drain_after_faults_off": t.drain_after_faults_off.as_secs_f64(), "total": t.total.as_secs_f64()},
        "drained": t.drained, "failures": verdict.failures,
    });
    println!("{line}");
    Ok(passed)
}

fn print_failures(failures: &std::collections::BTreeMap<&'static str, Vec<String>>, fleet: &Fleet, driver: &RepairDriver) {
    for (check, samples) in failures {
        println!("FAILED {check}:");
        for s in samples {
            println!("  {s}");
        }
    }
    for e in &fleet.exits {
        println!("FAILED worker exit: {e}");
    }
    for a in driver.anomalies.iter().take(8) {
        println!("FAILED repair driver saw: {a}");
    }
}
