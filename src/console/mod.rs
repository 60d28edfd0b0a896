//! The service reps' console: the orders needing attention on web pages, with Retry and Link;
//! what the last reconcile found, with Fix.
//!
//! Pages are HTML rendered on the server (askama templates under `templates/console/`, plain CSS
//! in the page, no script, nothing fetched from elsewhere) or JSON for `Accept: application/json`.
//! Every page needs the console's credential ([`auth`]); actions also pass the cross-site checks.
//! `run` mounts it on its HTTP endpoint; `order-sync console` serves it alone.

mod actions;
mod auth;
mod chart;
mod csrf;
mod drift;
mod entry;
mod gate;
mod overview;
mod respond;
pub mod serve;
mod story;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use auth::hash_password;

use crate::config::Settings;
use crate::salesforce::Salesforce;
use crate::store::Store;

/// What the console's handlers share: the store, a Salesforce client (for Link), the settings.
#[derive(Clone)]
pub struct Console {
    pub store: Store,
    pub salesforce: Salesforce,
    pub settings: Arc<Settings>,
    credential: Arc<auth::Credential>,
}

impl Console {
    pub fn new(store: Store, salesforce: Salesforce, settings: &Settings) -> Console {
        Console {
            store,
            salesforce,
            credential: Arc::new(auth::Credential::from_settings(&settings.console)),
            settings: Arc::new(settings.clone()),
        }
    }

    /// Whether a credential is configured; without one every page is refused.
    pub fn has_credential(&self) -> bool {
        self.credential.is_set()
    }
}

/// The console's pages and actions, each behind the credential check.
pub fn router(console: Console) -> Router {
    Router::new()
        .route("/", get(overview::overview))
        .route("/orders/stuck", get(overview::stuck))
        .route("/orders/{key}", get(story::order))
        .route("/orders/{key}/retry", post(actions::retry))
        .route("/orders/{key}/link", post(actions::link))
        .route("/orders/{key}/fix", post(drift::fix))
        .route("/drift", get(drift::page))
        .layer(axum::middleware::from_fn_with_state(
            console.clone(),
            auth::guard,
        ))
        .with_state(console)
}
