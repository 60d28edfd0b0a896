//! `/drift`: what the last reconcile found — when, what it covered, orders per kind, and each
//! disagreeing order with what differs and what Fix does — and Fix (`/orders/{key}/fix`): what
//! `reconcile --fix` does for one order (queue it to be sent again as it is now, or keep the ids
//! Salesforce uses now), by the same token and actor rules as Retry. The re-send loop sends it.

use std::collections::{BTreeMap, BTreeSet};

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Console;
use super::actions::{Submitted, check_token};
use super::auth::Session;
use super::respond::{Failure, Wants};
use super::story::resolve;
use super::views::DriftHtml;
use crate::domain::{Kind, Mend, OrderId};
use crate::reconcile::{Findings, mend};
use crate::store::{LastReconcile, StoredDrift};

#[derive(Debug, Serialize)]
pub(crate) struct DriftPage {
    /// None before the first reconcile.
    pub last: Option<LastRun>,
    /// Disagreeing orders per kind, every kind.
    pub counts: Vec<KindCount>,
    pub orders: Vec<DriftOrder>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LastRun {
    pub ran_at: DateTime<Utc>,
    pub run_by: String,
    pub scope: String,
    pub checked: i64,
    pub in_flight: i64,
    pub disagreeing: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct KindCount {
    pub kind: &'static str,
    pub orders: usize,
}

/// One disagreeing order (or orphan record) and everything found about it.
#[derive(Debug, Serialize)]
pub(crate) struct DriftOrder {
    pub order_id: i64,
    /// None for an orphan: the store has no such order.
    pub order_number: Option<String>,
    pub findings: Vec<Finding>,
    /// What Fix does; None when order-sync can fix none of it.
    pub fix: Option<String>,
    /// What a person must do in Salesforce.
    pub to_do: Vec<String>,
    /// A Fix since the reconcile: who, and when.
    pub fix_queued: Option<String>,
    pub first_seen: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Finding {
    pub kind: &'static str,
    pub what: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FixFields {
    #[serde(default)]
    csrf: String,
}

/// What a Fix left to say, from the redirect after it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Fixed {
    fixed: Option<String>,
    done: Option<String>,
}

pub(crate) async fn page(
    State(c): State<Console>,
    Query(fixed): Query<Fixed>,
    wants: Wants,
    Extension(session): Extension<Session>,
) -> Response {
    let notice = match (fixed.fixed, fixed.done.as_deref()) {
        (Some(o), Some("queued")) => Some(format!(
            "Order {o} is queued: order-sync sends it again as it is now shortly; the next reconcile confirms it."
        )),
        (Some(o), Some("adopted")) => Some(format!(
            "Order {o} now keeps the ids Salesforce uses; the next reconcile confirms it."
        )),
        _ => None,
    };
    render(&c, &session, wants, notice, None).await
}

/// The page (or JSON) with a notice, or the error of a Fix that was not done.
async fn render(
    c: &Console,
    session: &Session,
    wants: Wants,
    notice: Option<String>,
    error: Option<Failure>,
) -> Response {
    let view = match c.store.last_reconcile().await {
        Ok(last) => view(last),
        Err(e) => return wants.failure(e.into(), Some(session)),
    };
    match error {
        Some(f) if wants == Wants::Json => wants.failure(f, Some(session)),
        Some(f) => {
            let (status, message) = f.status_and_message();
            wants.page(status, &view, || {
                DriftHtml::new(&view, session, None, Some(message))
            })
        }
        None => wants.page(StatusCode::OK, &view, || {
            DriftHtml::new(&view, session, notice, None)
        }),
    }
}

fn view(last: Option<LastReconcile>) -> DriftPage {
    let Some(last) = last else {
        return DriftPage {
            last: None,
            counts: Vec::new(),
            orders: Vec::new(),
        };
    };
    let mut per_order: BTreeMap<(bool, i64), Vec<StoredDrift>> = BTreeMap::new();
    for s in last.drifts {
        let orphan = s.drift.kind == Kind::Orphan;
        per_order
            .entry((orphan, s.drift.order_id.0))
            .or_default()
            .push(s);
    }
    let counts = Kind::ALL
        .into_iter()
        .map(|kind| KindCount {
            kind: kind.name(),
            orders: per_order
                .values()
                .filter(|found| found.iter().any(|s| s.drift.kind == kind))
                .count(),
        })
        .collect();
    let run = last.run;
    DriftPage {
        last: Some(LastRun {
            ran_at: run.ran_at,
            run_by: run.run_by,
            scope: run.scope,
            checked: run.checked,
            in_flight: run.in_flight,
            disagreeing: per_order.len(),
        }),
        counts,
        orders: per_order.into_values().map(order).collect(),
    }
}

/// One order's findings as the page shows them; Fix re-sends when any finding calls for it.
fn order(found: Vec<StoredDrift>) -> DriftOrder {
    let first = &found[0];
    let mends: Vec<&Mend> = found.iter().map(|s| &s.drift.mend).collect();
    let fix = if mends.contains(&&Mend::Resend) {
        Some(format!("Fix {}", Mend::Resend.words()))
    } else {
        let adopt = mends.iter().find(|m| m.is_fixable());
        adopt.map(|m| format!("Fix {}", m.words()))
    };
    let to_do: BTreeSet<String> = mends
        .iter()
        .filter(|m| !m.is_fixable())
        .map(|m| m.words())
        .collect();
    DriftOrder {
        order_id: first.drift.order_id.0,
        order_number: first.order_number.clone(),
        fix_queued: found
            .iter()
            .find_map(|s| s.fix_queued.as_ref())
            .map(|(at, by)| format!("{by}, {}", at.format("%Y-%m-%d %H:%M UTC"))),
        first_seen: found.iter().map(|s| s.first_seen).min().unwrap_or_default(),
        to_do: to_do.into_iter().collect(),
        fix,
        findings: found
            .into_iter()
            .map(|s| Finding {
                kind: s.drift.kind.name(),
                what: s.drift.what,
            })
            .collect(),
    }
}

pub(crate) async fn fix(
    State(c): State<Console>,
    Path(key): Path<String>,
    wants: Wants,
    Extension(session): Extension<Session>,
    body: Submitted<FixFields>,
) -> Response {
    let result = async {
        check_token(&session, body.from_form, &body.fields.csrf)?;
        let id = OrderId(resolve(&c, &key).await?);
        let found = c.store.drift_of(id).await?;
        let name = found
            .iter()
            .find_map(|s| s.order_number.clone())
            .unwrap_or_else(|| key.clone());
        let drifts: Vec<_> = found.into_iter().map(|s| s.drift).collect();
        let findings = Findings {
            drifts: drifts.into_iter().filter(|d| d.mend.is_fixable()).collect(),
            ..Findings::default()
        };
        if findings.drifts.is_empty() {
            return Err(Failure::Refused(format!(
                "The last reconcile found nothing order-sync can fix for order {name}."
            )));
        }
        let actor = match session.rep.as_str() {
            "console" => "fix by console".to_string(),
            rep => format!("fix by {rep} (console)"),
        };
        let mended = mend(&c.store, &findings, &actor).await?;
        if !mended.skipped.is_empty() {
            return Err(Failure::Refused(format!(
                "Order {name} is being sent right now, or is no longer one order-sync sent; \
                 try again shortly."
            )));
        }
        c.store.note_drift_fix(id, &actor).await?;
        let done = if mended.queued.is_empty() {
            "adopted"
        } else {
            "queued"
        };
        tracing::info!(order_id = id.0, rep = %session.rep, done, "console: drift fixed");
        Ok((name, done))
    }
    .await;
    match (result, wants) {
        (Ok((name, done)), Wants::Json) => {
            let message = format!("order {name} {done}");
            axum::Json(serde_json::json!({ "ok": true, "done": done, "message": message }))
                .into_response()
        }
        (Ok((name, done)), Wants::Html) => {
            let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
            Redirect::to(&format!("/drift?fixed={name}&done={done}")).into_response()
        }
        (Err(f @ Failure::Forbidden(_)), _) => wants.failure(f, Some(&session)),
        (Err(f), _) => render(&c, &session, wants, None, Some(f)).await,
    }
}
