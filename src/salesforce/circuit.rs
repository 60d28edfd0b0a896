//! A circuit breaker for Salesforce outages: after repeated request-level failures it opens, so a
//! down org costs one probe per cool-down instead of a hot retry loop; then it half-opens.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::SfError;
use crate::error::ErrorClass;

#[derive(Debug, Clone, Copy)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
        cooldown: Duration,
    },
    /// One probe request is allowed through; its outcome closes or re-opens the circuit.
    HalfOpen {
        probing: bool,
        cooldown: Duration,
    },
}

pub struct Circuit {
    state: Mutex<State>,
    /// Until when the pause is for the org's spent daily limit (not an outage).
    daily_until: Mutex<Option<Instant>>,
    threshold: u32,
    min_cooldown: Duration,
    max_cooldown: Duration,
}

/// Request-level failures that say "Salesforce is not answering", not "this record is busy".
pub fn is_outage(e: &SfError) -> bool {
    e.class == ErrorClass::Transient
        && !matches!(
            e.code.as_deref(),
            Some("UNABLE_TO_LOCK_ROW" | "INVALID_SESSION_ID" | "PROCESSING_HALTED")
        )
}

impl Circuit {
    pub fn new(threshold: u32, min_cooldown: Duration, max_cooldown: Duration) -> Circuit {
        Circuit {
            state: Mutex::new(State::Closed { failures: 0 }),
            daily_until: Mutex::new(None),
            threshold: threshold.max(1),
            min_cooldown,
            max_cooldown,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// May a request go out now? Err says how long the circuit stays open.
    pub fn admit(&self) -> Result<(), SfError> {
        let mut state = self.lock();
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until, cooldown } if Instant::now() >= until => {
                *state = State::HalfOpen {
                    probing: true,
                    cooldown,
                };
                Ok(())
            }
            State::Open { until, .. } => {
                Err(open_error(until.saturating_duration_since(Instant::now())))
            }
            State::HalfOpen { probing: true, .. } => Err(open_error(Duration::ZERO)),
            State::HalfOpen {
                probing: false,
                cooldown,
            } => {
                *state = State::HalfOpen {
                    probing: true,
                    cooldown,
                };
                Ok(())
            }
        }
    }

    pub fn record(&self, result: Result<(), &SfError>) {
        let mut state = self.lock();
        let outage = result.err().is_some_and(is_outage);
        let daily_limit = result.err().is_some_and(SfError::is_daily_limit);
        *state = match (*state, outage) {
            _ if daily_limit => {
                *self.daily_until.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Instant::now() + self.max_cooldown);
                tracing::warn!(
                    "the org's daily API limit is reached; pausing Salesforce calls for {:?}",
                    self.max_cooldown
                );
                State::Open {
                    until: Instant::now() + self.max_cooldown,
                    cooldown: self.max_cooldown,
                }
            }
            (_, false) => {
                if !matches!(*state, State::Closed { .. }) {
                    tracing::info!("Salesforce answers again; circuit closed");
                }
                State::Closed { failures: 0 }
            }
            (State::Closed { failures }, true) if failures + 1 < self.threshold => State::Closed {
                failures: failures + 1,
            },
            // Requests already in flight when the circuit opened fail too: they say nothing new.
            (open @ State::Open { .. }, true) => open,
            (State::HalfOpen { cooldown, .. }, true) => {
                let next = (cooldown * 2).min(self.max_cooldown);
                tracing::warn!(
                    cooldown_s = next.as_secs(),
                    "Salesforce still failing; circuit stays open"
                );
                State::Open {
                    until: Instant::now() + next,
                    cooldown: next,
                }
            }
            (State::Closed { .. }, true) => {
                tracing::warn!(
                    cooldown_s = self.min_cooldown.as_secs(),
                    "Salesforce failing repeatedly; circuit open"
                );
                State::Open {
                    until: Instant::now() + self.min_cooldown,
                    cooldown: self.min_cooldown,
                }
            }
        };
        metrics::gauge!("order_sync_circuit_open").set(if matches!(*state, State::Closed { .. }) {
            0.0
        } else {
            1.0
        });
    }

    /// Whether the current pause is for the org's spent daily API limit.
    pub fn paused_for_daily_limit(&self) -> bool {
        self.daily_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|until| Instant::now() < until)
            && self.open_for().is_some()
    }

    /// How long until a request may go out again; None while closed.
    pub fn open_for(&self) -> Option<Duration> {
        match *self.lock() {
            State::Closed { .. } => None,
            State::Open { until, .. } => Some(until.saturating_duration_since(Instant::now())),
            State::HalfOpen { .. } => Some(Duration::ZERO),
        }
    }
}

fn open_error(remaining: Duration) -> SfError {
    SfError::transient(
        Some("CIRCUIT_OPEN"),
        format!(
            "Salesforce has been failing; calls are paused for another {}s",
            remaining.as_secs()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outage() -> SfError {
        SfError::transient(None, "Salesforce answered 503")
    }

    #[test]
    fn the_circuit_opens_after_repeated_outages_and_half_opens_for_one_probe() {
        let c = Circuit::new(3, Duration::from_millis(20), Duration::from_secs(1));
        for _ in 0..3 {
            assert!(c.admit().is_ok());
            c.record(Err(&outage()));
        }
        assert!(c.admit().is_err(), "open after three outages");
        std::thread::sleep(Duration::from_millis(25));
        assert!(c.admit().is_ok(), "one probe after the cool-down");
        assert!(c.admit().is_err(), "only one probe at a time");
        c.record(Ok(()));
        assert!(
            c.admit().is_ok() && c.open_for().is_none(),
            "closed after a good probe"
        );
    }

    #[test]
    fn failures_in_flight_when_the_circuit_opened_do_not_lengthen_the_pause() {
        let c = Circuit::new(1, Duration::from_secs(15), Duration::from_secs(900));
        c.record(Err(&outage()));
        let first = c.open_for().expect("open");
        for _ in 0..5 {
            c.record(Err(&outage()));
        }
        let later = c.open_for().expect("still open");
        assert!(later <= first, "the pause grew from {first:?} to {later:?}");
    }

    #[test]
    fn lock_contention_and_rejections_do_not_open_the_circuit() {
        let c = Circuit::new(2, Duration::from_secs(60), Duration::from_secs(60));
        for _ in 0..5 {
            c.record(Err(&SfError::transient(Some("UNABLE_TO_LOCK_ROW"), "busy")));
            c.record(Err(&SfError::rejected(
                Some("REQUIRED_FIELD_MISSING"),
                "Name",
            )));
        }
        assert!(c.open_for().is_none());
    }
}
