//! Writing each attempt's outcome back to the store, fenced by the claim's token. A store outage
//! here is transient: the write is retried until shortly before the lease ends, then left for
//! the lease to expire and another pass to rescue — never a reason to stop the loop.

use std::future::Future;
use std::time::{Duration, Instant};

use super::{PassReport, Worker};
use crate::domain::OrderId;
use crate::error::ErrorClass;
use crate::salesforce::SfError;
use crate::store::{Failure, Sent, StoreError, WriteBack};
use crate::sync::Fatal;

/// The claim a write-back must present, and until when it may wait for the store.
pub(super) struct Fence<'a> {
    pub token: &'a str,
    pub deadline: Instant,
}

/// What became of a write-back that may have waited out an outage.
pub(super) enum Written {
    Done(WriteBack),
    /// The store refused this write (a constraint): the order needs a rep.
    Refused(String),
    /// The store stayed unreachable until the deadline: the lease will expire and be rescued.
    GaveUp,
}

impl Worker {
    /// Runs `write` until it succeeds, the store refuses it, or `fence.deadline` passes.
    pub(super) async fn write_back<F, Fut>(
        &self,
        fence: &Fence<'_>,
        id: OrderId,
        mut write: F,
    ) -> Result<Written, Fatal>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<WriteBack, StoreError>>,
    {
        let mut delay = Duration::from_millis(100);
        loop {
            match write().await {
                Ok(w) => {
                    self.outage.recovered();
                    return Ok(Written::Done(w));
                }
                Err(StoreError::Fatal(m)) => return Err(Fatal(m)),
                Err(StoreError::Refused(why)) => return Ok(Written::Refused(why)),
                Err(e @ StoreError::Unavailable(_)) => {
                    self.outage.failed("writing an order's outcome back", &e);
                    if Instant::now() + delay >= fence.deadline {
                        tracing::warn!(
                            order_id = id.0,
                            "store still unavailable; leaving the claim to expire and be rescued"
                        );
                        return Ok(Written::GaveUp);
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    pub(super) async fn write_sent(
        &self,
        fence: &Fence<'_>,
        sent: &Sent,
        started: Instant,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        let commit_started = Instant::now();
        let written = self
            .write_back(fence, sent.order_id, || {
                self.store.record_sent(fence.token, sent)
            })
            .await?;
        metrics::histogram!("order_sync_commit_seconds")
            .record(commit_started.elapsed().as_secs_f64());
        match written {
            Written::Done(WriteBack::Committed) => {
                metrics::counter!("order_sync_orders_sent_total", "route" => sent.route.name())
                    .increment(1);
                tracing::info!(
                    order_id = sent.order_id.0,
                    route = sent.route.name(),
                    attempt = sent.attempt,
                    opportunity = sent.ids.opportunity.as_deref(),
                    quote = sent.ids.quote.as_deref(),
                    sf_order = sent.ids.order.as_deref(),
                    duration_ms = started.elapsed().as_millis() as u64,
                    "order in Salesforce; moved to {}",
                    sent.route.status()
                );
                report.sent.push((sent.order_id, sent.route));
            }
            Written::Done(WriteBack::LeaseLost) => {
                tracing::warn!(
                    order_id = sent.order_id.0,
                    "lease expired before write-back; the new holder finishes it"
                );
                report.lease_lost += 1;
            }
            Written::Done(WriteBack::StatusChanged) => {
                tracing::warn!(
                    order_id = sent.order_id.0,
                    "in Salesforce, but its store status changed meanwhile; left alone"
                );
                report.status_changed += 1;
            }
            Written::Refused(why) => {
                let failure = Failure::Rejected {
                    code: None,
                    message: format!(
                        "in Salesforce, but the store refused the status change: {why}"
                    ),
                };
                self.write_failure(fence, sent.order_id, sent.attempt, &failure, report)
                    .await?;
            }
            Written::GaveUp => report.store_errors += 1,
        }
        Ok(())
    }

    /// What a failed attempt means for the order: retried (when), or parked.
    /// Records a refused or failed attempt (parked, or due again later); a fatal error is kept
    /// in `fatal` so the pass ends once every outcome is written.
    pub(super) async fn write_error(
        &self,
        fence: &Fence<'_>,
        (id, attempt): (OrderId, i64),
        e: &SfError,
        fatal: &mut Option<String>,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        if e.class == crate::error::ErrorClass::Fatal {
            metrics::counter!("order_sync_failures_total", "class" => "fatal").increment(1);
            fatal.get_or_insert_with(|| e.message.clone());
        }
        let failure = self.failure_for(e, attempt);
        self.write_failure(fence, id, attempt, &failure, report)
            .await
    }

    pub(super) fn failure_for(&self, e: &SfError, attempt: i64) -> Failure {
        match e.class {
            ErrorClass::Rejected => Failure::Rejected {
                code: e.code.clone(),
                message: e.message.clone(),
            },
            // A fatal error stops the process; the order itself is fine and goes again at once.
            ErrorClass::Fatal => Failure::Transient {
                next_attempt_at: 0,
                code: e.code.clone(),
                message: e.message.clone(),
            },
            ErrorClass::Transient => {
                // The org's daily allocation is gone: wait the longest delay rather than burn calls.
                let next = if e.is_daily_limit() {
                    crate::store::now_ms()
                        + i64::try_from(self.retry.max_delay.as_millis()).unwrap_or(0)
                } else {
                    self.retry.next_attempt_at(attempt)
                };
                Failure::Transient {
                    next_attempt_at: next,
                    code: e.code.clone(),
                    message: e.message.clone(),
                }
            }
        }
    }

    pub(super) async fn write_failure(
        &self,
        fence: &Fence<'_>,
        id: OrderId,
        attempt: i64,
        failure: &Failure,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        let write = || {
            self.store
                .record_failure(fence.token, id, attempt, &self.worker_id, failure)
        };
        match self.write_back(fence, id, write).await? {
            Written::Done(WriteBack::Committed) => {}
            Written::Done(_) => {
                report.lease_lost += 1;
                return Ok(());
            }
            Written::Refused(why) => {
                tracing::error!(
                    order_id = id.0,
                    "the store refused recording the attempt: {why}"
                );
                report.store_errors += 1;
                return Ok(());
            }
            Written::GaveUp => {
                report.store_errors += 1;
                return Ok(());
            }
        }
        match failure {
            Failure::Transient {
                code,
                message,
                next_attempt_at,
            } => {
                metrics::counter!("order_sync_failures_total", "class" => "transient").increment(1);
                metrics::counter!("order_sync_retries_total").increment(1);
                let in_s = (next_attempt_at - crate::store::now_ms()).max(0) / 1000;
                tracing::warn!(
                    order_id = id.0,
                    attempt,
                    code = code.as_deref(),
                    retry_in_s = in_s,
                    "will retry: {}",
                    loggable(code, message)
                );
                report.retrying.push(id);
            }
            Failure::Rejected { code, message } => {
                metrics::counter!("order_sync_failures_total", "class" => "rejected").increment(1);
                metrics::counter!("order_sync_parked_total").increment(1);
                tracing::error!(
                    order_id = id.0,
                    attempt,
                    code = code.as_deref(),
                    "parked: {}",
                    loggable(code, message)
                );
                report.parked.push(id);
            }
        }
        Ok(())
    }
}

/// What of a failure goes into the log. Salesforce's own messages can echo field values (an
/// e-mail, a PO number): the log keeps the error code, and the whole text stays in the store for
/// the rep (`orders show`, the console). order-sync's own reasons name no personal data.
fn loggable<'a>(code: &Option<String>, message: &'a str) -> std::borrow::Cow<'a, str> {
    match code {
        Some(c) => {
            format!("Salesforce answered {c} (the full message is on the order: `orders show`)")
                .into()
        }
        None => message.into(),
    }
}
