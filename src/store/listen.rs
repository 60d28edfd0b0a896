//! Wake-ups: on PostgreSQL, with `store.notify_trigger` on, a trigger NOTIFYs
//! `order_sync_placed` when an order enters Order Placed, so the push loop starts at once
//! instead of waiting for its next poll.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Store;
use super::db::Db;
use super::migrate::CHANNEL;

impl Store {
    /// A notifier that fires when new orders are placed; None without the trigger (the poll covers it).
    pub fn listen_for_placed_orders(&self, cancel: CancellationToken) -> Option<Arc<Notify>> {
        let Db::Postgres(pool) = &self.db else {
            return None;
        };
        if !self.map.notify_trigger {
            return None;
        }
        let notify = Arc::new(Notify::new());
        let (pool, wake) = (pool.clone(), notify.clone());
        tokio::spawn(async move {
            while !cancel.is_cancelled() {
                let listened = async {
                    let mut listener = PgListener::connect_with(&pool).await?;
                    listener.listen(CHANNEL).await?;
                    wake.notify_one(); // orders may have arrived while we were not listening
                    loop {
                        listener.recv().await?;
                        // Every idle pass loop wakes; a permit is kept if none is waiting yet.
                        wake.notify_waiters();
                        wake.notify_one();
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sqlx::Error>(())
                };
                tokio::select! {
                    result = listened => {
                        if let Err(e) = result {
                            tracing::warn!(error = %e, "LISTEN connection lost; polling until it is back");
                        }
                    }
                    _ = cancel.cancelled() => return,
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Some(notify)
    }
}
