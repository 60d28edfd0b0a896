//! The push: an order's graph built from what the org has (currencies, price-book entries,
//! records of a re-send), packed with others into composite requests, and each graph's answer
//! read; status updates go out the same way.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;

use super::graph::{GraphContext, graph_outcome, order_graph};
use super::wire::{self, GraphRequest, GraphResponse};
use super::{
    OrgCurrencies, PushResult, Salesforce, SfError, StatusUpdate, error, existing, lifecycle,
    pricebook,
};
use crate::domain::{Order, OrderId};

/// Salesforce's composite graph limit on nodes per request.
const MAX_NODES_PER_REQUEST: usize = 500;

impl Salesforce {
    /// Writes each order to Salesforce, many orders per request, each its own all-or-nothing graph.
    /// `resent` names orders tried before: what of them already exists is looked up first, so
    /// that insert-only fields are left out of their updates.
    pub async fn push(
        &self,
        orders: &[Order],
        resent: &std::collections::HashSet<OrderId>,
    ) -> Vec<PushResult> {
        self.push_graphs(orders, resent, false).await
    }

    /// Writes each order again as its store status is now (its stage and Order status, not its
    /// route's), by the same upserts: a re-send, a backfill, a reconcile's mend. `resent` names
    /// the orders Salesforce may hold already.
    pub async fn resend(
        &self,
        orders: &[Order],
        resent: &std::collections::HashSet<OrderId>,
    ) -> Vec<PushResult> {
        self.push_graphs(orders, resent, true).await
    }

    async fn push_graphs(
        &self,
        orders: &[Order],
        resent: &std::collections::HashSet<OrderId>,
        as_now: bool,
    ) -> Vec<PushResult> {
        let org = match self.currencies.get(&self.inner).await {
            Ok(org) => org,
            Err(e) => return orders.iter().map(|o| (o.id, Err(e.clone()))).collect(),
        };
        let wanted = wanted_entries(&org, orders);
        let (pricebook_id, entries) = match self.entries(&org, &wanted).await {
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
            match existing::Existing::find(self, &self.settings, &sendable, &resent).await {
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
            as_now,
        };
        let graphs = build_graphs(&ctx, sendable, &mut results);
        // The chunks of one claim go out together: a claim is at most a few requests.
        let sends = chunk_graphs(graphs, self.max_graphs)
            .into_iter()
            .map(|c| self.send_graphs(c, |id, g| graph_outcome(g, existing.activated_order(id))));
        for r in futures_util::future::join_all(sends).await {
            results.extend(r);
        }
        self.retry_if_pricebook_moved(&org, &wanted, &mut results)
            .await;
        results
    }

    /// The price book and its entries for `wanted`; when one is missing, the cache is checked
    /// against Salesforce once (after a sandbox refresh every id is new).
    async fn entries(
        &self,
        org: &OrgCurrencies,
        wanted: &BTreeSet<pricebook::EntryKey>,
    ) -> Result<(String, HashMap<pricebook::EntryKey, String>), SfError> {
        let found = self.pricebook.entries(&self.inner, wanted, org).await?;
        if wanted.iter().all(|k| found.1.contains_key(k)) {
            return Ok(found);
        }
        Ok(self.pricebook.reload(&self.inner, wanted, org).await?.1)
    }

    /// A refusal for a dead reference may be the cached price-book ids' (a sandbox refresh gives
    /// every record a new id): they are looked up again, and when they changed, the orders so
    /// refused go again at once instead of parking.
    async fn retry_if_pricebook_moved(
        &self,
        org: &OrgCurrencies,
        wanted: &BTreeSet<pricebook::EntryKey>,
        results: &mut [PushResult],
    ) {
        const DEAD: &str = "INVALID_CROSS_REFERENCE_KEY";
        let dead = |r: &Result<_, SfError>| matches!(r, Err(e) if e.code.as_deref() == Some(DEAD));
        if !results.iter().any(|(_, r)| dead(r))
            || !matches!(
                self.pricebook.reload(&self.inner, wanted, org).await,
                Ok((true, _))
            )
        {
            return;
        }
        for (id, r) in results.iter_mut().filter(|(_, r)| dead(r)) {
            tracing::warn!(
                order_id = id.0,
                "the price book's ids changed in Salesforce; retrying"
            );
            *r = Err(SfError::transient(
                Some(DEAD),
                "the price book's ids changed in Salesforce (a sandbox refresh?); looked up again, \
                 the order goes again",
            ));
        }
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
}

/// The (sku, currency) price-book entries the orders the org can take need.
fn wanted_entries(org: &OrgCurrencies, orders: &[Order]) -> BTreeSet<pricebook::EntryKey> {
    orders
        .iter()
        .filter(|o| org.refusal(o).is_none())
        .flat_map(|o| {
            o.lines
                .iter()
                .map(|l| (l.sku.clone(), org.of(o).to_string()))
        })
        .collect()
}

/// Each order's graph; an order too large for one request gets its refusal in `results`.
fn build_graphs(
    ctx: &GraphContext,
    orders: Vec<&Order>,
    results: &mut Vec<PushResult>,
) -> Vec<(OrderId, wire::Graph)> {
    let mut graphs = Vec::new();
    for o in orders {
        let g = order_graph(ctx, o);
        if g.composite_request.len() > MAX_NODES_PER_REQUEST {
            let message = format!(
                "the order has {} lines, more than one Salesforce request can carry",
                o.lines.len()
            );
            results.push((o.id, Err(SfError::rejected(None, message))));
        } else {
            graphs.push((o.id, g));
        }
    }
    graphs
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
