//! The one loop runner every loop uses (push, repair, lifecycle, watchdog): a pass, then a
//! wait; the heartbeat `/readyz` reads; on shutdown the pass in flight gets the same grace
//! deadline; a fatal error ends the loop (and `run` stops the others).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Fatal, Heartbeat};

/// What a loop does after a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// There may be more to do at once: go again without waiting.
    Again,
    /// Wait the interval, or less if woken.
    Wait,
    /// Wait the whole interval, whatever wakes (Salesforce is paused).
    WaitOut,
}

/// How one loop runs.
pub struct Runner<'a> {
    pub name: &'static str,
    pub interval: Duration,
    pub heartbeat: &'a Heartbeat,
    pub cancel: &'a CancellationToken,
    /// How long a pass in flight at shutdown may take to finish.
    pub grace: Duration,
    /// Wakes a waiting loop early (PostgreSQL NOTIFY for new orders).
    pub wakeup: Option<Arc<Notify>>,
}

impl Runner<'_> {
    /// Runs `pass` until cancelled; only a fatal error ends it early.
    pub async fn run<F, Fut>(&self, mut pass: F) -> Result<(), Fatal>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Pace, Fatal>>,
    {
        while !self.cancel.is_cancelled() {
            self.heartbeat.beat();
            let running = pass();
            tokio::pin!(running);
            let pace = tokio::select! {
                r = &mut running => r?,
                _ = self.cancel.cancelled() => {
                    match tokio::time::timeout(self.grace, &mut running).await {
                        Ok(r) => { r?; }
                        Err(_) => tracing::warn!(
                            loop_name = self.name,
                            "shutdown grace elapsed; unfinished claims will expire"
                        ),
                    }
                    return Ok(());
                }
            };
            self.wait(pace).await;
        }
        Ok(())
    }

    async fn wait(&self, pace: Pace) {
        if pace == Pace::Again {
            return;
        }
        let woken = async {
            match (&self.wakeup, pace) {
                (Some(n), Pace::Wait) => n.notified().await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(self.interval) => {}
            _ = woken => {}
            _ = self.cancel.cancelled() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Cancels after 100 ms a loop whose pass takes 300 ms; how many passes finished.
    async fn passes_finished_with_grace(grace: Duration) -> usize {
        let (heartbeat, cancel) = (Heartbeat::default(), CancellationToken::new());
        let runner = Runner {
            name: "test",
            interval: Duration::from_millis(50),
            heartbeat: &heartbeat,
            cancel: &cancel,
            grace,
            wakeup: None,
        };
        let finished = AtomicUsize::new(0);
        let stopper = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            cancel.cancel();
        };
        let looping = runner.run(|| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(Pace::Wait)
        });
        let (result, ()) = tokio::join!(looping, stopper);
        assert!(result.is_ok());
        assert!(heartbeat.age_ms().is_some(), "the loop beat");
        finished.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn a_pass_in_flight_at_shutdown_finishes_within_the_grace() {
        assert_eq!(passes_finished_with_grace(Duration::from_secs(2)).await, 1);
    }

    #[tokio::test]
    async fn a_pass_longer_than_the_grace_is_left_behind() {
        assert_eq!(
            passes_finished_with_grace(Duration::from_millis(10)).await,
            0
        );
    }
}
