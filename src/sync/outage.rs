//! Saying a store outage once: the first failure, then a reminder every minute while it lasts,
//! then once when the store answers again — instead of a warning per pass.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Between reminders while the store stays unreachable.
const REMIND_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct State {
    since: Option<Instant>,
    last_said: Option<Instant>,
    failures: u64,
}

/// Shared by the loops of one process (cheap to clone through an `Arc`).
#[derive(Debug, Default)]
pub struct OutageLog(Mutex<State>);

impl OutageLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A store call failed with a transient error while doing `what`.
    pub fn failed(&self, what: &str, error: &dyn std::fmt::Display) {
        let mut s = self.lock();
        let now = Instant::now();
        s.failures += 1;
        let since = *s.since.get_or_insert(now);
        let due = s
            .last_said
            .is_none_or(|t| now.duration_since(t) >= REMIND_EVERY);
        if !due {
            return;
        }
        s.last_said = Some(now);
        if s.failures == 1 {
            tracing::warn!(error = %error, "store unavailable while {what}; orders wait, nothing is lost (will try again)");
        } else {
            let for_s = now.duration_since(since).as_secs();
            tracing::warn!(error = %error, failures = s.failures, for_s, "store still unavailable while {what}");
        }
    }

    /// A store call succeeded: if the store was down, say it is back, once.
    pub fn recovered(&self) {
        let mut s = self.lock();
        if let Some(since) = s.since.take() {
            tracing::info!(
                after_s = since.elapsed().as_secs(),
                failures = s.failures,
                "store answers again"
            );
            s.failures = 0;
            s.last_said = None;
        }
    }

    /// Whether the store is failing right now (for readiness and `once`'s exit code).
    pub fn is_down(&self) -> bool {
        self.lock().since.is_some()
    }
}
