//! Keeping a reconcile's findings in the store, in place of the last one's (the console's Drift
//! page, the metrics and the drift alert read them there), and showing them in the metrics.

use chrono::Utc;

use super::{Findings, Kind};
use crate::domain::Drift;
use crate::store::{Kept, ReconcileRun, Store, StoreError};

/// Keeps `findings` as the last reconcile, run by `run_by`; says which drift is new.
pub async fn keep(store: &Store, findings: &Findings, run_by: &str) -> Result<Kept, StoreError> {
    let run = ReconcileRun {
        ran_at: Utc::now(),
        run_by: run_by.to_string(),
        scope: findings.scope.map(|s| s.describe()).unwrap_or_default(),
        checked: findings.checked as i64,
        in_flight: findings.in_flight as i64,
        api_calls: findings.calls as i64,
    };
    let drifts: Vec<(&Drift, Option<&str>)> = findings
        .drifts
        .iter()
        .map(|d| {
            let number = match d.kind {
                Kind::Orphan => None,
                _ => findings.numbers.get(&d.order_id).map(String::as_str),
            };
            (d, number)
        })
        .collect();
    store.keep_reconcile(&run, &drifts).await
}

/// Sets the drift gauges from the findings kept in the store, so that every replica shows the
/// same whoever ran the reconcile.
pub async fn show_in_metrics(store: &Store) -> Result<(), StoreError> {
    let (ran_at, counts) = store.drift_counts().await?;
    crate::metrics::record_drift(ran_at, &counts);
    Ok(())
}
