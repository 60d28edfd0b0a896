//! Whether Salesforce answers: said by `/healthz`, the `order_sync_salesforce_up` gauge and `once`'s
//! textfile — never by `/readyz`, because a worker waiting out an outage is healthy and ready.

use std::time::Duration;

use serde::Serialize;

use crate::salesforce::Salesforce;

/// A token older than this, with no successful call since, means Salesforce access is lost.
pub const MAX_SALESFORCE_SILENCE: Duration = Duration::from_secs(3600);

/// Salesforce as this process sees it: up, or down with the reasons.
#[derive(Debug, Clone, Serialize)]
pub struct SalesforceHealth {
    pub up: bool,
    pub problems: Vec<String>,
}

/// Looks at the token, the last successful call and the circuit breaker; sets the `up` gauge.
pub async fn check_salesforce(salesforce: &Salesforce, max_silence: Duration) -> SalesforceHealth {
    let mut problems = Vec::new();
    match salesforce.token_age().await {
        None => problems.push("no Salesforce token yet".to_string()),
        Some(age) if age > max_silence => {
            let recent_success = salesforce.last_success().is_some_and(|t| {
                (chrono::Utc::now() - t).to_std().unwrap_or_default() < max_silence
            });
            if !recent_success {
                problems.push(format!(
                    "no Salesforce token or successful call in the last {max_silence:?}"
                ));
            }
        }
        Some(_) => {}
    }
    // Half-open (a zero wait) lets the next call probe: not a problem yet.
    if let Some(why) = salesforce.pause_reason() {
        problems.push(why);
    }
    let up = problems.is_empty();
    metrics::gauge!("order_sync_salesforce_up").set(if up { 1.0 } else { 0.0 });
    SalesforceHealth { up, problems }
}
