//! `/orders/{number}`: one order's story — status history, attempts, Salesforce records as links
//! into the org, reissue links — what to do about it, and the hand-entry sheet while it waits.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::Console;
use super::auth::Session;
use super::entry::{HandEntry, sheet};
use super::respond::{Failure, Wants};
use super::views::OrderHtml;
use crate::domain::{OrderStatus, SyncState};
use crate::report::suggested_action;
use crate::store::OrderDetail;

#[derive(Debug, Serialize)]
pub(crate) struct Story {
    pub id: i64,
    pub order_number: String,
    pub status: String,
    pub sync_state: Option<String>,
    pub attempts: i64,
    pub route: Option<String>,
    /// Why the order needs a rep, and what to do; None when it does not.
    pub attention: Option<Attention>,
    pub salesforce: Vec<SalesforceRecord>,
    pub reissue_of: Option<i64>,
    pub reissued_as: Option<i64>,
    pub history: Vec<HistoryItem>,
    pub attempts_log: Vec<AttemptItem>,
    pub can_retry: bool,
    pub can_link: bool,
    /// Everything needed to enter the order in Salesforce by hand, while it waits in Order Placed.
    pub hand_entry: Option<HandEntry>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Attention {
    pub reason: String,
    pub error_class: Option<String>,
    pub action: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SalesforceRecord {
    pub object: &'static str,
    pub id: String,
    /// The record in the org, when the org's address is known.
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HistoryItem {
    pub at: Option<String>,
    pub from: Option<String>,
    pub to: String,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AttemptItem {
    pub attempt: i64,
    pub at: String,
    pub worker: String,
    pub outcome: String,
    pub code: Option<String>,
    pub message: Option<String>,
}

/// What a finished action left to say, from the redirect after it.
#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn order(
    State(c): State<Console>,
    Path(key): Path<String>,
    Query(done): Query<Done>,
    wants: Wants,
    Extension(session): Extension<Session>,
) -> Response {
    let notice = match done.done.as_deref() {
        Some("retried") => Some("Retry requested: order-sync sends the order on its next pass."),
        Some("linked") => Some("Linked: the records were adopted and the order moved on."),
        _ => None,
    };
    render(&c, &key, &session, wants, notice.map(Into::into), None).await
}

/// The order's page (or JSON), with a notice or the error of an action that was not done.
pub(crate) async fn render(
    c: &Console,
    key: &str,
    session: &Session,
    wants: Wants,
    notice: Option<String>,
    error: Option<Failure>,
) -> Response {
    let story = match load(c, key).await {
        Ok(s) => s,
        Err(f) => return wants.failure(f, Some(session)),
    };
    match error {
        Some(f) if wants == Wants::Json => wants.failure(f, Some(session)),
        Some(f) => {
            let (status, message) = f.status_and_message();
            wants.page(status, &story, || {
                OrderHtml::new(&story, session, key, None, Some(message))
            })
        }
        None => wants.page(StatusCode::OK, &story, || {
            OrderHtml::new(&story, session, key, notice, None)
        }),
    }
}

/// The order `key` names (a number, `number:X` or `id:N`), as the CLI finds it.
pub(crate) async fn resolve(c: &Console, key: &str) -> Result<i64, Failure> {
    match c.store.find_order(key).await {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(Failure::NotFound(format!(
            "There is no order {key:?}. Give an order number, or id:N for an order id."
        ))),
        Err(ambiguous) => Err(Failure::Refused(ambiguous)),
    }
}

async fn load(c: &Console, key: &str) -> Result<Story, Failure> {
    let store = &c.store;
    let id = resolve(c, key).await?;
    let Some(d) = store.order_detail(id).await? else {
        return Err(Failure::NotFound(format!("order {key} is gone")));
    };
    let history = store.order_history(id).await?;
    let attempts = store.order_attempts(id).await?;
    let waiting = d.status == OrderStatus::OrderPlaced.label()
        && d.sync_state.as_deref() != Some(SyncState::Done.as_str());
    let hand_entry = match waiting {
        true => store
            .load_order(id)
            .await?
            .map(|raw| sheet(raw, &c.settings)),
        false => None,
    };
    let org = org_url(c).await;
    Ok(Story {
        attention: attention(&d, waiting),
        salesforce: records(&d, org.as_deref()),
        can_retry: waiting && d.sync_state.is_some(),
        can_link: waiting,
        hand_entry,
        history: history
            .into_iter()
            .map(|h| HistoryItem {
                at: h.changed_at,
                from: h.from_status,
                to: h.to_status,
                actor: h.actor,
                reason: h.reason,
            })
            .collect(),
        attempts_log: attempts
            .into_iter()
            .map(|a| AttemptItem {
                at: chrono::DateTime::from_timestamp_millis(a.finished_at)
                    .map_or_else(String::new, |t| {
                        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                    }),
                attempt: a.attempt,
                worker: a.worker,
                outcome: a.outcome,
                code: a.error_code,
                message: a.message,
            })
            .collect(),
        id: d.id,
        order_number: d.order_number,
        status: d.status,
        sync_state: d.sync_state,
        attempts: d.attempts.unwrap_or(0),
        route: d.route,
        reissue_of: d.reissue_of,
        reissued_as: d.reissued_as,
    })
}

fn attention(d: &OrderDetail, waiting: bool) -> Option<Attention> {
    let parked = d.sync_state.as_deref() == Some(SyncState::Parked.as_str());
    if !(parked || (waiting && d.last_error.is_some())) {
        return None;
    }
    Some(Attention {
        reason: d
            .last_error
            .clone()
            .unwrap_or_else(|| "parked with no reason recorded".into()),
        error_class: d.last_error_class.clone(),
        action: suggested_action(
            d.last_error_class.as_deref(),
            d.sync_state.as_deref(),
            &d.order_number,
        ),
    })
}

fn records(d: &OrderDetail, org: Option<&str>) -> Vec<SalesforceRecord> {
    [
        ("Account", &d.sf_account_id),
        ("Contact", &d.sf_contact_id),
        ("Opportunity", &d.sf_opportunity_id),
        ("Quote", &d.sf_quote_id),
        ("Order", &d.sf_order_id),
    ]
    .into_iter()
    .filter_map(|(object, id)| {
        let id = id.clone()?;
        Some(SalesforceRecord {
            object,
            url: org.map(|o| format!("{}/{id}", o.trim_end_matches('/'))),
            id,
        })
    })
    .collect()
}

/// The org's address: this process's token, else what the worker last recorded.
async fn org_url(c: &Console) -> Option<String> {
    let url = match c.salesforce.instance_url().await {
        Some(url) => Some(url),
        None => c
            .store
            .kv_get("salesforce.instance_url")
            .await
            .ok()
            .flatten(),
    };
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}
