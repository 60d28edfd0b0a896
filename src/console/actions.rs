//! The console's two actions, by the same rules as the CLI: Retry (`order-sync retry`) and Link
//! records entered by hand (`order-sync link`, through [`crate::link::link`]).

use axum::Extension;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::Console;
use super::auth::{Session, token_matches};
use super::respond::{Failure, Wants};
use super::story::{render, resolve};
use crate::error::ErrorClass;
use crate::link::HandEntered;
use crate::salesforce::SfError;
use crate::store::StoreError;

#[derive(Debug, Deserialize)]
pub(crate) struct RetryFields {
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkFields {
    #[serde(default)]
    csrf: String,
    opportunity: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    sf_order: String,
}

/// An action's fields: from the page's form (which must carry the anti-forgery token) or JSON
/// from a script (which a browser cannot send to another site without our consent).
pub(crate) struct Submitted<T> {
    pub fields: T,
    pub from_form: bool,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Submitted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if content_type.starts_with("application/json") {
            let axum::Json(fields) = axum::Json::<T>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            return Ok(Submitted {
                fields,
                from_form: false,
            });
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let axum::Form(fields) = axum::Form::<T>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            return Ok(Submitted {
                fields,
                from_form: true,
            });
        }
        Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the page's form, or JSON with Content-Type: application/json",
        )
            .into_response())
    }
}

pub(crate) fn check_token(session: &Session, from_form: bool, token: &str) -> Result<(), Failure> {
    if from_form && !token_matches(session, token) {
        return Err(Failure::Forbidden(
            "refused: the form's security token is missing or stale; reload the page and try again"
                .into(),
        ));
    }
    Ok(())
}

pub(crate) async fn retry(
    State(c): State<Console>,
    Path(key): Path<String>,
    wants: Wants,
    Extension(session): Extension<Session>,
    body: Submitted<RetryFields>,
) -> Response {
    let result = async {
        check_token(&session, body.from_form, &body.fields.csrf)?;
        let id = resolve(&c, &key).await?;
        let actor = format!("retry by {} (console)", session.rep);
        if !c.store.retry_order(id, &actor).await? {
            return Err(Failure::Refused(format!(
                "Order {key} is not waiting for a retry (already sent, or not in Order Placed)."
            )));
        }
        tracing::info!(order_id = id, rep = %session.rep, "console: retry requested");
        let will = crate::report::retried(&c.store, id).await;
        Ok(will.unwrap_or("will be retried on the next pass"))
    }
    .await;
    let (result, message) = match result {
        Ok(will) => (Ok(()), format!("order {key} {will}")),
        Err(f) => (Err(f), String::new()),
    };
    finish(&c, &key, &session, wants, result, "retried", message).await
}

pub(crate) async fn link(
    State(c): State<Console>,
    Path(key): Path<String>,
    wants: Wants,
    Extension(session): Extension<Session>,
    body: Submitted<LinkFields>,
) -> Response {
    let f = &body.fields;
    let result = async {
        check_token(&session, body.from_form, &f.csrf)?;
        let Some(opportunity) = given(&f.opportunity) else {
            return Err(Failure::Refused("Give the Opportunity's id.".into()));
        };
        let records = HandEntered {
            opportunity: opportunity.to_string(),
            quote: given(&f.quote).map(Into::into),
            sf_order: given(&f.sf_order).map(Into::into),
        };
        let actor = match session.rep.as_str() {
            "console" => "link by console".to_string(),
            rep => format!("link by {rep} (console)"),
        };
        let (s, sf) = (&c.settings, &c.salesforce);
        let moved = crate::link::link(&c.store, sf, s, &key, &records, &actor)
            .await
            .map_err(|e| classify(&key, e))?;
        tracing::info!(order = %key, rep = %session.rep, to = %moved, "console: records linked");
        Ok(())
    }
    .await;
    let message = format!("order {key} linked and moved on");
    finish(&c, &key, &session, wants, result, "linked", message).await
}

/// A form field as given, None when left empty.
fn given(v: &str) -> Option<&str> {
    Some(v.trim()).filter(|v| !v.is_empty())
}

/// After an action: JSON for scripts; for a browser, back to the order's page (Post/Redirect/Get)
/// or the page again with what went wrong.
async fn finish(
    c: &Console,
    key: &str,
    session: &Session,
    wants: Wants,
    result: Result<(), Failure>,
    done: &str,
    message: String,
) -> Response {
    match (result, wants) {
        (Ok(()), Wants::Json) => {
            axum::Json(serde_json::json!({ "ok": true, "message": message })).into_response()
        }
        (Ok(()), Wants::Html) => {
            let encoded: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
            let path = format!("/orders/{}?done={done}", encoded.replace('+', "%20"));
            Redirect::to(&path).into_response()
        }
        (Err(f @ Failure::Forbidden(_)), _) => wants.failure(f, Some(session)),
        (Err(f), _) => render(c, key, session, wants, None, Some(f)).await,
    }
}

/// Link's errors by what the rep can do: try again later, or fix what it says. The whole chain
/// goes to the log; the rep reads one short sentence, since an HTTP client's or a database
/// driver's words can name hosts, users and addresses.
fn classify(key: &str, e: anyhow::Error) -> Failure {
    tracing::warn!(order = %key, error = %format!("{e:#}"), "console: link failed");
    let see_log = "an operator will find the details in the log";
    if let Some(sf) = e.downcast_ref::<SfError>() {
        return match sf.class {
            ErrorClass::Transient => {
                Failure::Unavailable("Salesforce did not answer; try again shortly.".into())
            }
            // Salesforce's own words for a person (a validation rule, a missing record).
            ErrorClass::Rejected => Failure::Refused(format!("Salesforce refused it: {sf}")),
            ErrorClass::Fatal => Failure::Broken(format!(
                "Salesforce refused the console's access; {see_log}."
            )),
        };
    }
    match e.downcast_ref::<StoreError>() {
        Some(StoreError::Unavailable(_)) => {
            Failure::Unavailable("The store did not answer; try again shortly.".into())
        }
        Some(StoreError::Fatal(_)) => Failure::Broken(format!("The store failed; {see_log}.")),
        // Link's own sentences, written for reps; only the outermost, not what it wraps.
        _ => Failure::Refused(e.to_string()),
    }
}
