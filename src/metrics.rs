//! Prometheus metrics: one recorder per process, rendered by the `/metrics` endpoint.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets in seconds, from a fast commit to a slow Salesforce call.
const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the global recorder on first use and returns its handle.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may exist (a test harness); then this handle renders nothing new.
            let _ = metrics::set_global_recorder(recorder);
            describe();
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "order_sync_orders_sent_total",
        "Orders written to Salesforce and moved on, by route"
    );
    describe_counter!(
        "order_sync_failures_total",
        "Failed attempts, by class (transient, rejected, fatal)"
    );
    describe_counter!(
        "order_sync_retries_total",
        "Attempts scheduled for a retry after a transient failure"
    );
    describe_counter!("order_sync_parked_total", "Orders parked with a reason");
    describe_counter!(
        "order_sync_lease_rescues_total",
        "Claims taken over from an expired lease"
    );
    describe_counter!(
        "order_sync_token_renewals_total",
        "Salesforce tokens obtained"
    );
    describe_counter!("order_sync_alerts_total", "Stuck-order alerts raised");
    describe_counter!(
        "order_sync_webhook_failures_total",
        "Alert webhooks that failed after retries"
    );
    describe_counter!(
        "order_sync_reissued_total",
        "Repair orders canceled and reissued priced"
    );
    describe_gauge!(
        "order_sync_stuck_orders",
        "Orders in Order Placed past the threshold, or parked"
    );
    describe_gauge!(
        "order_sync_oldest_order_placed_age_seconds",
        "Age of the oldest order in Order Placed"
    );
    describe_gauge!(
        "order_sync_api_usage",
        "Salesforce API usage from Sforce-Limit-Info (used, max)"
    );
    describe_histogram!("order_sync_claim_seconds", "Time to claim a batch");
    describe_histogram!(
        "order_sync_salesforce_call_seconds",
        "Time for one batch's Salesforce requests"
    );
    describe_histogram!(
        "order_sync_commit_seconds",
        "Time for one order's store write-back"
    );
}
