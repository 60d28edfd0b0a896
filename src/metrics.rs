//! Prometheus metrics: one recorder per process, rendered by `/metrics` and by `once --metrics-file`.
//!
//! Every series README documents is listed once in [`SERIES`] with its HELP text, and is exported
//! from start-up at zero (each label value too), so `rate()` and `absent()` behave from the first
//! scrape instead of after the first event.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::domain::{Kind as DriftKind, Route};
use crate::error::ErrorClass;
use crate::salesforce::Salesforce;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets in seconds, from a fast commit to a slow Salesforce call.
const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Clone, Copy)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// Which label a series carries, and so which values it starts with.
#[derive(Clone, Copy)]
enum Labels {
    None,
    Route,
    Class,
    Outcome,
    /// A reconcile's kinds of drift.
    Drift,
}

use Kind::{Counter, Gauge, Histogram};

/// Every series exported from start-up: name, type, labels, HELP text.
#[rustfmt::skip]
const SERIES: &[(&str, Kind, Labels, &str)] = &[
    ("order_sync_orders_sent_total", Counter, Labels::Route, "Orders written to Salesforce and moved on, by route"),
    ("order_sync_failures_total", Counter, Labels::Class, "Failed attempts, by class (transient, rejected, fatal)"),
    ("order_sync_retries_total", Counter, Labels::None, "Attempts scheduled for a retry after a transient failure"),
    ("order_sync_parked_total", Counter, Labels::None, "Orders parked with a reason"),
    ("order_sync_lease_rescues_total", Counter, Labels::None, "Claims taken over from an expired lease"),
    ("order_sync_token_renewals_total", Counter, Labels::None, "Salesforce tokens obtained"),
    ("order_sync_alerts_total", Counter, Labels::None, "Stuck-order alerts raised"),
    ("order_sync_webhook_failures_total", Counter, Labels::None, "Alert webhooks that failed after retries"),
    ("order_sync_reissued_total", Counter, Labels::None, "Repair orders canceled and reissued priced"),
    ("order_sync_orders_resent_total", Counter, Labels::None, "Orders written to Salesforce again as they are now (the re-send queue)"),
    ("order_sync_status_changes_total", Counter, Labels::Outcome, "Later store status changes of sent orders, by outcome (shown in Salesforce, resend: records gone, written again; transient, rejected)"),
    ("order_sync_stuck_orders", Gauge, Labels::None, "Orders in Order Placed past alerts.stuck_after, or parked"),
    ("order_sync_oldest_order_placed_age_seconds", Gauge, Labels::None, "Age of the oldest order in Order Placed; 0 when there is none"),
    ("order_sync_api_usage_used", Gauge, Labels::None, "Salesforce API requests used in the last 24 hours (Sforce-Limit-Info); 0 until the first answer"),
    ("order_sync_api_usage_limit", Gauge, Labels::None, "The org's daily Salesforce API request limit (Sforce-Limit-Info); 0 until the first answer"),
    ("order_sync_api_budget_paused", Gauge, Labels::None, "1 while repair polling is paused because API usage is past salesforce.api_budget_share"),
    ("order_sync_circuit_open", Gauge, Labels::None, "1 while Salesforce calls are paused after repeated failures (circuit breaker open), else 0"),
    ("order_sync_salesforce_up", Gauge, Labels::None, "1 when Salesforce answers (a recent token or successful call, circuit closed), else 0"),
    ("order_sync_salesforce_last_success_timestamp_seconds", Gauge, Labels::None, "Unix time of this process's last successful Salesforce call; 0 before the first"),
    ("order_sync_drift_orders", Gauge, Labels::Drift, "Orders Salesforce disagrees with the store about, per kind, as the last reconcile found; 0 before the first"),
    ("order_sync_reconcile_last_run_timestamp_seconds", Gauge, Labels::None, "Unix time the last reconcile (scheduled, or `order-sync reconcile`) finished; 0 before the first"),
    ("order_sync_reconcile_every_seconds", Gauge, Labels::None, "reconcile.every in seconds while this process runs the scheduled reconcile, else 0"),
    ("order_sync_claim_seconds", Histogram, Labels::None, "Time to claim a batch"),
    ("order_sync_salesforce_call_seconds", Histogram, Labels::None, "Time for one batch's Salesforce requests"),
    ("order_sync_commit_seconds", Histogram, Labels::None, "Time for one order's store write-back"),
];

const BUILD_INFO: &str = "order_sync_build_info";
const LAST_RUN_TIMESTAMP: &str = "order_sync_last_run_timestamp_seconds";
const LAST_RUN_EXIT_CODE: &str = "order_sync_last_run_exit_code";

/// Installs the global recorder on first use and returns its handle.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Registered before the recorder goes global, so no real value is ever reset to zero.
            metrics::with_local_recorder(&recorder, || {
                describe();
                register_at_zero();
            });
            // Another recorder may exist (a test harness); then this handle renders nothing new.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

fn describe() {
    for &(name, kind, _, help) in SERIES {
        match kind {
            Counter => metrics::describe_counter!(name, help),
            Gauge => metrics::describe_gauge!(name, help),
            Histogram => metrics::describe_histogram!(name, help),
        }
    }
    metrics::describe_gauge!(
        BUILD_INFO,
        "Always 1; the version label says which order-sync build runs"
    );
    metrics::describe_gauge!(
        LAST_RUN_TIMESTAMP,
        "Unix time at which the last `order-sync once` run ended"
    );
    metrics::describe_gauge!(
        LAST_RUN_EXIT_CODE,
        "Exit code of the last `order-sync once` run: 0 all moved, 3 some parked or left for retry, 1 fatal"
    );
}

fn label_values(labels: Labels) -> Vec<(&'static str, &'static str)> {
    match labels {
        Labels::None => Vec::new(),
        Labels::Route => Route::ALL.iter().map(|r| ("route", r.name())).collect(),
        Labels::Class => ErrorClass::ALL
            .iter()
            .map(|c| ("class", c.name()))
            .collect(),
        Labels::Outcome => ["shown", "resend", "transient", "rejected"]
            .into_iter()
            .map(|o| ("outcome", o))
            .collect(),
        Labels::Drift => DriftKind::ALL.iter().map(|k| ("kind", k.name())).collect(),
    }
}

fn register_at_zero() {
    for &(name, kind, labels, _) in SERIES {
        let sets = match label_values(labels) {
            values if values.is_empty() => vec![Vec::new()],
            values => values.into_iter().map(|kv| vec![kv]).collect(),
        };
        for set in sets {
            let labels: Vec<metrics::Label> = set
                .into_iter()
                .map(|(k, v)| metrics::Label::new(k, v))
                .collect();
            match kind {
                Counter => metrics::counter!(name, labels).increment(0),
                Gauge => metrics::gauge!(name, labels).set(0.0),
                // A registered histogram renders with zero observations.
                Histogram => {
                    let _ = metrics::histogram!(name, labels);
                }
            }
        }
    }
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// Salesforce API usage and the last successful call, as gauges (the watchdog's look; `once`).
pub fn record_salesforce(salesforce: &Salesforce) {
    if let Some(u) = salesforce.api_usage() {
        metrics::gauge!("order_sync_api_usage_used").set(u.used as f64);
        metrics::gauge!("order_sync_api_usage_limit").set(u.max as f64);
    }
    if let Some(at) = salesforce.last_success() {
        metrics::gauge!("order_sync_salesforce_last_success_timestamp_seconds")
            .set(at.timestamp_millis() as f64 / 1000.0);
    }
}

/// The backlog gauges from one look at the store (the watchdog's look; `once`).
pub fn record_backlog(stuck: usize, oldest_order_placed: Option<chrono::DateTime<chrono::Utc>>) {
    let age = oldest_order_placed
        .map(|t| (chrono::Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    metrics::gauge!("order_sync_stuck_orders").set(stuck as f64);
    metrics::gauge!("order_sync_oldest_order_placed_age_seconds").set(age);
}

/// The last reconcile's findings as kept in the store: disagreeing orders per kind (every kind
/// given) and when it finished.
pub fn record_drift(
    ran_at: Option<chrono::DateTime<chrono::Utc>>,
    counts: &std::collections::BTreeMap<DriftKind, i64>,
) {
    for (kind, n) in counts {
        metrics::gauge!("order_sync_drift_orders", "kind" => kind.name()).set(*n as f64);
    }
    let at = ran_at.map_or(0.0, |t| t.timestamp_millis() as f64 / 1000.0);
    metrics::gauge!("order_sync_reconcile_last_run_timestamp_seconds").set(at);
}

/// The scheduled reconcile's interval while this process runs it (alert rules compare the last
/// run's age with it).
pub fn record_reconcile_every(every: std::time::Duration) {
    metrics::gauge!("order_sync_reconcile_every_seconds").set(every.as_secs_f64());
}

/// Writes every series plus the run's end time and exit code as a node-exporter textfile.
/// Atomic: written to `PATH.tmp` beside it, then renamed, so the collector never reads half a file.
/// Mode 0644 whatever the umask (the units set 0077): node-exporter runs as another user.
pub fn write_textfile(path: &Path, exit_code: i32) -> std::io::Result<()> {
    let Some(name) = path.file_name() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the metrics file path names no file",
        ));
    };
    let handle = handle();
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    metrics::gauge!(LAST_RUN_TIMESTAMP).set(now);
    metrics::gauge!(LAST_RUN_EXIT_CODE).set(f64::from(exit_code));
    let text = handle.render();
    let mut tmp_name = name.to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}
