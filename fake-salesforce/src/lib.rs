//! A stateful in-memory fake of the Salesforce REST API (OAuth token endpoint, sObjects,
//! SOQL query with subqueries, composite, composite graph, limits) with fault injection and
//! admin hooks (deletes, merges, duplicates, sandbox refreshes), for order-sync's tests and demo.

mod admin;
mod catalog;
mod checks;
mod composite;
mod currency;
mod error;
mod faults;
mod graph;
mod oauth;
mod ops;
mod orders;
mod paths;
mod prepare;
mod record;
mod refs;
mod relationships;
mod schema;
mod server;
mod setup;
mod soql;
mod state;
mod store;
mod subrequest;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use faults::{FaultKind, Faults};
pub use orders::StatusCategory;
pub use record::Record;

use crate::faults::FaultDice;
use crate::state::{Shared, State};

/// A running fake org. Cheap to clone; the server stops when the last clone is dropped
/// or `shutdown()` is called.
#[derive(Clone)]
pub struct FakeSalesforce {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl FakeSalesforce {
    /// Binds 127.0.0.1 on a free port and serves in a background task.
    /// Panics if no port can be bound (a broken test environment).
    pub async fn start() -> FakeSalesforce {
        match Self::try_start().await {
            Ok(fake) => fake,
            Err(e) => panic!("fake-salesforce could not bind 127.0.0.1:0: {e}"),
        }
    }

    pub async fn try_start() -> std::io::Result<FakeSalesforce> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(format!("http://{addr}"), stopped.clone()));
        let app = server::router(shared.clone());
        tokio::spawn(async move {
            let mut stopped = stopped;
            // Resolves on shutdown() and also when the sender (the last handle) is dropped.
            let signal = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await;
        });
        Ok(FakeSalesforce {
            handle: Arc::new(Handle { shared, stop }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.handle.shared.lock()
    }

    /// `http://127.0.0.1:PORT`, also the `instance_url` handed out with tokens.
    pub fn url(&self) -> String {
        self.handle.shared.url.clone()
    }

    pub fn shutdown(&self) {
        let _ = self.handle.stop.send(true);
    }

    /// Replaces the accepted client credentials (default `test-client` / `test-secret`).
    pub fn with_client_credentials(&self, client_id: &str, client_secret: &str) {
        let mut state = self.state();
        state.client_id = client_id.to_string();
        state.client_secret = client_secret.to_string();
    }

    /// Issues a valid access token without an OAuth round trip (not counted as a token request).
    pub fn issue_token(&self) -> String {
        self.state().mint_token()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state().dice = FaultDice::new(faults);
    }

    pub fn set_latency(&self, d: Duration) {
        self.state().latency = d;
    }

    pub fn set_api_limit(&self, used: u64, max: u64) {
        let mut state = self.state();
        state.api_used = used;
        state.api_max = max;
    }

    /// `(used, max)` as reported in `Sforce-Limit-Info`.
    pub fn api_usage(&self) -> (u64, u64) {
        let state = self.state();
        (state.api_used, state.api_max)
    }

    pub fn expire_tokens(&self) {
        self.state().tokens.clear();
    }

    pub fn api_calls(&self) -> u64 {
        self.state().api_calls
    }

    pub fn token_requests(&self) -> u64 {
        self.state().token_requests
    }

    /// Injected faults so far, keyed by `FaultKind::name()`.
    pub fn faults_injected(&self) -> BTreeMap<String, u64> {
        self.state().injected.clone()
    }

    /// Creates a Product2 (ProductCode = sku) and its standard PricebookEntry in the org's
    /// currency; returns the entry id.
    pub fn add_product(&self, sku: &str, name: &str, list_price: &str) -> String {
        let currency = currency::org_currency(&self.state().store);
        self.add_product_in(sku, name, list_price, &currency)
    }

    /// As [`FakeSalesforce::add_product`], with the entry in `currency`; a sku seen before keeps
    /// its Product2. Panics when a single-currency org is asked for another currency (a test bug).
    pub fn add_product_in(
        &self,
        sku: &str,
        name: &str,
        list_price: &str,
        currency: &str,
    ) -> String {
        let price = list_price
            .parse::<f64>()
            .map_or_else(|_| json!(list_price), |p| json!(p));
        let mut state = self.state();
        let store = &mut state.store;
        let multi = store.multi_currency;
        assert!(
            multi || currency == currency::org_currency(store),
            "add_product_in: {currency} in a single-currency org; call enable_multi_currency first"
        );
        let known = store
            .find("Product2", "ProductCode", sku)
            .first()
            .map(|r| r.id.clone());
        let mut product_fields =
            fields(json!({"Name": name, "ProductCode": sku, "IsActive": true}));
        if multi {
            product_fields.insert(currency::FIELD.into(), json!(currency));
        }
        let product = known.unwrap_or_else(|| store.insert_new("Product2", product_fields));
        let mut entry = fields(json!({
            "Name": name,
            "Pricebook2Id": store.standard_pricebook(),
            "Product2Id": product,
            "ProductCode": sku,
            "UnitPrice": price,
            "IsActive": true,
            "UseStandardPrice": false,
        }));
        if multi {
            entry.insert(currency::FIELD.into(), json!(currency));
        }
        store.insert_new("PricebookEntry", entry)
    }

    /// Turns multiple currencies on: the first of `currencies` is the corporate currency.
    /// Records carry CurrencyIsoCode from then on; `CurrencyType` lists the currencies.
    pub fn enable_multi_currency(&self, currencies: &[&str]) {
        currency::enable(&mut self.state().store, currencies);
    }

    /// The org's currency (Organization.DefaultCurrencyIsoCode; USD unless changed).
    pub fn set_org_currency(&self, iso: &str) {
        currency::set_org_currency(&mut self.state().store, iso);
    }

    /// Adds a value to the Order Status picklist (Draft and Activated exist from the start).
    pub fn add_order_status(&self, api_name: &str, category: StatusCategory) {
        orders::add_status(&mut self.state().store, api_name, category);
    }

    pub fn standard_pricebook_id(&self) -> String {
        self.state().store.standard_pricebook().to_string()
    }

    /// All records of `object` in creation order.
    pub fn records(&self, object: &str) -> Vec<Record> {
        self.state().store.records(object).cloned().collect()
    }

    pub fn count(&self, object: &str) -> usize {
        self.state().store.records(object).count()
    }

    /// Records whose `field` (any case) has the text `value`; numbers and bools compare by their text.
    pub fn find(&self, object: &str, field: &str, value: &str) -> Vec<Record> {
        self.state()
            .store
            .find(object, field, value)
            .into_iter()
            .cloned()
            .collect()
    }
}

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
