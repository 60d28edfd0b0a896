//! The benchmark's change-detection phase: how long one look for later status changes takes,
//! the store holding 10k or 1M orders, with the same 100 administrators' changes to find.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::Utc;
use order_sync::store::Store;
use order_sync::store::sql::{Args, Stmt};

use crate::report::percentile;

/// Store status changes made by hand before the timed looks.
pub const CHANGES: i64 = 100;

#[derive(Debug, Clone)]
pub struct ChangeTiming {
    /// The first look after install: it reads the store's whole history once.
    pub catch_up_ms: f64,
    pub catch_up_rows: usize,
    /// Looks with the changes in the look-back window.
    pub median_ms: f64,
    pub max_ms: f64,
    pub rows_per_look: usize,
}

/// The backlog the claim phase seeded was placed a while ago too: the store's history is old,
/// and only the administrators' changes are new.
async fn age_the_backlog(store: &Store) -> Result<u64> {
    let time = store.db().dialect().time_param(":at");
    let sql = format!("UPDATE orders SET updated_at = {time} WHERE status = :status");
    let long_ago = Utc::now() - chrono::Duration::days(30);
    let args = Args::new()
        .set("status", "Order Placed")
        .set("at", long_ago.format("%Y-%m-%d %H:%M:%S%.6f").to_string());
    let stmt = Stmt::render(store.db().dialect(), &sql);
    Ok(store.db().execute(&stmt, &args).await?)
}

/// Cancels the first `CHANGES` orders as an administrator would (status and updated_at).
async fn admin_changes(store: &Store) -> Result<u64> {
    let time = store.db().dialect().time_param(":at");
    let sql = format!(
        "UPDATE orders SET status = :status, updated_at = {time} WHERE id <= :n AND status <> :status"
    );
    let args = Args::new()
        .set("status", "Canceled")
        .set("at", Utc::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string())
        .set("n", CHANGES);
    let stmt = Stmt::render(store.db().dialect(), &sql);
    Ok(store.db().execute(&stmt, &args).await?)
}

/// Times `Store::detect_changes` (the default look-back) once to catch up, then `runs` times
/// with `CHANGES` fresh changes in the window.
pub async fn change_timing(store: &Store, runs: usize) -> Result<ChangeTiming> {
    let overlap = chrono::Duration::minutes(2);
    age_the_backlog(store).await.context("ageing the backlog")?;
    let t = Instant::now();
    let caught_up = store
        .detect_changes(overlap, 500)
        .await
        .context("first look")?;
    let catch_up_ms = t.elapsed().as_secs_f64() * 1000.0;
    let changed = admin_changes(store).await.context("changing orders")?;
    anyhow::ensure!(
        changed as i64 == CHANGES,
        "changed {changed} orders, not {CHANGES}"
    );
    let (mut ms, mut rows) = (Vec::with_capacity(runs), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let look = store.detect_changes(overlap, 500).await.context("look")?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = look.scanned;
    }
    Ok(ChangeTiming {
        catch_up_ms,
        catch_up_rows: caught_up.scanned,
        median_ms: percentile(&mut ms, 50.0).unwrap_or(f64::NAN),
        max_ms: percentile(&mut ms, 100.0).unwrap_or(f64::NAN),
        rows_per_look: rows,
    })
}
