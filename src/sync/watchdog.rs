//! The stuck-order watchdog: one alert per stuck order (log, metric, webhook), cleared when it moves.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{Fatal, Heartbeat};
use crate::config::AlertSettings;
use crate::report::suggested_action;
use crate::salesforce::Salesforce;
use crate::store::{Store, StoreError, StuckOrder};

/// Where the watchdog notes why Salesforce calls are paused (`seen-at|reason`, or empty).
pub const PAUSE_KEY: &str = "salesforce.paused";

#[derive(Debug, Default, Clone)]
pub struct WatchdogReport {
    pub stuck: usize,
    pub raised: Vec<i64>,
    pub cleared: Vec<i64>,
}

#[derive(Clone)]
pub struct Watchdog {
    pub store: Store,
    pub salesforce: Option<Salesforce>,
    pub settings: AlertSettings,
    pub http: reqwest::Client,
    pub heartbeat: std::sync::Arc<Heartbeat>,
}

impl Watchdog {
    pub fn new(store: Store, salesforce: Option<Salesforce>, settings: AlertSettings) -> Watchdog {
        let http = reqwest::Client::builder()
            .timeout(settings.webhook_timeout)
            .build()
            .unwrap_or_default();
        Watchdog {
            store,
            salesforce,
            settings,
            http,
            heartbeat: Default::default(),
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
        for order in &stuck {
            let reason = reason_for(order);
            if self.store.raise_alert(order.id, &reason).await? {
                self.alert(order, &reason).await;
                report.raised.push(order.id);
            }
        }
        let stuck_ids: Vec<i64> = stuck.iter().map(|o| o.id).collect();
        for id in self.store.clear_moved_alerts(&stuck_ids).await? {
            tracing::info!(order_id = id, "stuck-order alert cleared: the order moved");
            report.cleared.push(id);
        }
        let oldest = self.store.oldest_order_placed().await?;
        crate::metrics::record_backlog(stuck.len(), oldest);
        self.record_salesforce_usage().await?;
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

    /// Keeps API usage where `order-sync status` (another process) can read it.
    async fn record_salesforce_usage(&self) -> Result<(), StoreError> {
        let Some(sf) = &self.salesforce else {
            return Ok(());
        };
        crate::metrics::record_salesforce(sf);
        if let Some(u) = sf.api_usage() {
            self.store
                .kv_set("salesforce.api_usage", &format!("{}/{}", u.used, u.max))
                .await?;
        }
        if let Some(at) = sf.last_success() {
            self.store
                .kv_set("salesforce.last_success", &at.to_rfc3339())
                .await?;
        }
        // For `status` and `orders stuck` (other processes): why calls are paused, if they are,
        // with when that was seen, so a stale note from a stopped daemon can be told apart.
        let pause = sf
            .pause_reason()
            .map(|why| format!("{}|{why}", chrono::Utc::now().to_rfc3339()));
        self.store
            .kv_set(PAUSE_KEY, pause.as_deref().unwrap_or(""))
            .await?;
        Ok(())
    }

    async fn alert(&self, order: &StuckOrder, reason: &str) {
        let age_s = order
            .placed_at
            .map(|t| (chrono::Utc::now() - t).num_seconds())
            .unwrap_or(0);
        let action = suggested_action(
            order.last_error_class.as_deref(),
            order.sync_state.as_deref(),
        );
        tracing::error!(order_id = order.id, order_number = %order.order_number, age_s,
            attempts = order.attempts.unwrap_or(0), error_class = order.last_error_class.as_deref(),
            "stuck order: {reason}; {action}");
        metrics::counter!("order_sync_alerts_total").increment(1);
        if self.settings.webhook_url.is_empty() {
            return;
        }
        let body = json!({
            "order_id": order.id, "order_number": order.order_number, "status": order.status,
            "customer_id": order.customer_id, "customer": order.customer_name, "age_seconds": age_s,
            "attempts": order.attempts.unwrap_or(0), "error_class": order.last_error_class,
            "reason": reason, "suggested_action": action,
        });
        // Delivered in the background: a slow or failing webhook never holds up syncing.
        let (http, url, id) = (
            self.http.clone(),
            self.settings.webhook_url.clone(),
            order.id,
        );
        tokio::spawn(async move {
            let send = || async { http.post(&url).json(&body).send().await?.error_for_status() };
            let policy = ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(30))
                .with_max_times(5)
                .with_jitter();
            if let Err(e) = send.retry(policy).await {
                metrics::counter!("order_sync_webhook_failures_total").increment(1);
                tracing::warn!(order_id = id, error = %e.without_url(), "alert webhook failed after retries");
            }
        });
    }

    /// Runs looks every `check_interval` until `cancel`.
    pub async fn run(&self, cancel: CancellationToken) -> Result<(), Fatal> {
        super::every(
            self.settings.check_interval,
            &self.heartbeat,
            &cancel,
            || self.run_pass(),
        )
        .await
    }
}

fn reason_for(order: &StuckOrder) -> String {
    match (&order.sync_state.as_deref(), &order.last_error) {
        (Some("parked"), Some(e)) => format!("parked: {e}"),
        (_, Some(e)) => format!("still in Order Placed; last error: {e}"),
        (None, None) => "still in Order Placed and order-sync has not picked it up".into(),
        (_, None) => "still in Order Placed".into(),
    }
}
