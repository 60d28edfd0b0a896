//! The scheduled reconcile in `run` (`[reconcile]`): every `every`, the one replica that takes the
//! turn kept in the store compares the sent orders changed in the last `days` days with
//! Salesforce, keeps the findings (the console's Drift page, the metrics) and raises one alert for
//! drift not seen before. It only reports: fixing is a person's call. Every replica's gauges show
//! the kept findings, refreshed each tick.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Scope, SurveyError, keep, show_in_metrics, survey};
use crate::config::{ReconcileSettings, Settings};
use crate::error::ErrorClass;
use crate::salesforce::Salesforce;
use crate::store::{Store, StoreError};
use crate::sync::{Fatal, Heartbeat, Pace, Runner, Webhook, digest};

/// How often a replica looks whether the scheduled reconcile is due (sooner when `every` is).
const TICK: Duration = Duration::from_secs(60);
/// A process's first look comes this long after start-up at most (sooner when `every` is):
/// start-up's own work first, and a crash-looping process does not reconcile on every start.
const FIRST_AFTER: Duration = Duration::from_secs(600);
/// A turn whose holder stopped without ending it is free again after this long.
const TURN_LEASE: Duration = Duration::from_secs(3600);
/// After a transient failure (the store or Salesforce not answering), the next try this soon.
const RETRY_AFTER: Duration = Duration::from_secs(900);

pub struct Schedule {
    pub store: Store,
    pub salesforce: Salesforce,
    pub settings: ReconcileSettings,
    /// Who takes the turn, and is named as having run it: the worker id.
    pub holder: String,
    pub webhook: Webhook,
    /// The console's public URL (`console.public_url`), for the alert's link; may be empty.
    pub console_url: String,
    pub heartbeat: Arc<Heartbeat>,
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScheduleReport {
    /// This replica took the turn and the reconcile finished.
    pub reconciled: bool,
    /// Orders (and orphan records) that disagree.
    pub disagreeing: usize,
    /// (order, kind) pairs no reconcile had found before.
    pub new: usize,
    /// The drift alert was raised.
    pub alerted: bool,
    /// Drift was kept before and none is left: the all-clear was sent.
    pub cleared: bool,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Schedule {
    pub fn new(settings: &Settings, store: Store, salesforce: Salesforce) -> Schedule {
        Schedule {
            store,
            salesforce,
            settings: settings.reconcile.clone(),
            holder: settings.worker_id(),
            webhook: Webhook::new(&settings.alerts),
            console_url: settings.console.public_url.trim().to_string(),
            heartbeat: Default::default(),
        }
    }

    /// One tick: the reconcile, when it is due and this replica takes the turn; then the gauges.
    pub async fn run_pass(&self) -> Result<ScheduleReport, Fatal> {
        let report = match self.turn().await {
            Ok(report) => report,
            Err(StoreError::Fatal(m)) => return Err(Fatal(m)),
            Err(e) => {
                tracing::warn!(error = %e, "scheduled reconcile: the store did not answer; will look again");
                ScheduleReport::default()
            }
        };
        if let Err(e) = show_in_metrics(&self.store).await {
            tracing::warn!(error = %e, "drift gauges not refreshed: the store did not answer");
        }
        Ok(report)
    }

    /// Takes the turn if it is due, reconciles, and says when the next one is due.
    async fn turn(&self) -> Result<ScheduleReport, StoreError> {
        if !self
            .store
            .take_reconcile_turn(&self.holder, ms(TURN_LEASE))
            .await?
        {
            return Ok(ScheduleReport::default());
        }
        let every = self.settings.every;
        let (report, next) = match self.reconcile().await {
            Ok(report) => (report, every),
            Err(SurveyError::Store(e @ StoreError::Fatal(_))) => return Err(e),
            Err(e) => {
                // A Salesforce refusal or lost access waits for the next run (the push loop is
                // the one that stops the process over credentials); an outage is tried sooner.
                let class = match &e {
                    SurveyError::Salesforce(sf) => sf.class,
                    SurveyError::Store(StoreError::Refused(_)) => ErrorClass::Rejected,
                    SurveyError::Store(_) => ErrorClass::Transient,
                };
                let next = match class {
                    ErrorClass::Transient => every.min(RETRY_AFTER),
                    ErrorClass::Rejected | ErrorClass::Fatal => every,
                };
                tracing::warn!(error = %e, %class, next_in = %humantime::format_duration(next),
                    "scheduled reconcile could not check");
                (ScheduleReport::default(), next)
            }
        };
        self.store
            .end_reconcile_turn(&self.holder, ms(next))
            .await?;
        Ok(report)
    }

    async fn reconcile(&self) -> Result<ScheduleReport, SurveyError> {
        let scope = Scope::Days(self.settings.days);
        let findings = survey(&self.store, &self.salesforce, scope).await?;
        let kept = keep(
            &self.store,
            &findings,
            &format!("the schedule on {}", self.holder),
        )
        .await?;
        let mut report = ScheduleReport {
            reconciled: true,
            disagreeing: findings.disagreeing(),
            new: kept.new.len(),
            ..ScheduleReport::default()
        };
        let scope = scope.describe();
        for d in findings
            .drifts
            .iter()
            .filter(|d| kept.new.contains(&(d.order_id, d.kind)))
        {
            tracing::info!(
                order_id = d.order_id.0,
                kind = d.kind.name(),
                "drift: {}",
                d.what
            );
        }
        if report.new > 0 {
            tracing::warn!(
                disagreeing = report.disagreeing,
                new = report.new,
                checked = findings.checked,
                "scheduled reconcile: Salesforce disagrees with the store (console: Drift; `order-sync reconcile`)"
            );
            let numbers = (report.disagreeing, report.new);
            let body = digest::drift(&findings.counts(), numbers, &scope, &self.console_url);
            self.webhook.deliver(body);
            report.alerted = true;
        } else if report.disagreeing == 0 && kept.disagreeing_before > 0 {
            tracing::info!(
                checked = findings.checked,
                "scheduled reconcile: Salesforce agrees with the store again"
            );
            self.webhook.deliver(digest::drift_cleared(&scope));
            report.cleared = true;
        } else {
            tracing::info!(
                checked = findings.checked,
                disagreeing = report.disagreeing,
                "scheduled reconcile: nothing new"
            );
        }
        Ok(report)
    }

    /// Shows the kept findings at once, waits a while after start-up, then ticks until `cancel`;
    /// a reconcile in flight at shutdown gets `grace` (then its turn's lease simply expires).
    pub async fn run(&self, cancel: CancellationToken, grace: Duration) -> Result<(), Fatal> {
        let every = self.settings.every;
        crate::metrics::record_reconcile_every(every);
        if let Err(e) = show_in_metrics(&self.store).await {
            tracing::warn!(error = %e, "drift gauges not shown yet: the store did not answer");
        }
        tokio::select! {
            _ = tokio::time::sleep(every.min(FIRST_AFTER)) => {}
            _ = cancel.cancelled() => return Ok(()),
        }
        let runner = Runner {
            name: "reconcile",
            interval: every.min(TICK),
            heartbeat: &self.heartbeat,
            cancel: &cancel,
            grace,
            wakeup: None,
        };
        runner
            .run(|| async { self.run_pass().await.map(|_| Pace::Wait) })
            .await
    }
}
