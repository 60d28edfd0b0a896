//! The push loop: claim due orders, validate, write them to Salesforce, move them on.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

mod resend;
mod writeback;

use super::outage::OutageLog;
use super::{Fatal, RetryPolicy};
use crate::domain::{Order, OrderId, Route};
use crate::salesforce::{Salesforce, SfError};
use crate::store::{Claim, ClaimedOrder, Failure, Sent, Store, StoreError};

/// What one pass did; `once` sums these, tests assert on them.
#[derive(Debug, Default, Clone)]
pub struct PassReport {
    pub claimed: usize,
    pub sent: Vec<(OrderId, Route)>,
    pub parked: Vec<OrderId>,
    pub retrying: Vec<OrderId>,
    pub lease_lost: usize,
    pub status_changed: usize,
    pub rescued: usize,
    /// Salesforce calls were paused (circuit open): nothing was claimed.
    pub paused: bool,
    /// Store calls that failed (a claim, or a write-back given up on): due orders may wait.
    pub store_errors: usize,
}

impl PassReport {
    pub fn absorb(&mut self, other: PassReport) {
        self.claimed += other.claimed;
        self.sent.extend(other.sent);
        self.parked.extend(other.parked);
        self.retrying.extend(other.retrying);
        self.lease_lost += other.lease_lost;
        self.status_changed += other.status_changed;
        self.rescued += other.rescued;
        self.paused |= other.paused;
        self.store_errors += other.store_errors;
    }
}

/// Which orders a pass claims: those waiting in Order Placed, or those queued to be sent again.
#[derive(Debug, Clone, Copy)]
pub(super) enum Queue {
    Placed,
    Resend,
}

/// One worker: the step function that `run`, `once`, the demo and the tests all call.
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub salesforce: Salesforce,
    pub worker_id: String,
    pub batch_size: u32,
    pub lease: Duration,
    pub retry: RetryPolicy,
    pub poll_interval: Duration,
    pub shutdown_grace: Duration,
    pub heartbeat: std::sync::Arc<super::Heartbeat>,
    /// Fires when new orders are placed (PostgreSQL LISTEN); the poll is the fallback.
    pub wakeup: Option<std::sync::Arc<tokio::sync::Notify>>,
    /// Pass loops running side by side in `run` and `once`.
    pub concurrency: usize,
    /// Store outages, said once (shared by the loops).
    pub outage: std::sync::Arc<OutageLog>,
}

impl Worker {
    /// One pass: claim a batch, send it, write every outcome back. Stops only on a fatal error.
    pub async fn run_pass(&self) -> Result<PassReport, Fatal> {
        self.pass(Queue::Placed).await
    }

    /// One pass over `queue`: claim a batch, validate it, send it, write every outcome back.
    pub(super) async fn pass(&self, queue: Queue) -> Result<PassReport, Fatal> {
        // While Salesforce is down, claiming would only burn attempts: wait for the circuit.
        if self.salesforce.paused_for().is_some_and(|d| !d.is_zero()) {
            return Ok(PassReport {
                paused: true,
                ..PassReport::default()
            });
        }
        let claimed_at = Instant::now();
        let claim = match queue {
            Queue::Placed => self.claim().await?,
            Queue::Resend => self.claim_resends().await?,
        };
        let Some(claim) = claim else {
            return Ok(PassReport {
                store_errors: 1,
                ..PassReport::default()
            });
        };
        let mut report = PassReport {
            claimed: claim.orders.len(),
            ..PassReport::default()
        };
        if claim.orders.is_empty() {
            return Ok(report);
        }
        // Write-backs may wait out a store outage until shortly before the lease ends; after
        // that the claim is left to expire and be rescued.
        let fence = writeback::Fence {
            token: &claim.token,
            deadline: claimed_at + self.lease.mul_f64(0.8),
        };
        let orders = self.validate(claim.orders, &fence, &mut report).await?;
        match queue {
            Queue::Placed => self.send(orders, &fence, &mut report).await?,
            Queue::Resend => self.send_again(orders, &fence, &mut report).await?,
        }
        Ok(report)
    }

    /// Claims a batch; None when the store is unreachable (logged; the next pass tries again).
    async fn claim(&self) -> Result<Option<Claim>, Fatal> {
        let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        let started = Instant::now();
        match self
            .store
            .claim_due(&self.worker_id, self.batch_size, lease_ms)
            .await
        {
            Ok(c) => {
                self.outage.recovered();
                metrics::histogram!("order_sync_claim_seconds")
                    .record(started.elapsed().as_secs_f64());
                Ok(Some(c))
            }
            Err(StoreError::Fatal(m)) => Err(Fatal(m)),
            Err(e @ (StoreError::Unavailable(_) | StoreError::Refused(_))) => {
                self.outage.failed("claiming orders", &e);
                Ok(None)
            }
        }
    }

    /// Validates each claimed order; a malformed one is parked with its reason here.
    async fn validate(
        &self,
        claimed: Vec<ClaimedOrder>,
        fence: &writeback::Fence<'_>,
        report: &mut PassReport,
    ) -> Result<Vec<(Order, i64)>, Fatal> {
        let mut orders = Vec::with_capacity(claimed.len());
        for ClaimedOrder {
            raw,
            attempt,
            rescued,
        } in claimed
        {
            if rescued {
                report.rescued += 1;
                metrics::counter!("order_sync_lease_rescues_total").increment(1);
                tracing::info!(order_id = raw.id, attempt, "took over an expired lease");
            }
            let id = OrderId(raw.id);
            match raw.validate() {
                Ok(order) => orders.push((order, attempt)),
                Err(rejection) => {
                    let failure = Failure::Rejected {
                        code: None,
                        message: rejection.0,
                    };
                    self.write_failure(fence, id, attempt, &failure, report)
                        .await?;
                }
            }
        }
        Ok(orders)
    }

    /// Writes the orders to Salesforce and each outcome back; a fatal error ends the pass after.
    async fn send(
        &self,
        orders: Vec<(Order, i64)>,
        fence: &writeback::Fence<'_>,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        let started = Instant::now();
        let to_send: Vec<Order> = orders.iter().map(|(o, _)| o.clone()).collect();
        // Tried before (a retry, or a rescue after a crash): Salesforce may hold part of it already.
        let resent = orders
            .iter()
            .filter(|(_, attempt)| *attempt > 1)
            .map(|(o, _)| o.id)
            .collect();
        let results = self.salesforce.push(&to_send, &resent).await;
        metrics::histogram!("order_sync_salesforce_call_seconds")
            .record(started.elapsed().as_secs_f64());
        let mut fatal = None;
        for ((order, attempt), (_, result)) in
            orders.iter().zip(results_in_order(&to_send, results))
        {
            match result {
                Ok(ids) => {
                    let sent = Sent {
                        order_id: order.id,
                        attempt: *attempt,
                        route: order.route(),
                        ids,
                        actor: self.worker_id.clone(),
                    };
                    self.write_sent(fence, &sent, started, report).await?;
                }
                Err(e) => {
                    self.write_error(fence, (order.id, *attempt), &e, &mut fatal, report)
                        .await?
                }
            }
        }
        fatal.map_or(Ok(()), |m| Err(Fatal(m)))
    }

    /// Runs `concurrency` pass loops side by side until `cancel`: under a backlog one loop's
    /// Salesforce round trip overlaps another's claim and commits. A pass that finds no new
    /// order drains the re-send queue instead (new orders always go first); in-flight work gets
    /// `shutdown_grace` to finish.
    pub async fn run(&self, cancel: CancellationToken) -> Result<(), Fatal> {
        let loops = (0..self.concurrency.max(1)).map(|_| self.run_loop(cancel.clone()));
        let results = futures_util::future::join_all(loops).await;
        results.into_iter().collect()
    }

    async fn run_loop(&self, cancel: CancellationToken) -> Result<(), Fatal> {
        let runner = super::Runner {
            name: "push",
            interval: self.poll_interval,
            heartbeat: &self.heartbeat,
            cancel: &cancel,
            grace: self.shutdown_grace,
            wakeup: self.wakeup.clone(),
        };
        runner
            .run(|| async {
                // systemd's watchdog is petted from the loop itself, so a wedged loop gets restarted.
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
                let report = self.run_pass().await?;
                if report.claimed > 0 || report.paused || report.store_errors > 0 {
                    return Ok(pace(&report));
                }
                // No new order waits: the re-send queue's turn, a batch a call like the push.
                Ok(pace(&self.resend_pass().await?))
            })
            .await
    }

    /// Runs passes until nothing is due now (for `once` and cron), with as many pass loops side
    /// by side as `run` uses, so a cron run drains a backlog as fast as the daemon.
    pub async fn run_until_idle(&self) -> Result<PassReport, Fatal> {
        let loops = (0..self.concurrency.max(1)).map(|_| self.drain_loop());
        let mut total = PassReport::default();
        for report in futures_util::future::join_all(loops).await {
            total.absorb(report?);
        }
        Ok(total)
    }

    /// One pass loop of `run_until_idle`: until a pass claims nothing (or Salesforce is paused).
    async fn drain_loop(&self) -> Result<PassReport, Fatal> {
        let mut total = PassReport::default();
        loop {
            let report = self.run_pass().await?;
            let (claimed, paused) = (report.claimed, report.paused);
            total.absorb(report);
            if claimed == 0 || paused {
                return Ok(total);
            }
        }
    }
}

/// What a pass loop does after a pass: at once again while there was work, the whole interval
/// while Salesforce is paused.
fn pace(report: &PassReport) -> super::Pace {
    match (report.claimed, report.paused) {
        (_, true) => super::Pace::WaitOut,
        (0, false) => super::Pace::Wait,
        _ => super::Pace::Again,
    }
}

/// Lines the push results up with the orders sent (push may answer in another order).
pub(super) fn results_in_order(
    orders: &[Order],
    results: Vec<crate::salesforce::PushResult>,
) -> Vec<crate::salesforce::PushResult> {
    let mut by_id: std::collections::HashMap<OrderId, _> = results.into_iter().collect();
    orders
        .iter()
        .map(|o| {
            let r = by_id
                .remove(&o.id)
                .unwrap_or_else(|| Err(SfError::transient(None, "no result for this order")));
            (o.id, r)
        })
        .collect()
}
