//! How the console answers: HTML for browsers, JSON for scripts (`Accept: application/json`),
//! and failures classified by what the rep can do next.

use std::convert::Infallible;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::auth::Session;
use super::views::{Chrome, MessageHtml};
use crate::store::StoreError;

/// What the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wants {
    Html,
    Json,
}

/// Why a page or an action could not be served, by what happens next.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The console has no credential configured: the operator must set one.
    NotConfigured,
    /// No or wrong credential: sign in.
    Unauthorized,
    /// Too many wrong passwords from this address, or too many checks at once: wait this long.
    Throttled(std::time::Duration),
    /// A cross-site request or a missing anti-forgery token: refused.
    Forbidden(String),
    /// No such order.
    NotFound(String),
    /// Rejected: the action does not apply (not waiting, refused by Salesforce); the message says why.
    Refused(String),
    /// Transient: the store or Salesforce did not answer; try again.
    Unavailable(String),
    /// Fatal: misconfiguration; the operator must fix it.
    Broken(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::Unavailable(_) => Failure::Unavailable(format!("{e}; try again shortly")),
            StoreError::Refused(m) => Failure::Refused(m),
            StoreError::Fatal(m) => Failure::Broken(m),
        }
    }
}

impl Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::NotConfigured | Failure::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Unauthorized => StatusCode::UNAUTHORIZED,
            Failure::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Failure::Forbidden(_) => StatusCode::FORBIDDEN,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Refused(_) => StatusCode::CONFLICT,
            Failure::Broken(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn status_and_message(&self) -> (StatusCode, String) {
        (self.status(), self.words().1)
    }

    fn words(&self) -> (&'static str, String) {
        match self {
            Failure::NotConfigured => (
                "Console not set up",
                "The console has no password configured. An operator sets console.password_hash \
                 (see the README, \"For the operator\")."
                    .into(),
            ),
            Failure::Unauthorized => (
                "Sign in",
                "Sign in with the console's user name and password to see this page.".into(),
            ),
            Failure::Throttled(wait) => (
                "Wait a moment",
                format!(
                    "Too many sign-in attempts; try again in {} s.",
                    retry_after(*wait)
                ),
            ),
            Failure::Forbidden(m) => ("Refused", m.clone()),
            Failure::NotFound(m) => ("Not found", m.clone()),
            Failure::Refused(m) => ("Not done", m.clone()),
            Failure::Unavailable(m) => ("Try again", m.clone()),
            Failure::Broken(m) => ("Something is misconfigured", m.clone()),
        }
    }
}

impl Wants {
    pub fn from_headers(headers: &HeaderMap) -> Wants {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.contains("application/json") && !accept.contains("text/html") {
            Wants::Json
        } else {
            Wants::Html
        }
    }

    /// `view` as JSON, or the page `html` renders.
    pub fn page<V: Serialize, T: Template>(
        self,
        status: StatusCode,
        view: &V,
        html: impl FnOnce() -> T,
    ) -> Response {
        match self {
            Wants::Json => (status, axum::Json(view)).into_response(),
            Wants::Html => match html().render() {
                Ok(body) => (status, Html(body)).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "console page could not be rendered");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the page could not be rendered",
                    )
                        .into_response()
                }
            },
        }
    }

    /// The failure as a page (or JSON `{"error": …}`) with its status code.
    pub fn failure(self, failure: Failure, session: Option<&Session>) -> Response {
        let status = failure.status();
        let (title, message) = failure.words();
        if let Failure::Broken(m) = &failure {
            tracing::error!(error = %m, "console request failed");
        }
        let view = serde_json::json!({ "error": message, "status": status.as_u16() });
        let mut response = self.page(status, &view, || MessageHtml {
            chrome: Chrome::new(title, session, ""),
            message: message.clone(),
        });
        if let Failure::Throttled(wait) = failure {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after(wait)));
        }
        if matches!(failure, Failure::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"order-sync console\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

/// Whole seconds to wait, rounded up, at least one.
fn retry_after(wait: std::time::Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

impl<S: Send + Sync> FromRequestParts<S> for Wants {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Wants, Infallible> {
        Ok(Wants::from_headers(&parts.headers))
    }
}
