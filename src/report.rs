//! What a service rep reads: one order's story, stuck orders, counts. Tables or `--json`.

use std::time::Duration;

use serde_json::json;

use crate::store::{OrderDetail, Store, StuckOrder};

pub(crate) async fn resolve(store: &Store, key: &str) -> anyhow::Result<i64> {
    store
        .find_order(key)
        .await
        .map_err(anyhow::Error::msg)?
        .ok_or_else(|| anyhow::anyhow!("no order {key:?} (give an order number or id)"))
}

/// What a rep should do about order `number`, from its sync state and last error class.
pub fn suggested_action(class: Option<&str>, state: Option<&str>, number: &str) -> String {
    match (state, class) {
        (Some("parked"), _) => format!(
            "fix the cause above in the store or Salesforce, then retry: Retry on the console's \
             order page, or `order-sync retry {number}`"
        ),
        (_, Some("transient")) => {
            "nothing yet: it retries by itself; if it persists, check Salesforce's status".into()
        }
        (None, _) => "order-sync has not picked it up: check that it is running".into(),
        _ => format!(
            "wait for the next pass, or enter it in Salesforce by hand and record the ids: Link \
             on the console's order page, or `order-sync link {number} --opportunity ID`"
        ),
    }
}

pub async fn show_order(store: &Store, key: &str, as_json: bool) -> anyhow::Result<i32> {
    let id = resolve(store, key).await?;
    let Some(d) = store.order_detail(id).await? else {
        anyhow::bail!("order {key} vanished")
    };
    let history = store.order_history(id).await?;
    let attempts = store.order_attempts(id).await?;
    if as_json {
        let v = json!({
            "id": d.id, "order_number": d.order_number, "status": d.status,
            "status_listed": crate::domain::OrderStatus::parse(&d.status).is_ok(),
            "reissue_of": d.reissue_of, "reissued_as": d.reissued_as,
            "sync": {"state": d.sync_state, "attempts": d.attempts, "route": d.route,
                "last_error_class": d.last_error_class, "last_error_code": d.last_error_code, "last_error": d.last_error},
            "salesforce": {"account": d.sf_account_id, "contact": d.sf_contact_id, "opportunity": d.sf_opportunity_id,
                "quote": d.sf_quote_id, "order": d.sf_order_id},
            "history": history.iter().map(|h| json!({"from": h.from_status, "to": h.to_status, "at": h.changed_at, "actor": h.actor, "reason": h.reason})).collect::<Vec<_>>(),
            "attempts_log": attempts.iter().map(|a| json!({"attempt": a.attempt, "worker": a.worker, "at_ms": a.finished_at, "outcome": a.outcome, "code": a.error_code, "message": a.message})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    print_detail(&d);
    println!("\nStatus history:");
    for h in &history {
        println!(
            "  {}  {} → {}  by {}  {}",
            h.changed_at.as_deref().unwrap_or("?"),
            h.from_status.as_deref().unwrap_or("-"),
            h.to_status,
            h.actor.as_deref().unwrap_or("-"),
            h.reason.as_deref().unwrap_or("")
        );
    }
    println!("\nSync attempts:");
    for a in &attempts {
        println!(
            "  #{} {} by {}  {} {}",
            a.attempt,
            a.outcome,
            a.worker,
            a.error_code.as_deref().unwrap_or(""),
            a.message.as_deref().unwrap_or("")
        );
    }
    Ok(0)
}

fn print_detail(d: &OrderDetail) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("Order {} (id {}): {}", d.order_number, d.id, d.status);
    if let Some(of) = d.reissue_of {
        println!("  reissues order id {of}");
    }
    if let Some(n) = d.reissued_as {
        println!("  reissued as order id {n}");
    }
    println!(
        "  sync: {} after {} attempt(s), route {}",
        opt(&d.sync_state),
        d.attempts.unwrap_or(0),
        opt(&d.route)
    );
    println!(
        "  Salesforce: Account {} · Contact {} · Opportunity {} · Quote {} · Order {}",
        opt(&d.sf_account_id),
        opt(&d.sf_contact_id),
        opt(&d.sf_opportunity_id),
        opt(&d.sf_quote_id),
        opt(&d.sf_order_id)
    );
    if crate::domain::OrderStatus::parse(&d.status).is_err() {
        let sent = d.sf_opportunity_id.is_some();
        println!(
            "  {:?} is one of the store's own statuses, not listed under [store.statuses]: {}",
            d.status,
            if sent {
                "Salesforce stays as it is"
            } else {
                "order-sync leaves the order alone"
            }
        );
    }
    if let Some(e) = &d.last_error {
        println!("  last error ({}): {e}", opt(&d.last_error_class));
        println!(
            "  what to do: {}",
            suggested_action(
                d.last_error_class.as_deref(),
                d.sync_state.as_deref(),
                &d.order_number
            )
        );
    }
}

/// Why Salesforce calls were paused when the daemon last looked (within the last 5 minutes).
pub async fn salesforce_pause(store: &Store) -> anyhow::Result<Option<String>> {
    let note = store
        .kv_get(crate::sync::PAUSE_KEY)
        .await?
        .unwrap_or_default();
    let Some((seen, why)) = note.split_once('|') else {
        return Ok(None);
    };
    let fresh = chrono::DateTime::parse_from_rfc3339(seen)
        .is_ok_and(|t| chrono::Utc::now() - t.to_utc() < chrono::Duration::minutes(5));
    Ok(fresh.then(|| why.to_string()))
}

pub async fn stuck(store: &Store, older_than: Duration, as_json: bool) -> anyhow::Result<i32> {
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(older_than)?;
    let rows = store.stuck_orders(cutoff).await?;
    let paused = salesforce_pause(store).await?;
    if !as_json && let Some(why) = &paused {
        println!("Salesforce calls are paused: {why}.\n");
    }
    if as_json {
        let v: Vec<_> = rows.iter().map(|r| json!({
            "id": r.id, "order_number": r.order_number, "age_s": age_s(r), "attempts": r.attempts,
            "sync_state": r.sync_state, "error_class": r.last_error_class, "reason": r.last_error,
            "action": suggested_action(r.last_error_class.as_deref(), r.sync_state.as_deref(), &r.order_number),
        })).collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    if rows.is_empty() {
        println!("No stuck orders.");
        return Ok(0);
    }
    println!(
        "{:<14} {:>8} {:>8} {:<10} REASON / WHAT TO DO",
        "ORDER", "AGE", "ATTEMPTS", "CLASS"
    );
    for r in &rows {
        println!(
            "{:<14} {:>7}m {:>8} {:<10} {}\n{:<44}→ {}",
            r.order_number,
            age_s(r) / 60,
            r.attempts.unwrap_or(0),
            r.last_error_class.as_deref().unwrap_or("-"),
            r.last_error.as_deref().unwrap_or("(no attempt yet)"),
            "",
            suggested_action(
                r.last_error_class.as_deref(),
                r.sync_state.as_deref(),
                &r.order_number
            )
        );
    }
    Ok(0)
}

fn age_s(r: &StuckOrder) -> i64 {
    r.placed_at
        .map(|t| (chrono::Utc::now() - t).num_seconds())
        .unwrap_or(0)
}

pub async fn retry(store: &Store, order: Option<&str>, all_parked: bool) -> anyhow::Result<i32> {
    let actor = format!(
        "retry by {}",
        std::env::var("USER").unwrap_or_else(|_| "a rep".into())
    );
    if all_parked {
        let n = store.retry_all_parked(&actor).await?;
        println!("{n} parked order(s) will be retried on the next pass");
        return Ok(0);
    }
    let Some(key) = order else {
        anyhow::bail!("give an ORDER, or --all-parked")
    };
    let id = resolve(store, key).await?;
    if store.retry_order(id, &actor).await? {
        println!("order {key} {}", retried(store, id).await?);
        Ok(0)
    } else {
        println!("order {key} is not waiting for a retry (already sent, or not in Order Placed)");
        Ok(1)
    }
}

/// What a retry of order `id` will do, in plain words.
pub async fn retried(store: &Store, id: i64) -> anyhow::Result<&'static str> {
    let state = store.order_detail(id).await?.and_then(|d| d.sync_state);
    Ok(match state.as_deref() {
        Some("resend") => "will be written to Salesforce again as it is now on the next pass",
        _ => "will be retried on the next pass",
    })
}

pub async fn status(store: &Store, budget_share: f64, as_json: bool) -> anyhow::Result<i32> {
    let counts = store.status_counts().await?;
    let oldest = store.oldest_order_placed().await?;
    let oldest_age_s = oldest.map(|t| (chrono::Utc::now() - t).num_seconds());
    let last_success = store.kv_get("salesforce.last_success").await?;
    let api_usage = store.kv_get("salesforce.api_usage").await?;
    let open_alerts = store.open_alerts().await?;
    let paused = salesforce_pause(store).await?;
    let over_budget = api_usage
        .as_deref()
        .and_then(|u| u.split_once('/'))
        .and_then(|(used, max)| {
            Some(used.parse::<f64>().ok()? > max.parse::<f64>().ok()? * budget_share)
        })
        .unwrap_or(false);
    if as_json {
        let v = json!({"by_status": counts.by_status.iter().map(|(s, n)| json!({"status": s, "count": n})).collect::<Vec<_>>(),
            "unknown_statuses": counts.unknown_statuses.iter().map(|(s, n)| json!({"value": s, "count": n})).collect::<Vec<_>>(),
            "by_sync_state": counts.by_sync_state.iter().map(|(s, n)| json!({"state": s, "count": n})).collect::<Vec<_>>(),
            "oldest_order_placed_age_seconds": oldest_age_s, "open_alerts": open_alerts,
            "salesforce_last_success": last_success, "salesforce_api_usage": api_usage,
            "api_budget_exceeded": over_budget, "salesforce_paused": paused});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    println!("Orders by store status:");
    for (s, n) in &counts.by_status {
        println!("  {s:<28} {n:>8}");
    }
    if !counts.unknown_statuses.is_empty() {
        println!(
            "Status values that are none of the eight (order-sync leaves these orders alone):"
        );
        for (s, n) in &counts.unknown_statuses {
            println!("  {:<28} {n:>8}", format!("{s:?}"));
        }
    }
    println!("Orders by sync state:");
    for (s, n) in &counts.by_sync_state {
        println!("  {s:<28} {n:>8}");
    }
    let age = oldest_age_s
        .map(|s| format!("{}m {}s", s / 60, s % 60))
        .unwrap_or_else(|| "none waiting".into());
    println!("Oldest order in Order Placed:  {age}");
    println!("Open stuck-order alerts:       {open_alerts}");
    println!(
        "Last successful Salesforce call: {}",
        last_success.as_deref().unwrap_or("none recorded")
    );
    println!(
        "Salesforce API usage (24 h):   {}",
        api_usage.as_deref().unwrap_or("unknown")
    );
    if let Some(why) = &paused {
        println!("Salesforce calls paused:       {why}");
    }
    if over_budget {
        println!(
            "API budget: past {:.0} % of the daily limit; repair polling is paused until usage falls",
            budget_share * 100.0
        );
    }
    Ok(0)
}
