//! The Salesforce side: auth, the one send path, the model of what is written (objects.rs),
//! order graphs and their push (push.rs), status updates and price-book lookups.
//! Wire types stay in here; callers see domain types and [`SfError`].

mod auth;
pub use auth::jwt_audience;
mod circuit;
mod client;
mod currency;
mod describe;
mod error;
mod existing;
mod graph;
mod held;
mod keyed;
mod lifecycle;
mod link;
mod mapping;
mod objects;
mod pricebook;
mod push;
mod queries;
mod repair;
mod wire;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use reqwest::Method;

pub use client::{ApiUsage, parse_limit_info};
pub use currency::OrgCurrencies;
pub use describe::{FieldDescription, ObjectDescription, OrderStatusValue, PricebookCoverage};
pub use error::SfError;
pub use held::{Held, HeldLine, HeldOpportunity, HeldOrder, HeldQuote};
pub use keyed::KeyedIds;
pub use lifecycle::{Shown, StatusUpdate, shown_for, transition_values};
pub use link::Owner;
pub use mapping::field_fit;
pub use objects::{IdSlot, Key, MODEL, ObjectModel, Reference, SfObject};
pub use repair::{AcceptedQuote, CompletedEvaluation, QuoteLine};
pub use wire::soql_literal;

use crate::config::SalesforceSettings;
use crate::domain::{OrderId, SalesforceIds};

/// A shareable Salesforce client (cheap to clone; one token cache for all tasks).
#[derive(Clone)]
pub struct Salesforce {
    inner: client::Shared,
    settings: Arc<SalesforceSettings>,
    pricebook: Arc<pricebook::PricebookCache>,
    currencies: Arc<currency::CurrencyCache>,
    max_graphs: usize,
}

/// The result for one order of a push.
pub type PushResult = (OrderId, Result<SalesforceIds, SfError>);

impl Salesforce {
    pub fn new(
        settings: &SalesforceSettings,
        max_graphs_per_request: usize,
    ) -> Result<Salesforce, SfError> {
        Ok(Salesforce {
            inner: Arc::new(client::Inner::new(settings)?),
            settings: Arc::new(settings.clone()),
            pricebook: Arc::new(pricebook::PricebookCache::new(
                &settings.pricebook_id,
                settings.pricebook_refresh,
            )),
            currencies: Arc::new(currency::CurrencyCache::new(settings.multi_currency)),
            max_graphs: max_graphs_per_request.clamp(1, 75),
        })
    }

    /// Obtains a token now, so bad credentials stop the process before any order is claimed,
    /// and checks that the org serves `salesforce.api_version` (an unsupported one would make
    /// every request NOT_FOUND and park the whole backlog).
    pub async fn connect(&self) -> Result<(), SfError> {
        self.inner.auth.token().await?;
        let bytes = self
            .inner
            .send(Method::GET, "/services/data/", None)
            .await?;
        let offered: Vec<wire::ApiVersion> = serde_json::from_slice(&bytes).map_err(|_| {
            SfError::transient(
                None,
                "the org's list of API versions was not the expected JSON",
            )
        })?;
        let wanted = self.settings.api_version.trim_start_matches('v');
        if offered.iter().any(|v| v.version == wanted) {
            return Ok(());
        }
        let range = match (offered.first(), offered.last()) {
            (Some(a), Some(b)) => format!("v{} to v{}", a.version, b.version),
            _ => "none".into(),
        };
        Err(SfError::fatal(
            None,
            format!(
                "salesforce.api_version {} is not served by this org (it offers {range})",
                self.settings.api_version
            ),
        ))
    }

    /// What Salesforce should show for a store status, per `salesforce.stages` / `order_statuses`.
    pub fn shown_for(&self, status: crate::domain::OrderStatus) -> Shown {
        lifecycle::shown_for(&self.settings, status)
    }

    /// The stage an order's first send gives its Opportunity, by route.
    pub fn route_stage(&self, route: crate::domain::Route) -> String {
        lifecycle::route_stage(&self.settings, route)
    }

    /// API usage from the last `Sforce-Limit-Info` header, if any was seen.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        let max = self.inner.api_max.load(Ordering::Relaxed);
        (max > 0).then(|| ApiUsage {
            used: self.inner.api_used.load(Ordering::Relaxed),
            max,
        })
    }

    /// Requests sent to the REST API by this process (token requests not included).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    /// How long Salesforce calls stay paused by the circuit breaker; None when calls flow.
    pub fn paused_for(&self) -> Option<std::time::Duration> {
        self.inner.circuit.open_for()
    }

    /// Why Salesforce calls are paused, in plain words; None while they flow.
    pub fn pause_reason(&self) -> Option<String> {
        let wait = self.paused_for().filter(|d| !d.is_zero())?;
        let resume = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        let at = resume.format("%H:%M UTC");
        Some(if self.inner.circuit.paused_for_daily_limit() {
            format!("the org's daily API limit is spent; Salesforce calls resume about {at}")
        } else {
            format!("Salesforce has been failing; calls are paused until about {at}, then probed")
        })
    }

    /// Whether the org's API usage is past the configured share of its daily limit.
    pub fn over_budget(&self) -> bool {
        self.api_usage()
            .is_some_and(|u| u.used as f64 > u.max as f64 * self.settings.api_budget_share)
    }

    /// When Salesforce last answered a call with success.
    pub fn last_success(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let ms = self.inner.last_success_ms.load(Ordering::Relaxed);
        (ms > 0)
            .then(|| chrono::DateTime::from_timestamp_millis(ms))
            .flatten()
    }

    /// How long ago the current token was obtained (None before the first).
    pub async fn token_age(&self) -> Option<std::time::Duration> {
        self.inner.auth.token_age().await
    }

    /// The org's host (for links to its records), once this process has a token.
    pub async fn instance_url(&self) -> Option<String> {
        self.inner.auth.instance_url().await
    }

    /// Tokens obtained by this process.
    pub fn token_renewals(&self) -> u64 {
        self.inner.auth.renewals()
    }
}
