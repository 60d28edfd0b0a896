//! The repair loop: evaluation complete → Awaiting Customer Approval; quote accepted → the
//! zero-dollar order Canceled and a priced order reissued, exactly once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

use super::Fatal;
use crate::config::RepairSettings;
use crate::domain::OrderStatus;
use crate::error::ErrorClass;
use crate::salesforce::{AcceptedQuote, Salesforce, SfError};
use crate::store::{ReissueLine, ReissueOutcome, RepairLine, Store, StoreError};

const WATERMARK_KEY: &str = "repair.evaluation_watermark";
const BATCH: i64 = 200;

#[derive(Debug, Default, Clone)]
pub struct RepairReport {
    pub evaluations_completed: Vec<i64>,
    pub reissued: Vec<(i64, i64)>,
    pub parked: Vec<i64>,
    /// The pass stopped early because the store could not be reached.
    pub store_errors: usize,
}

#[derive(Clone)]
pub struct Repairer {
    pub store: Store,
    pub salesforce: Salesforce,
    pub settings: RepairSettings,
    pub actor: String,
    pub heartbeat: std::sync::Arc<super::Heartbeat>,
}

impl Repairer {
    /// One pass over both steps. Salesforce or store trouble ends the pass early; the next retries.
    pub async fn run_pass(&self) -> Result<RepairReport, Fatal> {
        let mut report = RepairReport::default();
        match self.step(&mut report).await {
            Ok(()) => Ok(report),
            Err(Step::Fatal(m)) => Err(Fatal(m)),
            Err(Step::Later(m)) => {
                tracing::warn!("repair pass stopped early, will try again: {m}");
                Ok(report)
            }
            Err(Step::Store(m)) => {
                tracing::warn!(
                    "repair pass stopped early: the store could not be reached; will try again: {m}"
                );
                report.store_errors += 1;
                Ok(report)
            }
        }
    }

    async fn step(&self, report: &mut RepairReport) -> Result<(), Step> {
        if self.salesforce.over_budget() {
            // Repairs can wait an hour; new orders cannot. Polling resumes when usage falls.
            metrics::gauge!("order_sync_api_budget_paused").set(1.0);
            return Err(Step::Later(
                "the org's API usage is past salesforce.api_budget_share; repair polling paused"
                    .into(),
            ));
        }
        metrics::gauge!("order_sync_api_budget_paused").set(0.0);
        if let Some(wait) = self.salesforce.paused_for().filter(|d| !d.is_zero()) {
            return Err(Step::Later(format!(
                "Salesforce calls are paused for another {}s",
                wait.as_secs()
            )));
        }
        self.completed_evaluations(report).await?;
        self.accepted_quotes(report).await
    }

    async fn watermark(&self) -> Result<DateTime<Utc>, Step> {
        let stored = self.store.kv_get(WATERMARK_KEY).await?;
        Ok(stored
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default())
    }

    async fn completed_evaluations(&self, report: &mut RepairReport) -> Result<(), Step> {
        let watermark = self.watermark().await?;
        let overlap =
            chrono::Duration::from_std(self.settings.watermark_overlap).unwrap_or_default();
        let found = self
            .salesforce
            .completed_evaluations(&self.settings, watermark - overlap)
            .await?;
        let mut newest = watermark;
        for e in &found {
            let reason = format!(
                "evaluation complete on {} {}",
                self.settings.evaluation_object, e.record_id
            );
            let moved = self
                .store
                .move_status(
                    e.order_key,
                    OrderStatus::AwaitingEvaluation,
                    OrderStatus::AwaitingCustomerApproval,
                    &self.actor,
                    &reason,
                )
                .await?;
            if moved {
                tracing::info!(order_id = e.order_key, record = %e.record_id, "evaluation complete; awaiting customer approval");
                report.evaluations_completed.push(e.order_key);
            }
            newest = newest.max(e.modified_at);
        }
        if newest > watermark {
            self.store
                .kv_set(WATERMARK_KEY, &newest.to_rfc3339())
                .await?;
        }
        Ok(())
    }

    async fn accepted_quotes(&self, report: &mut RepairReport) -> Result<(), Step> {
        let waiting = self.store.orders_awaiting_approval(BATCH).await?;
        let keys: Vec<i64> = waiting.iter().map(|o| o.opportunity_key).collect();
        let quotes = self
            .salesforce
            .accepted_quotes(&self.settings, &keys)
            .await?;
        for order in &waiting {
            let Some(quote) = quotes.iter().find(|q| q.order_key == order.opportunity_key) else {
                continue;
            };
            let lines = self.store.repair_lines(order.id).await?;
            match price_lines(&lines, quote) {
                Err(reason) => {
                    tracing::error!(order_id = order.id, quote = %quote.quote_id, "parked: {reason}");
                    self.store.park_order(order.id, &reason).await?;
                    report.parked.push(order.id);
                }
                Ok(priced) => self.reissue(order, quote, &priced, report).await?,
            }
        }
        Ok(())
    }

    /// Cancels and reissues one order; a reissue the store refuses parks that order, and the
    /// pass goes on with the next.
    async fn reissue(
        &self,
        order: &crate::store::RepairOrder,
        quote: &AcceptedQuote,
        priced: &[ReissueLine],
        report: &mut RepairReport,
    ) -> Result<(), Step> {
        let why = format!("customer accepted Quote {}", quote.quote_id);
        let outcome = self
            .store
            .cancel_and_reissue(
                order.id,
                priced,
                &self.settings.reissue_suffix,
                &self.actor,
                &why,
            )
            .await;
        match outcome {
            Ok(ReissueOutcome::Reissued { new_order_id }) => {
                tracing::info!(order_id = order.id, new_order_id, quote = %quote.quote_id, "canceled (price changed) and reissued");
                metrics::counter!("order_sync_reissued_total").increment(1);
                report.reissued.push((order.id, new_order_id));
            }
            Ok(ReissueOutcome::LeftAlone) => {}
            Err(StoreError::Refused(why)) => {
                let reason = format!(
                    "the customer accepted Quote {}, but the store refused the reissued order: {why}",
                    quote.quote_id
                );
                tracing::error!(order_id = order.id, quote = %quote.quote_id, "parked: {reason}");
                self.store.park_order(order.id, &reason).await?;
                report.parked.push(order.id);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    /// Runs passes every `poll_interval` until `cancel`; a pass in flight gets `grace`.
    pub async fn run(&self, cancel: CancellationToken, grace: Duration) -> Result<(), Fatal> {
        let runner = super::Runner {
            name: "repair",
            interval: self.settings.poll_interval,
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

/// Prices each order line from the accepted quote, or says plainly why they do not match.
pub fn price_lines(
    lines: &[RepairLine],
    quote: &AcceptedQuote,
) -> Result<Vec<ReissueLine>, String> {
    let mut pool: Vec<_> = quote.lines.iter().collect();
    let mut prices = Vec::new();
    for l in lines {
        let sku = l
            .sku
            .clone()
            .unwrap_or_else(|| format!("product {}", l.product_id.unwrap_or(0)));
        let quantity = Decimal::from(l.quantity.unwrap_or(0));
        let Some(i) = pool
            .iter()
            .position(|q| q.sku.as_deref() == Some(sku.as_str()) && q.quantity == Some(quantity))
        else {
            return Err(format!(
                "the accepted quote {} has no line for {sku} × {quantity}; the products do not match the order",
                quote.quote_id
            ));
        };
        let q = pool.remove(i);
        match q.unit_price {
            Some(p) if p >= Decimal::ZERO => prices.push(ReissueLine {
                line_id: l.id,
                quantity: l.quantity.unwrap_or(0),
                unit_price: p,
            }),
            _ => {
                return Err(format!(
                    "the accepted quote {} has no price for {sku}",
                    quote.quote_id
                ));
            }
        }
    }
    if let Some(extra) = pool.first() {
        return Err(format!(
            "the accepted quote {} has {} which the order does not; the products do not match",
            quote.quote_id,
            extra.sku.as_deref().unwrap_or("a line with no product")
        ));
    }
    Ok(prices)
}

enum Step {
    Fatal(String),
    Later(String),
    Store(String),
}

impl From<StoreError> for Step {
    fn from(e: StoreError) -> Step {
        match e {
            StoreError::Fatal(m) => Step::Fatal(m),
            other => Step::Store(other.to_string()),
        }
    }
}

impl From<SfError> for Step {
    fn from(e: SfError) -> Step {
        match e.class {
            ErrorClass::Fatal => Step::Fatal(e.message),
            _ => Step::Later(e.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::QuoteLine;

    fn line(id: i64, sku: &str, quantity: i64) -> RepairLine {
        RepairLine {
            id,
            product_id: None,
            sku: Some(sku.into()),
            quantity: Some(quantity),
        }
    }

    fn quote(lines: &[(&str, i64, &str)]) -> AcceptedQuote {
        AcceptedQuote {
            order_key: 1,
            quote_id: "0Q0000000000001AAA".into(),
            lines: lines
                .iter()
                .map(|(sku, q, p)| QuoteLine {
                    sku: Some(sku.to_string()),
                    quantity: Some(Decimal::from(*q)),
                    unit_price: Some(p.parse().unwrap()),
                })
                .collect(),
        }
    }

    #[test]
    fn an_accepted_quote_prices_each_line_it_matches_by_sku_and_quantity() {
        let priced = price_lines(&[line(7, "EVAL", 2)], &quote(&[("EVAL", 2, "120.50")])).unwrap();
        assert_eq!(priced.len(), 1);
        assert_eq!((priced[0].line_id, priced[0].quantity), (7, 2));
        assert_eq!(priced[0].unit_price.to_string(), "120.50");
    }

    #[test]
    fn a_quote_with_other_quantities_or_an_extra_line_does_not_match() {
        let other_quantity =
            price_lines(&[line(7, "EVAL", 2)], &quote(&[("EVAL", 3, "1")])).unwrap_err();
        assert!(
            other_quantity.contains("no line for EVAL × 2"),
            "{other_quantity}"
        );
        let extra = price_lines(
            &[line(7, "EVAL", 1)],
            &quote(&[("EVAL", 1, "1"), ("PART-9", 1, "5")]),
        )
        .unwrap_err();
        assert!(
            extra.contains("has PART-9 which the order does not"),
            "{extra}"
        );
    }
}
