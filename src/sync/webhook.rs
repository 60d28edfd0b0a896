//! The alert webhook (`alerts.webhook_url`): each payload POSTed in the background and retried,
//! so a slow or failing webhook never holds up syncing. The stuck-order digest and the scheduled
//! reconcile's drift alert both go through here.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::config::AlertSettings;

#[derive(Clone)]
pub struct Webhook {
    http: reqwest::Client,
    /// Empty: no webhook, nothing is sent.
    url: String,
}

impl Webhook {
    pub fn new(settings: &AlertSettings) -> Webhook {
        let http = reqwest::Client::builder()
            .timeout(settings.webhook_timeout)
            .build()
            .unwrap_or_default();
        Webhook {
            http,
            url: settings.webhook_url.clone(),
        }
    }

    /// POSTs `body`, if a webhook is set, in the background.
    pub fn deliver(&self, body: serde_json::Value) {
        if self.url.is_empty() {
            return;
        }
        let (http, url) = (self.http.clone(), self.url.clone());
        tokio::spawn(async move {
            let send = || async { http.post(&url).json(&body).send().await?.error_for_status() };
            let policy = ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(30))
                .with_max_times(5)
                .with_jitter();
            if let Err(e) = send.retry(policy).await {
                metrics::counter!("order_sync_webhook_failures_total").increment(1);
                let event = body["event"].as_str().unwrap_or("");
                tracing::warn!(event, error = %e.without_url(), "alert webhook failed after retries");
            }
        });
    }
}
