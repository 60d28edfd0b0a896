//! `resend` and `backfill`: write orders to Salesforce as they are now, never moving their store
//! status. Both queue first (the queue is in the store), then drain it; killed and run again,
//! they go on where they stopped and send no order twice.

use std::io::{IsTerminal, Write};

use chrono::NaiveDate;

use crate::app::{Access, build_worker, open_store};
use crate::config::Settings;
use crate::domain::{OrderId, OrderStatus};
use crate::store::Store;
use crate::sync::{PassReport, Worker};

/// Orders read per page while queueing.
const PAGE: i64 = 1_000;
/// The resend run in progress: its arguments and when it started, so a second run with the same
/// arguments queues only what the first has not sent yet.
const JOB_KEY: &str = "resend.job";

/// Which orders `resend` sends again.
pub struct Selection {
    pub orders: Vec<String>,
    pub placed_since: Option<NaiveDate>,
    pub statuses: Vec<OrderStatus>,
}

pub async fn resend(settings: Settings, pick: Selection) -> anyhow::Result<i32> {
    let store = open_store(&settings, Access::Existing).await?;
    let worker = build_worker(&settings, store.clone()).await?;
    let actor = format!("{} (resend)", settings.worker_id());
    let queued = if pick.orders.is_empty() {
        let Some(since) = pick.placed_since else {
            anyhow::bail!("give ORDER numbers, or --placed-since DATE");
        };
        queue_placed_since(&store, since, &pick.statuses, &actor).await?
    } else {
        queue_named(&store, &pick.orders, &actor).await?
    };
    println!("{queued} order(s) queued to be sent again as they are now");
    let code = drain(&worker, &store).await?;
    if code == 0 {
        store.kv_set(JOB_KEY, "").await?;
    }
    Ok(code)
}

async fn queue_named(store: &Store, keys: &[String], actor: &str) -> anyhow::Result<usize> {
    let mut queued = 0;
    for key in keys {
        let id = crate::report::resolve(store, key).await?;
        if store
            .queue_resend(OrderId(id), actor, "a person asked for it to be sent again")
            .await?
        {
            queued += 1;
        } else {
            println!("order {key} is not one order-sync sent (or a worker holds it): skipped");
        }
    }
    Ok(queued)
}

/// Queues the sent orders placed since `since` (in `statuses`, if any), skipping those this same
/// run already re-sent before it was stopped.
async fn queue_placed_since(
    store: &Store,
    since: NaiveDate,
    statuses: &[OrderStatus],
    actor: &str,
) -> anyhow::Result<usize> {
    let args = format!("placed_since={since};statuses={statuses:?}");
    let started = match store
        .kv_get(JOB_KEY)
        .await?
        .as_deref()
        .and_then(|j| j.split_once('|'))
    {
        Some((same, at)) if same == args => at.parse().unwrap_or_else(|_| crate::store::now_ms()),
        _ => crate::store::now_ms(),
    };
    store.kv_set(JOB_KEY, &format!("{args}|{started}")).await?;
    let from = since.and_time(chrono::NaiveTime::MIN).and_utc();
    let (mut after, mut queued) = (0, 0);
    loop {
        let page = store.sent_orders_page(after, 0, PAGE).await?;
        after = page.last().map_or(after, |(o, _)| o.id);
        let full = page.len() as i64 == PAGE;
        for (raw, stored) in page {
            let Ok(order) = raw.validate() else { continue };
            let wanted = order.placed_at >= from
                && (statuses.is_empty() || statuses.contains(&order.status))
                && stored.synced_at.is_none_or(|t| t < started);
            let why = "resend: every order placed since the given day, sent again";
            if wanted && store.queue_resend(order.id, actor, why).await? {
                queued += 1;
            }
        }
        if !full {
            return Ok(queued);
        }
    }
}

pub async fn backfill(settings: Settings, since: NaiveDate) -> anyhow::Result<i32> {
    let store = open_store(&settings, Access::Existing).await?;
    let worker = build_worker(&settings, store.clone()).await?;
    let actor = format!("{} (backfill)", settings.worker_id());
    let from = since.and_time(chrono::NaiveTime::MIN).and_utc();
    let (mut after, mut queued, mut skipped) = (0, 0, 0);
    loop {
        let page = store.unseen_orders_page(after, PAGE).await?;
        after = page.last().map_or(after, |o| o.id);
        let full = page.len() as i64 == PAGE;
        for raw in page {
            // Unreadable orders are left for `check` and the push to name; only sendable ones go.
            let Ok(order) = raw.validate() else {
                skipped += 1;
                continue;
            };
            let historical = !matches!(
                order.status,
                OrderStatus::OrderPlaced | OrderStatus::Incomplete
            );
            if order.placed_at >= from
                && historical
                && store
                    .queue_backfill(order.id, order.route(), &actor)
                    .await?
            {
                queued += 1;
            }
        }
        if !full {
            break;
        }
    }
    println!("{queued} order(s) never sent before queued to be sent as they are now");
    if skipped > 0 {
        println!(
            "{skipped} order(s) could not be read as orders and were left out (see `order-sync check`)"
        );
    }
    drain(&worker, &store).await
}

/// Sends what is queued; 0 when all of it went, 3 when some wait for a retry or were refused.
/// Orders a stopped run still holds are taken over once its lease ends.
async fn drain(worker: &Worker, store: &Store) -> anyhow::Result<i32> {
    let waiting = store.resends_waiting().await?;
    let terminal = std::io::stderr().is_terminal();
    let give_up = std::time::Instant::now() + worker.lease + std::time::Duration::from_secs(5);
    let mut total = PassReport::default();
    loop {
        let held = store.resends_held().await?;
        let (sent_before, refused_before) = (total.sent.len(), total.parked.len());
        let pass = worker
            .resend_until_idle(|sent, refused| {
                if terminal {
                    let (sent, refused) = (sent_before + sent, refused_before + refused);
                    eprint!("\r{sent} of {waiting} sent, {refused} refused");
                    let _ = std::io::stderr().flush();
                }
            })
            .await
            .map_err(|f| anyhow::anyhow!(f.0))?;
        total.absorb(pass);
        // Held rows were out of reach of that pass: once their lease ends, one more takes them.
        if held == 0 || std::time::Instant::now() > give_up {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    if terminal {
        eprintln!();
    }
    let left = store.resends_waiting().await?;
    println!(
        "{} sent again, {} refused (parked with the reason: `orders stuck`), {left} waiting for a retry",
        total.sent.len(),
        total.parked.len()
    );
    Ok(if total.parked.is_empty() && left == 0 {
        0
    } else {
        3
    })
}
