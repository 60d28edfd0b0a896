//! The Salesforce side: auth, the one send path, graphs and price-book lookups.
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
mod lifecycle;
mod link;
mod mapping;
mod objects;
mod pricebook;
mod repair;
mod wire;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use reqwest::Method;

pub use client::{ApiUsage, parse_limit_info};
pub use currency::OrgCurrencies;
pub use describe::{FieldDescription, ObjectDescription, OrderStatusValue, PricebookCoverage};
pub use error::SfError;
pub use lifecycle::{Shown, StatusUpdate, shown_for, transition_values};
pub use link::Owner;
pub use mapping::field_fit;
pub use objects::{IdSlot, Key, MODEL, ObjectModel, Reference, SfObject};
pub use repair::{AcceptedQuote, CompletedEvaluation, QuoteLine};
pub use wire::soql_literal;

use crate::config::SalesforceSettings;
use crate::domain::{Order, OrderId, SalesforceIds};
use graph::{GraphContext, graph_outcome, order_graph};
use wire::{GraphRequest, GraphResponse};

/// Salesforce's composite graph limit on nodes per request.
const MAX_NODES_PER_REQUEST: usize = 500;

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

    /// Writes each order to Salesforce, many orders per request, each its own all-or-nothing graph.
    /// `resent` names orders tried before: what of them already exists is looked up first, so
    /// that insert-only fields are left out of their updates.
    pub async fn push(
        &self,
        orders: &[Order],
        resent: &std::collections::HashSet<OrderId>,
    ) -> Vec<PushResult> {
        let org = match self.currencies.get(&self.inner).await {
            Ok(org) => org,
            Err(e) => return orders.iter().map(|o| (o.id, Err(e.clone()))).collect(),
        };
        let wanted: BTreeSet<pricebook::EntryKey> = orders
            .iter()
            .filter(|o| org.refusal(o).is_none())
            .flat_map(|o| {
                o.lines
                    .iter()
                    .map(|l| (l.sku.clone(), org.of(o).to_string()))
            })
            .collect();
        let (pricebook_id, entries) = match self.pricebook.entries(&self.inner, &wanted, &org).await
        {
            Ok(found) => found,
            Err(e) => return orders.iter().map(|o| (o.id, Err(e.clone()))).collect(),
        };
        let mut results = Vec::with_capacity(orders.len());
        let mut sendable = Vec::new();
        for o in orders {
            match pricebook::refusal(&org, &pricebook_id, &entries, o) {
                Some(e) => results.push((o.id, Err(e))),
                None => sendable.push(o),
            }
        }
        let resent: Vec<&Order> = sendable
            .iter()
            .copied()
            .filter(|o| resent.contains(&o.id))
            .collect();
        let existing =
            match existing::Existing::find(&self.inner, &self.settings, &sendable, &resent).await {
                Ok(e) => e,
                Err(e) => {
                    results.extend(sendable.iter().map(|o| (o.id, Err(e.clone()))));
                    return results;
                }
            };
        let ctx = GraphContext {
            settings: &self.settings,
            pricebook_id: &pricebook_id,
            entries: &entries,
            existing: &existing,
            currencies: &org,
        };
        let mut graphs: Vec<(OrderId, wire::Graph)> = Vec::new();
        for o in sendable {
            let g = order_graph(&ctx, o);
            if g.composite_request.len() > MAX_NODES_PER_REQUEST {
                results.push((
                    o.id,
                    Err(SfError::rejected(
                        None,
                        format!(
                            "the order has {} lines, more than one Salesforce request can carry",
                            o.lines.len()
                        ),
                    )),
                ));
            } else {
                graphs.push((o.id, g));
            }
        }
        // The chunks of one claim go out together: a claim is at most a few requests.
        let sends = chunk_graphs(graphs, self.max_graphs)
            .into_iter()
            .map(|c| self.send_graphs(c, |id, g| graph_outcome(g, existing.activated_order(id))));
        for r in futures_util::future::join_all(sends).await {
            results.extend(r);
        }
        results
    }

    /// Brings each order's Opportunity stage and Order status in line with its store status:
    /// one small graph per order, many per request.
    pub async fn show_statuses(
        &self,
        updates: &[StatusUpdate],
    ) -> Vec<(OrderId, Result<(), SfError>)> {
        let graphs = updates
            .iter()
            .map(|u| {
                (
                    u.order_id,
                    lifecycle::status_graph(&self.settings.api_version, u),
                )
            })
            .collect();
        let sends = chunk_graphs(graphs, self.max_graphs)
            .into_iter()
            .map(|c| self.send_graphs(c, |_, g| lifecycle::status_outcome(g)));
        futures_util::future::join_all(sends)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// What Salesforce should show for a store status, per `salesforce.stages` / `order_statuses`.
    pub fn shown_for(&self, status: crate::domain::OrderStatus) -> Shown {
        lifecycle::shown_for(&self.settings, status)
    }

    /// Sends one request of graphs and reads each graph's result with `outcome`.
    async fn send_graphs<T>(
        &self,
        chunk: Vec<(OrderId, wire::Graph)>,
        outcome: impl Fn(OrderId, wire::GraphResult) -> Result<T, SfError>,
    ) -> Vec<(OrderId, Result<T, SfError>)> {
        let ids: Vec<(OrderId, String)> = chunk
            .iter()
            .map(|(id, g)| (*id, g.graph_id.clone()))
            .collect();
        let request = GraphRequest {
            graphs: chunk.into_iter().map(|(_, g)| g).collect(),
        };
        let body = match serde_json::to_value(&request) {
            Ok(b) => b,
            Err(e) => {
                return ids
                    .iter()
                    .map(|(id, _)| (*id, Err(SfError::fatal(None, e.to_string()))))
                    .collect();
            }
        };
        let answer = self
            .inner
            .send(Method::POST, "composite/graph", Some(&body))
            .await
            .and_then(|bytes| {
                serde_json::from_slice::<GraphResponse>(&bytes).map_err(|_| {
                    SfError::transient(
                        None,
                        format!(
                            "Salesforce's composite answer was not the expected JSON ({})",
                            error::describe_body(&bytes)
                        ),
                    )
                })
            });
        let mut by_graph: HashMap<String, wire::GraphResult> = match answer {
            Ok(r) => r
                .graphs
                .into_iter()
                .map(|g| (g.graph_id.clone(), g))
                .collect(),
            Err(e) => return ids.iter().map(|(id, _)| (*id, Err(e.clone()))).collect(),
        };
        ids.into_iter()
            .map(|(id, graph_id)| {
                let outcome = match by_graph.remove(&graph_id) {
                    Some(g) => outcome(id, g),
                    None => Err(SfError::transient(
                        None,
                        "Salesforce's answer left this order's graph out",
                    )),
                };
                (id, outcome)
            })
            .collect()
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

/// Packs graphs into requests of at most `max_graphs` graphs and 500 nodes.
fn chunk_graphs(
    graphs: Vec<(OrderId, wire::Graph)>,
    max_graphs: usize,
) -> Vec<Vec<(OrderId, wire::Graph)>> {
    let mut chunks: Vec<Vec<(OrderId, wire::Graph)>> = Vec::new();
    let mut nodes = 0;
    for g in graphs {
        let n = g.1.composite_request.len();
        let fits = chunks
            .last()
            .is_some_and(|c| c.len() < max_graphs && nodes + n <= MAX_NODES_PER_REQUEST);
        if !fits {
            chunks.push(Vec::new());
            nodes = 0;
        }
        nodes += n;
        if let Some(last) = chunks.last_mut() {
            last.push(g);
        }
    }
    chunks
}
