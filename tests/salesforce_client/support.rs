//! Fixtures, settings, orders and mocks shared by the Salesforce client tests.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{TimeZone, Utc};
use order_sync::config::{SalesforceSettings, Settings};
use order_sync::domain::{
    Customer, CustomerKey, LineId, Order, OrderId, OrderLine, OrderStatus, PaymentMethod,
    ProductKind,
};
use order_sync::salesforce::Salesforce;
use rust_decimal::Decimal;
use serde_json::Value;
use wiremock::matchers::{method, path, query_param_contains};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const SECRET: &str = "s3cr3t-Consumer-Secret-9f2c";
pub const CLIENT_ID: &str = "3MVG9test.client.id";
pub const GRAPH: &str = "/services/data/v62.0/composite/graph";
pub const QUERY: &str = "/services/data/v62.0/query";
pub const QUERY_PAGE2: &str = "/services/data/v62.0/query/01gDn00000PBQ01AAA-2000";
pub const TOKEN: &str = "/services/oauth2/token";
/// The access token in token__ok.json; the counting responder appends `-1`, `-2`, ...
pub const FIXTURE_TOKEN: &str = "00DDn00000A1b2CEAR!AQ4AQFakeAccessTokenForWiremock";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/wiremock-fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn json_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("fixture is JSON")
}

pub fn json(status: u16, body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

pub fn load_settings(login_url: &str) -> Settings {
    let env: HashMap<String, String> = [
        ("ORDER_SYNC__SALESFORCE__LOGIN_URL", login_url),
        ("ORDER_SYNC__SALESFORCE__AUTH", "client_credentials"),
        ("ORDER_SYNC__SALESFORCE__CLIENT_ID", CLIENT_ID),
        ("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", SECRET),
        ("ORDER_SYNC__SALESFORCE__REQUEST_TIMEOUT", "5s"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Settings::load_with_env(None, Some(env)).expect("test settings load")
}

pub fn settings(server: &MockServer) -> SalesforceSettings {
    load_settings(&server.uri()).salesforce
}

pub fn client(server: &MockServer, max_graphs: usize) -> Salesforce {
    Salesforce::new(&settings(server), max_graphs).expect("client builds")
}

/// A card order (route In Process: Opportunity, Quote and Order) with one line per `(line id, sku)`.
pub fn order(id: i64, lines: &[(i64, &str)]) -> Order {
    Order {
        id: OrderId(id),
        number: format!("W{id}"),
        status: OrderStatus::OrderPlaced,
        payment_method: PaymentMethod::CreditCard,
        po_number: None,
        currency: Some("USD".into()),
        placed_at: Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap(),
        reissue_of: None,
        opportunity_key: OrderId(id),
        customer: Customer {
            key: CustomerKey::Id(700 + id),
            email: format!("buyer{id}@example.com"),
            first_name: Some("Ada".into()),
            last_name: "Lovelace".into(),
            company: None,
            phone: None,
        },
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (line, sku))| OrderLine {
                name: None,
                id: LineId(*line),
                line_no: i as i64 + 1,
                sku: sku.to_string(),
                kind: ProductKind::Standard,
                quantity: 2,
                unit_price: Decimal::new(1999, 2),
            })
            .collect(),
    }
}

/// The two orders graph__success.json answers for.
pub fn two_orders() -> Vec<Order> {
    vec![
        order(1001, &[(5001, "SKU-A")]),
        order(1002, &[(5002, "SKU-B")]),
    ]
}

/// token__ok.json with `__INSTANCE__` → the server, and the access token numbered per call.
pub fn token_responder(
    instance: String,
    calls: Arc<AtomicUsize>,
) -> impl Fn(&Request) -> ResponseTemplate {
    move |_req: &Request| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        let body = String::from_utf8(fixture("token__ok.json"))
            .unwrap()
            .replace("__INSTANCE__", &instance)
            .replace(FIXTURE_TOKEN, &format!("{FIXTURE_TOKEN}-{n}"));
        json(200, body.into_bytes())
    }
}

/// Mounts the token endpoint; returns the counter of tokens handed out.
pub async fn mount_token(server: &MockServer, expected: u64) -> Arc<AtomicUsize> {
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_responder(server.uri(), calls.clone()))
        .expect(expected)
        .named("token endpoint")
        .mount(server)
        .await;
    calls
}

/// A single-currency org in USD: Opportunity's describe has no CurrencyIsoCode, and the
/// Organization row names the currency.
pub async fn mount_org_currency(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/sobjects/Opportunity/describe"))
        .respond_with(json(
            200,
            fixture("describe__opportunity_single_currency.json"),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(QUERY))
        .and(query_param_contains("q", "FROM Organization"))
        .respond_with(json(200, fixture("query__organization_currency.json")))
        .mount(server)
        .await;
}

/// The org's currency; the standard price book, then PricebookEntry in two pages: SKU-A on
/// page 1, SKU-B on page 2.
pub async fn mount_pricebook(server: &MockServer) {
    mount_org_currency(server).await;
    let pages = [
        ("IsStandard", QUERY, "query__standard_pricebook.json"),
        ("PricebookEntry", QUERY, "query__pricebook_page1.json"),
    ];
    for (soql, at, file) in pages {
        Mock::given(method("GET"))
            .and(path(at))
            .and(query_param_contains("q", soql))
            .respond_with(json(200, fixture(file)))
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(QUERY_PAGE2))
        .respond_with(json(200, fixture("query__pricebook_page2.json")))
        .mount(server)
        .await;
}

/// Answers every graph of the request as successful, each node's body taken from `node_fixture`.
pub fn echo_graphs(node_fixture: &'static str) -> impl Fn(&Request) -> ResponseTemplate {
    move |req: &Request| {
        let sent: Value = serde_json::from_slice(&req.body).expect("graph request is JSON");
        let node_body = json_fixture(node_fixture);
        let graphs: Vec<Value> = sent["graphs"]
            .as_array()
            .expect("graphs")
            .iter()
            .map(|g| {
                let nodes: Vec<Value> = g["compositeRequest"]
                    .as_array()
                    .expect("nodes")
                    .iter()
                    .map(|n| serde_json::json!({"body": node_body, "httpHeaders": {}, "httpStatusCode": 201,
                        "referenceId": n["referenceId"]}))
                    .collect();
                serde_json::json!({"graphId": g["graphId"], "graphResponse": {"compositeResponse": nodes},
                    "isSuccessful": true})
            })
            .collect();
        json(
            200,
            serde_json::to_vec(&serde_json::json!({ "graphs": graphs })).unwrap(),
        )
    }
}

/// Requests the server received for `method` + `path`.
pub async fn received(server: &MockServer, verb: &str, at: &str) -> Vec<Request> {
    let all = server
        .received_requests()
        .await
        .expect("request recording is on");
    all.into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == at)
        .collect()
}

pub fn bearer(req: &Request) -> String {
    req.headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}
