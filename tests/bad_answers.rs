//! Bad answers from Salesforce, table-driven, through a full worker pass: each leaves the order
//! retrying or parked with a readable reason; nothing crashes.

use order_sync::app::worker_with;
use order_sync::salesforce::Salesforce;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Backend, TestApp};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/wiremock-fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// A successful graph answer for one order with one line, with ids of Salesforce's shape.
fn graph_ok(order_id: i64, line_id: i64, extra: Value, opp_id: &str) -> Value {
    let node = |reference: String, id: &str| {
        json!({"body": {"id": id, "success": true, "errors": [], "created": true, "unexpected": extra},
        "httpHeaders": {}, "httpStatusCode": 201, "referenceId": reference})
    };
    json!({"graphs": [{"graphId": format!("o{order_id}"), "isSuccessful": true, "graphResponse": {"compositeResponse": [
        node("acct".into(), "001Dn0000011001AAA"), node("contact".into(), "003Dn0000011001AAA"), node("opp".into(), opp_id),
        node("quote".into(), "0Q0Dn0000011001AAA"), node(format!("qli{line_id}"), "0QLDn0000011001AAA"),
        node("order".into(), "801Dn0000011001AAA"), node(format!("oi{line_id}"), "802Dn0000011001AAA"),
    ]}}]})
}

fn graph_error(order_id: i64, code: &str, message: &str) -> Value {
    json!({"graphs": [{"graphId": format!("o{order_id}"), "isSuccessful": false, "graphResponse": {"compositeResponse": [
        {"body": [{"errorCode": code, "message": message}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "opp"},
        {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "acct"},
    ]}}]})
}

enum Answer {
    Json(u16, Value),
    Raw(u16, &'static str, &'static str),
    Redirect,
}

enum Outcome {
    Sent,
    Retrying(&'static str),
    Parked(&'static str),
}

fn cases(order_id: i64, line_id: i64) -> Vec<(&'static str, Answer, Outcome)> {
    vec![
        (
            "an HTML 503 page",
            Answer::Raw(
                503,
                "text/html",
                "<html><body>Down for maintenance</body></html>",
            ),
            Outcome::Retrying("HTML page"),
        ),
        (
            "truncated JSON",
            Answer::Raw(200, "application/json", "{\"graphs\":[{\"graphId\":\"o"),
            Outcome::Retrying("not the expected JSON"),
        ),
        (
            "an empty 200 body",
            Answer::Raw(200, "application/json", ""),
            Outcome::Retrying("empty body"),
        ),
        (
            "unexpected extra fields",
            Answer::Json(
                200,
                graph_ok(
                    order_id,
                    line_id,
                    json!({"nested": [1, 2]}),
                    "006Dn0000011001AAA",
                ),
            ),
            Outcome::Sent,
        ),
        (
            "ids of the wrong shape",
            Answer::Json(200, graph_ok(order_id, line_id, Value::Null, "12345")),
            Outcome::Retrying("wrong shape"),
        ),
        (
            "a redirect to a login page",
            Answer::Redirect,
            Outcome::Retrying("redirected"),
        ),
        (
            "a partial failure",
            Answer::Json(
                200,
                graph_error(
                    order_id,
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [CloseDate]",
                ),
            ),
            Outcome::Parked("REQUIRED_FIELD_MISSING"),
        ),
        (
            "a validation rule",
            Answer::Json(
                200,
                graph_error(
                    order_id,
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "PO number required",
                ),
            ),
            Outcome::Parked("PO number required"),
        ),
        (
            "a lock on the Account",
            Answer::Json(
                200,
                graph_error(
                    order_id,
                    "UNABLE_TO_LOCK_ROW",
                    "unable to obtain exclusive access",
                ),
            ),
            Outcome::Retrying("UNABLE_TO_LOCK_ROW"),
        ),
        (
            "too many concurrent requests",
            Answer::Json(
                403,
                json!([{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentRequests Limit exceeded."}]),
            ),
            Outcome::Retrying("REQUEST_LIMIT_EXCEEDED"),
        ),
    ]
}

async fn salesforce_answering(app: &TestApp, answer: Answer) -> (MockServer, Salesforce) {
    let server = MockServer::start().await;
    let token = fixture("token__ok.json").replace("__INSTANCE__", &server.uri());
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(token, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param_contains("q", "FROM Pricebook2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("query__standard_pricebook.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    crate::salesforce_client::support::mount_org_currency(&server).await;
    let entries = json!({"totalSize": 1, "done": true, "records": [{"attributes": {"type": "PricebookEntry"}, "Id": "01uDn0000011001AAA", "ProductCode": "WIDGET-1"}]});
    Mock::given(method("GET"))
        .and(query_param_contains("q", "FROM PricebookEntry"))
        .respond_with(ResponseTemplate::new(200).set_body_json(entries))
        .mount(&server)
        .await;
    let response = match answer {
        Answer::Json(status, body) => ResponseTemplate::new(status).set_body_json(body),
        Answer::Raw(status, mime, body) => ResponseTemplate::new(status).set_body_raw(body, mime),
        Answer::Redirect => ResponseTemplate::new(302).insert_header(
            "Location",
            "https://login.salesforce.com/?ec=302&startURL=%2Fhome",
        ),
    };
    Mock::given(method("POST"))
        .and(path("/services/data/v62.0/composite/graph"))
        .respond_with(response)
        .mount(&server)
        .await;
    let mut settings = app.settings.salesforce.clone();
    settings.login_url = server.uri();
    (server, Salesforce::new(&settings, 25).expect("client"))
}

#[tokio::test]
async fn every_bad_answer_leaves_the_order_retrying_or_parked_with_a_readable_reason() {
    for index in 0..10 {
        let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
        let widget = app.product("WIDGET-1", "standard", false).await;
        let customer = app.customer("Answer").await;
        let id = app.order(customer).line(widget, 1, "4.00").place().await;
        let line_id = 1; // the first line of the first order in a fresh store
        let (name, answer, expected) = cases(id, line_id).remove(index);
        let (_server, salesforce) = salesforce_answering(&app, answer).await;
        let worker = worker_with(&app.settings, app.store.clone(), salesforce);

        let report = worker
            .run_pass()
            .await
            .unwrap_or_else(|e| panic!("{name}: fatal {e}"));

        let d = app.store.order_detail(id).await.unwrap().unwrap();
        let reason = d.last_error.clone().unwrap_or_default();
        match expected {
            Outcome::Sent => assert_eq!(report.sent.len(), 1, "{name}: {reason}"),
            Outcome::Retrying(text) => {
                assert_eq!(report.retrying.len(), 1, "{name}");
                assert_eq!(d.last_error_class.as_deref(), Some("transient"), "{name}");
                assert!(
                    reason.contains(text),
                    "{name}: expected {text:?} in {reason:?}"
                );
            }
            Outcome::Parked(text) => {
                assert_eq!(report.parked.len(), 1, "{name}");
                assert!(
                    reason.contains(text),
                    "{name}: expected {text:?} in {reason:?}"
                );
                assert!(
                    !reason.contains("PROCESSING_HALTED"),
                    "{name}: the real error is reported"
                );
            }
        }
    }
}
