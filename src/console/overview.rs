//! `/` (the orders at a glance) and `/orders/stuck` (every order needing attention).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Console;
use super::auth::Session;
use super::respond::{Failure, Wants};
use super::views::{OverviewHtml, StuckHtml};
use crate::report::suggested_action;
use crate::store::{HourActivity, StuckOrder};

/// Hours the activity chart covers.
pub(crate) const CHART_HOURS: i64 = 24;

#[derive(Debug, Serialize)]
pub(crate) struct Overview {
    pub by_status: Vec<Count>,
    /// Status values that are none of the eight (order-sync leaves these orders alone).
    pub unknown_statuses: Vec<Count>,
    pub needing_attention: usize,
    pub oldest_order_placed_age_seconds: Option<i64>,
    pub salesforce_last_success: Option<DateTime<Utc>>,
    pub api_usage: Option<ApiUse>,
    /// Attempts that sent an order, and that failed, per hour over the last 24 hours (UTC hours).
    pub sent_and_failed_per_hour: Vec<HourActivity>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Count {
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub(crate) struct ApiUse {
    pub used: u64,
    pub limit: u64,
    pub percent: f64,
    /// Past `salesforce.api_budget_share`: repair polling pauses.
    pub over_budget: bool,
}

/// One order needing attention, with what to do about it.
#[derive(Debug, Serialize)]
pub(crate) struct StuckRow {
    pub id: i64,
    pub order_number: String,
    pub customer: Option<String>,
    pub status: String,
    pub age_seconds: Option<i64>,
    pub sync_state: Option<String>,
    pub attempts: i64,
    pub error_class: Option<String>,
    pub reason: String,
    pub action: String,
}

pub(crate) async fn overview(
    State(c): State<Console>,
    wants: Wants,
    Extension(session): Extension<Session>,
) -> Response {
    match gather(&c).await {
        Ok(v) => wants.page(StatusCode::OK, &v, || OverviewHtml::new(&v, &session)),
        Err(f) => wants.failure(f, Some(&session)),
    }
}

pub(crate) async fn stuck(
    State(c): State<Console>,
    wants: Wants,
    Extension(session): Extension<Session>,
) -> Response {
    match stuck_rows(&c).await {
        Ok(rows) => wants.page(StatusCode::OK, &rows, || StuckHtml::new(&rows, &session)),
        Err(f) => wants.failure(f, Some(&session)),
    }
}

async fn stuck_orders(c: &Console) -> Result<Vec<StuckOrder>, Failure> {
    let after = chrono::Duration::from_std(c.settings.alerts.stuck_after).unwrap_or_default();
    Ok(c.store.stuck_orders(Utc::now() - after).await?)
}

async fn stuck_rows(c: &Console) -> Result<Vec<StuckRow>, Failure> {
    let now = Utc::now();
    Ok(stuck_orders(c)
        .await?
        .into_iter()
        .map(|o| StuckRow {
            reason: crate::sync::stuck_reason(&o),
            action: suggested_action(
                o.last_error_class.as_deref(),
                o.sync_state.as_deref(),
                &o.order_number,
            ),
            id: o.id,
            customer: o.customer_name,
            status: o.status,
            age_seconds: o.placed_at.map(|t| (now - t).num_seconds()),
            sync_state: o.sync_state,
            attempts: o.attempts.unwrap_or(0),
            error_class: o.last_error_class,
            order_number: o.order_number,
        })
        .collect())
}

async fn gather(c: &Console) -> Result<Overview, Failure> {
    let store = &c.store;
    let counts = store.status_counts().await?;
    let count = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(status, count)| Count { status, count })
            .collect()
    };
    let last_success = store.kv_get("salesforce.last_success").await?;
    let api_usage = store.kv_get("salesforce.api_usage").await?;
    let now = Utc::now();
    Ok(Overview {
        by_status: count(counts.by_status),
        unknown_statuses: count(counts.unknown_statuses),
        needing_attention: stuck_orders(c).await?.len(),
        oldest_order_placed_age_seconds: store
            .oldest_order_placed()
            .await?
            .map(|t| (now - t).num_seconds()),
        salesforce_last_success: last_success
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)),
        api_usage: api_usage.and_then(|u| api_use(&u, c.settings.salesforce.api_budget_share)),
        sent_and_failed_per_hour: store
            .activity_per_hour(now.timestamp_millis(), CHART_HOURS)
            .await?,
    })
}

/// "used/limit" as the watchdog keeps it.
fn api_use(text: &str, budget_share: f64) -> Option<ApiUse> {
    let (used, limit) = text.split_once('/')?;
    let (used, limit): (u64, u64) = (used.parse().ok()?, limit.parse().ok()?);
    let percent = if limit == 0 {
        0.0
    } else {
        used as f64 * 100.0 / limit as f64
    };
    Some(ApiUse {
        used,
        limit,
        percent,
        over_budget: percent > budget_share * 100.0,
    })
}
