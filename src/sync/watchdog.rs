//! The stuck-order watchdog: one alert per stuck order (a log line and the metric), one webhook
//! digest per check with every newly stuck order, a recovery message once none is left.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::digest::{self, Entry};
use super::webhook::Webhook;
use super::{Fatal, Heartbeat};
use crate::config::AlertSettings;
use crate::salesforce::Salesforce;
use crate::store::{Store, StoreError, StuckOrder};

/// Where the watchdog notes why Salesforce calls are paused (`seen-at|reason`, or empty).
pub const PAUSE_KEY: &str = "salesforce.paused";

#[derive(Debug, Default, Clone)]
pub struct WatchdogReport {
    pub stuck: usize,
    pub raised: Vec<i64>,
    pub cleared: Vec<i64>,
    /// This check found the list empty after a digest had listed orders: it sent the recovery.
    pub recovered: bool,
}

#[derive(Clone)]
pub struct Watchdog {
    pub store: Store,
    pub salesforce: Option<Salesforce>,
    pub settings: AlertSettings,
    pub webhook: Webhook,
    pub heartbeat: std::sync::Arc<Heartbeat>,
    /// The console's public URL (`console.public_url`), for links in the webhook; may be empty.
    pub console_url: String,
}

impl Watchdog {
    pub fn new(store: Store, salesforce: Option<Salesforce>, settings: AlertSettings) -> Watchdog {
        Watchdog {
            webhook: Webhook::new(&settings),
            store,
            salesforce,
            settings,
            heartbeat: Default::default(),
            console_url: String::new(),
        }
    }

    /// One look: raise new alerts, clear moved orders, refresh the gauges.
    pub async fn run_pass(&self) -> Result<WatchdogReport, Fatal> {
        match self.look().await {
            Ok(r) => Ok(r),
            Err(StoreError::Fatal(m)) => Err(Fatal(m)),
            Err(e) => {
                tracing::warn!(error = %e, "watchdog could not read the store; will try again");
                Ok(WatchdogReport::default())
            }
        }
    }

    async fn look(&self) -> Result<WatchdogReport, StoreError> {
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(self.settings.stuck_after).unwrap_or_default();
        let stuck = self.store.stuck_orders(cutoff).await?;
        let mut report = WatchdogReport {
            stuck: stuck.len(),
            ..Default::default()
        };
        let mut raised = Vec::new();
        for order in &stuck {
            let reason = reason_for(order);
            // The row is the mark: of all replicas, only the first to raise it alerts.
            if self.store.raise_alert(order.id, &reason).await? {
                raised.push(log_alert(order, reason));
                report.raised.push(order.id);
            }
        }
        if !raised.is_empty() {
            // Sent first: a store hiccup now may cost the recovery message, never the alert.
            let cap = self.settings.webhook_max_orders.max(1);
            self.webhook
                .deliver(digest::stuck(&raised, stuck.len(), cap, &self.console_url));
            self.store.mark_digest_open().await?;
        }
        let stuck_ids: Vec<i64> = stuck.iter().map(|o| o.id).collect();
        for id in self.store.clear_moved_alerts(&stuck_ids).await? {
            tracing::info!(order_id = id, "stuck-order alert cleared: the order moved");
            report.cleared.push(id);
        }
        if stuck.is_empty() && self.store.mark_digest_recovered().await? {
            tracing::info!("no order needs attention any more");
            report.recovered = true;
            self.webhook.deliver(digest::recovered());
        }
        let oldest = self.store.oldest_order_placed().await?;
        crate::metrics::record_backlog(stuck.len(), oldest);
        if let Some(sf) = &self.salesforce {
            record_salesforce_usage(&self.store, sf).await?;
        }
        let keep_ms =
            i64::try_from(self.settings.attempt_retention.as_millis()).unwrap_or(i64::MAX);
        let pruned = self
            .store
            .prune_attempts(crate::store::now_ms().saturating_sub(keep_ms))
            .await?;
        if pruned > 0 {
            tracing::debug!(pruned, "old sync attempt rows deleted");
        }
        Ok(report)
    }

    /// Runs looks every `check_interval` until `cancel`; a look in flight gets `grace`.
    pub async fn run(&self, cancel: CancellationToken, grace: Duration) -> Result<(), Fatal> {
        let runner = super::Runner {
            name: "watchdog",
            interval: self.settings.check_interval,
            heartbeat: &self.heartbeat,
            cancel: &cancel,
            grace,
            wakeup: None,
        };
        runner
            .run(|| async { self.run_pass().await.map(|_| super::Pace::Wait) })
            .await
    }
}

/// Keeps API usage, the last success and the org's host where other processes (`status`, the
/// console) can read them.
pub async fn record_salesforce_usage(store: &Store, sf: &Salesforce) -> Result<(), StoreError> {
    crate::metrics::record_salesforce(sf);
    if let Some(u) = sf.api_usage() {
        store
            .kv_set("salesforce.api_usage", &format!("{}/{}", u.used, u.max))
            .await?;
    }
    if let Some(at) = sf.last_success() {
        store
            .kv_set("salesforce.last_success", &at.to_rfc3339())
            .await?;
    }
    if let Some(url) = sf.instance_url().await {
        store.kv_set("salesforce.instance_url", &url).await?;
    }
    // For `status` and `orders stuck` (other processes): why calls are paused, if they are,
    // with when that was seen, so a stale note from a stopped daemon can be told apart.
    let pause = sf
        .pause_reason()
        .map(|why| format!("{}|{why}", chrono::Utc::now().to_rfc3339()));
    store
        .kv_set(PAUSE_KEY, pause.as_deref().unwrap_or(""))
        .await?;
    Ok(())
}

/// The alert's log line and metric, once per order; the entry for the check's digest.
fn log_alert(order: &StuckOrder, reason: String) -> Entry<'_> {
    let age_s = order
        .placed_at
        .map(|t| (chrono::Utc::now() - t).num_seconds())
        .unwrap_or(0);
    let entry = Entry {
        order,
        reason,
        age_s,
    };
    tracing::error!(order_id = order.id, order_number = %order.order_number, age_s,
        attempts = order.attempts.unwrap_or(0), error_class = order.last_error_class.as_deref(),
        "stuck order: {}; {}", entry.reason, entry.action());
    metrics::counter!("order_sync_alerts_total").increment(1);
    entry
}

/// Why `order` needs attention, in a rep's words.
pub fn reason_for(order: &StuckOrder) -> String {
    match (&order.sync_state.as_deref(), &order.last_error) {
        (Some("parked"), Some(e)) => format!("parked: {e}"),
        (_, Some(e)) => format!("still in Order Placed; last error: {e}"),
        (None, None) => "still in Order Placed and order-sync has not picked it up".into(),
        (_, None) => "still in Order Placed".into(),
    }
}
