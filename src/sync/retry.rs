//! The retry policy: exponential backoff with jitter, from attempt number to next attempt time.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1`, after `attempt` attempts (1-based) failed.
    pub fn delay_after(&self, attempt: i64) -> Duration {
        let n = usize::try_from(attempt.max(1) - 1).unwrap_or(0).min(64);
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(n)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Epoch milliseconds of the next attempt.
    pub fn next_attempt_at(&self, attempt: i64) -> i64 {
        crate::store::now_ms()
            + i64::try_from(self.delay_after(attempt).as_millis()).unwrap_or(i64::MAX / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_within_the_bounds() {
        let p = RetryPolicy {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        };
        let first = p.delay_after(1);
        assert!(
            first >= Duration::from_secs(1) && first <= Duration::from_secs(2),
            "{first:?}"
        );
        let fifth = p.delay_after(5);
        assert!(fifth >= Duration::from_secs(16), "{fifth:?}");
        assert!(p.delay_after(40) <= Duration::from_secs(60));
    }
}
