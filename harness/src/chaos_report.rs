//! The chaos suite's end: gathers the store's and the fake's final state, runs the checks,
//! prints the summary table and one JSON line, and says whether everything held.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use fake_salesforce::FakeSalesforce;
use order_sync::store::Store;

use crate::facts::StoreFacts;
use serde_json::json;

use crate::admin::AdminDriver;
use crate::child::count_in_logs;
use crate::fleet::Fleet;
use crate::lifecycle_report::{lifecycle_rows, line_rows};
use crate::repairs::RepairDriver;
use crate::report::{row, table};
use crate::seed::Kind;
use crate::verify::verify;
use crate::verify_lifecycle::{self, agreement};
use crate::verify_lines::verify_lines;
use order_sync::config::SalesforceSettings;

/// What the run measured besides the final state.
pub struct Timings {
    pub seeding: Duration,
    pub chaos: Duration,
    pub drain_after_faults_off: Duration,
    /// How long the lifecycle loop took after the drain to bring Salesforce in line (None:
    /// it did not within the wait, or the drain failed).
    pub lifecycle_catch_up: Option<Duration>,
    pub total: Duration,
    pub drained: bool,
}

pub struct RunInfo<'a> {
    /// The workers' Salesforce settings: the stages and Order statuses to expect.
    pub settings: &'a SalesforceSettings,
    pub admin: &'a AdminDriver,
    pub workers: usize,
    pub fault_rate: f64,
    pub seeded: &'a [(i64, Kind)],
    pub log_dir: &'a Path,
    pub timings: Timings,
}

const LOG_NEEDLES: [&str; 6] = [
    "took over an expired lease",
    "lease expired before write-back",
    "will retry",
    "repair pass stopped early",
    "circuit open\"",
    "circuit stays open",
];

/// Everything gathered at the end of a run.
struct Gathered {
    verdict: crate::verify::Verdict,
    attempts: Vec<(String, i64)>,
    logs: Vec<u64>,
    faults: std::collections::BTreeMap<String, u64>,
    fault_total: u64,
    calls: u64,
    rescued_rows: usize,
    passed: bool,
}

/// Verifies, prints, and returns whether every check passed.
pub async fn report(
    info: &RunInfo<'_>,
    driver: &RepairDriver,
    fleet: &Fleet,
    fake: &FakeSalesforce,
    store: &Store,
) -> Result<bool> {
    let facts = store.order_facts().await.context("reading orders")?;
    let history = store.history_facts().await.context("reading history")?;
    let attempts = store.attempt_outcomes().await.context("reading attempts")?;
    let lines = store.line_facts().await.context("reading order lines")?;
    let mut verdict = verify(info.seeded, driver, info.admin, &facts, &history, fake);
    verify_lines(&mut verdict, driver, &facts, &lines, fake);
    let agreed = agreement(info.settings, info.admin, &facts, fake);
    verify_lifecycle::record(&mut verdict, &agreed, info.admin);
    let faults = fake.faults_injected();
    let passed = verdict.passed()
        && info.timings.drained
        && fleet.exits.is_empty()
        && driver.anomalies.is_empty();
    let g = Gathered {
        verdict,
        attempts,
        logs: count_in_logs(info.log_dir, &LOG_NEEDLES)?,
        fault_total: faults.values().sum(),
        faults,
        calls: fake.api_calls(),
        rescued_rows: facts.iter().filter(|f| f.rescued_from.is_some()).count(),
        passed,
    };
    table("order-sync chaos summary", &rows(info, driver, fleet, &g));
    print_failures(&g.verdict.failures, fleet, driver);
    println!("{}", json_line(info, driver, fleet, &g, store.backend()));
    Ok(passed)
}

fn rows(
    info: &RunInfo<'_>,
    driver: &RepairDriver,
    fleet: &Fleet,
    g: &Gathered,
) -> Vec<(String, String)> {
    let (v, t, logs) = (&g.verdict, &info.timings, &g.logs);
    let mut rows = vec![
        row("result", if g.passed { "PASS" } else { "FAIL" }),
        row("orders seeded", info.seeded.len()),
    ];
    for k in [
        "card",
        "purchase_order",
        "evaluation",
        "incomplete",
        "malformed:no_lines",
        "malformed:zero_quantity",
        "malformed:unknown_payment",
        "malformed:unknown_sku",
    ] {
        rows.push(row(&format!("  {k}"), v.count(k)));
    }
    rows.extend([
        row(
            "repairs: marked / accepted / reissued",
            format!(
                "{} / {} / {}",
                driver.marked.len(),
                driver.accepted.len(),
                v.count("reissued")
            ),
        ),
        row(
            "workers / kills / exits by themselves",
            format!("{} / {} / {}", info.workers, fleet.kills, fleet.exits.len()),
        ),
        row("Salesforce data requests", g.calls),
        row(
            "faults injected (share)",
            format!(
                "{} ({:.1} %, rate {})",
                g.fault_total,
                100.0 * g.fault_total as f64 / g.calls.max(1) as f64,
                info.fault_rate
            ),
        ),
    ]);
    for (kind, n) in &g.faults {
        rows.push(row(&format!("  {kind}"), n));
    }
    rows.extend([
        row(
            "lease rescues (log) / rows rescued now",
            format!("{} / {}", logs[0], g.rescued_rows),
        ),
        row("lease lost at write-back (log)", logs[1]),
        row(
            "retries (log) / repair passes cut short",
            format!("{} / {}", logs[2], logs[3]),
        ),
        row(
            "circuit opened / re-opened (log)",
            format!("{} / {}", logs[4], logs[5]),
        ),
        row(
            "attempts by outcome",
            g.attempts
                .iter()
                .map(|(o, n)| format!("{o}={n}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        row(
            "malformed parked / well-formed parked",
            format!(
                "{} / {}",
                v.count("parked_malformed"),
                v.count("parked_well_formed")
            ),
        ),
    ]);
    rows.extend(lifecycle_rows(
        v,
        info.admin,
        info.timings.lifecycle_catch_up,
    ));
    rows.extend(line_rows(v));
    rows.extend([
        row("lost", v.count("lost")),
        row("incomplete sent", v.count("incomplete_sent")),
        row("history mismatches", v.count("history_mismatch")),
        row("seeding", format!("{:.1}s", t.seeding.as_secs_f64())),
        row(
            "chaos phase (faults on)",
            format!("{:.1}s", t.chaos.as_secs_f64()),
        ),
        row(
            "drain after faults off",
            format!("{:.1}s", t.drain_after_faults_off.as_secs_f64()),
        ),
        row(
            "time to drain (total)",
            if t.drained {
                format!("{:.1}s", t.total.as_secs_f64())
            } else {
                "TIMED OUT".into()
            },
        ),
    ]);
    rows
}

fn json_line(
    info: &RunInfo<'_>,
    driver: &RepairDriver,
    fleet: &Fleet,
    g: &Gathered,
    backend: &str,
) -> serde_json::Value {
    let t = &info.timings;
    json!({
        "suite": "chaos", "passed": g.passed, "backend": backend, "orders": info.seeded.len(),
        "workers": info.workers, "kills": fleet.kills, "worker_exits": fleet.exits,
        "api_calls": g.calls, "faults_injected": g.faults, "faults_total": g.fault_total,
        "rescues_logged": g.logs[0], "lease_lost_logged": g.logs[1], "rows_rescued_now": g.rescued_rows,
        "circuit_opened_logged": g.logs[4], "circuit_reopened_logged": g.logs[5],
        "counts": g.verdict.counts, "repairs": {"marked": driver.marked.len(), "accepted": driver.accepted.len()},
        "seconds": {"seeding": t.seeding.as_secs_f64(), "chaos": t.chaos.as_secs_f64(),
            "drain_after_faults_off": t.drain_after_faults_off.as_secs_f64(),
            "lifecycle_catch_up": t.lifecycle_catch_up.map(|d| d.as_secs_f64()), "total": t.total.as_secs_f64()},
        "admin": {"moves": info.admin.made(), "orders": info.admin.changes.len(),
            "placed_cancels": info.admin.placed_cancels.len(), "canceled_mid_send": info.admin.canceled_mid_send},
        "drained": t.drained, "failures": g.verdict.failures,
    })
}

fn print_failures(
    failures: &std::collections::BTreeMap<&'static str, Vec<String>>,
    fleet: &Fleet,
    driver: &RepairDriver,
) {
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
