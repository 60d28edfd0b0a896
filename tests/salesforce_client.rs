//! The Salesforce client against wiremock answers in Salesforce's documented shapes (wiremock-fixtures/).

pub(crate) mod support;

use order_sync::error::ErrorClass;
use order_sync::salesforce::{ApiUsage, SfError};
use serde_json::Value;
use support::*;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server with a token endpoint and the price book already mounted.
async fn org(tokens: u64) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, tokens).await;
    mount_pricebook(&server).await;
    server
}

async fn graph_answers(server: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// Pushes one order whose graph request gets `answer`; returns its error.
async fn push_error(answer: ResponseTemplate) -> SfError {
    let server = org(1).await;
    graph_answers(&server, answer).await;
    let results = client(&server, 25)
        .push(&[order(1001, &[(5001, "SKU-A")])], &Default::default())
        .await;
    results
        .into_iter()
        .next()
        .expect("one result")
        .1
        .expect_err("the push must fail")
}

#[tokio::test]
async fn a_token_is_fetched_once_and_shared_by_calls() {
    let server = org(1).await;
    graph_answers(&server, json(200, fixture("graph__success.json"))).await;
    let sf = client(&server, 25);

    let first = sf.push(&two_orders(), &Default::default()).await;
    let second = sf.push(&two_orders(), &Default::default()).await;

    assert!(
        first.iter().chain(&second).all(|(_, r)| r.is_ok()),
        "{first:?} {second:?}"
    );
    assert_eq!(received(&server, "POST", TOKEN).await.len(), 1);
    assert_eq!(sf.token_renewals(), 1);
    let rest = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() != TOKEN);
    assert!(
        rest.map(|r| bearer(&r))
            .all(|b| b == format!("Bearer {FIXTURE_TOKEN}-1"))
    );
}

#[tokio::test]
async fn invalid_credentials_are_fatal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(json(400, fixture("token__invalid_grant.json")))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server, 25)
        .connect()
        .await
        .expect_err("bad credentials must fail");

    assert_eq!(err.class, ErrorClass::Fatal);
    assert_eq!(err.code.as_deref(), Some("invalid_grant"));
    assert!(
        err.message.contains("invalid client credentials"),
        "{}",
        err.message
    );
    assert!(!format!("{err:?}").contains(SECRET));
    let sent = String::from_utf8(received(&server, "POST", TOKEN).await[0].body.clone()).unwrap();
    assert!(
        sent.contains("grant_type=client_credentials") && sent.contains(SECRET),
        "{sent}"
    );
}

#[tokio::test]
async fn a_graph_success_returns_every_orders_salesforce_ids() {
    let server = org(1).await;
    graph_answers(&server, json(200, fixture("graph__success.json"))).await;

    let results = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await;

    for (id, result) in &results {
        let ids = result
            .as_ref()
            .unwrap_or_else(|e| panic!("order {id}: {e}"));
        let n = id.0;
        assert_eq!(
            ids.account.as_deref(),
            Some(format!("001Dn000001{n}AAA").as_str())
        );
        assert_eq!(
            ids.contact.as_deref(),
            Some(format!("003Dn000001{n}AAA").as_str())
        );
        assert_eq!(
            ids.opportunity.as_deref(),
            Some(format!("006Dn000001{n}AAA").as_str())
        );
        assert_eq!(
            ids.quote.as_deref(),
            Some(format!("0Q0Dn000001{n}AAA").as_str())
        );
        assert_eq!(
            ids.order.as_deref(),
            Some(format!("801Dn000001{n}AAA").as_str())
        );
    }
    assert_eq!(results.len(), 2);
    let posts = received(&server, "POST", GRAPH).await;
    assert_eq!(posts.len(), 1, "both orders travel in one request");
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    let graphs = body["graphs"].as_array().unwrap();
    assert_eq!(
        graphs
            .iter()
            .map(|g| g["graphId"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["o1001", "o1002"]
    );
    for (g, (order, line)) in graphs.iter().zip([(1001, 5001), (1002, 5002)]) {
        let nodes = g["compositeRequest"].as_array().unwrap();
        let refs: Vec<&str> = nodes
            .iter()
            .map(|n| n["referenceId"].as_str().unwrap())
            .collect();
        let qli = format!("qli{line}");
        let oi = format!("oi{line}");
        assert_eq!(
            refs,
            [
                "acct", "contact", "opp", "quote", &qli, "order", &oi, "activate"
            ]
        );
        assert!(nodes.iter().all(|n| n["method"] == "PATCH"));
        let urls: Vec<&str> = nodes.iter().map(|n| n["url"].as_str().unwrap()).collect();
        let v = "/services/data/v62.0/sobjects";
        assert_eq!(
            urls[2],
            format!("{v}/Opportunity/Store_Order_Id__c/{order}")
        );
        assert_eq!(urls[3], format!("{v}/Quote/Store_Order_Id__c/{order}"));
        assert_eq!(
            urls[4],
            format!("{v}/QuoteLineItem/Store_Line_Id__c/{line}")
        );
        assert_eq!(urls[5], format!("{v}/Order/Store_Order_Id__c/{order}"));
        assert_eq!(urls[6], format!("{v}/OrderItem/Store_Line_Id__c/{line}"));
        // Activation comes after the products, with Status alone, as Salesforce requires.
        assert_eq!(urls[7], format!("{v}/Order/Store_Order_Id__c/{order}"));
        assert_eq!(nodes[7]["body"], serde_json::json!({"Status": "Activated"}));
    }
}

#[tokio::test]
async fn a_partial_failure_rejects_only_the_failed_order_with_the_real_error() {
    let server = org(1).await;
    graph_answers(&server, json(200, fixture("graph__partial_failure.json"))).await;

    let results = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await;

    let ok = &results.iter().find(|(id, _)| id.0 == 1001).unwrap().1;
    assert_eq!(
        ok.as_ref().unwrap().opportunity.as_deref(),
        Some("006Dn0000011001AAA")
    );
    let err = results
        .iter()
        .find(|(id, _)| id.0 == 1002)
        .unwrap()
        .1
        .clone()
        .unwrap_err();
    assert_eq!(err.class, ErrorClass::Rejected);
    assert_eq!(err.code.as_deref(), Some("REQUIRED_FIELD_MISSING"));
    assert!(
        err.message.contains("REQUIRED_FIELD_MISSING") && err.message.contains("CloseDate"),
        "{}",
        err.message
    );
    assert!(err.message.contains("Opportunity"), "{}", err.message);
    assert!(
        !err.message.contains("PROCESSING_HALTED"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_pricebook_query_follows_next_records_url() {
    let server = org(1).await;
    graph_answers(&server, json(200, fixture("graph__success.json"))).await;

    let results = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await;

    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    assert_eq!(received(&server, "GET", QUERY_PAGE2).await.len(), 1);
    let entries_query = received(&server, "GET", QUERY).await.into_iter().find(|r| {
        r.url
            .query_pairs()
            .any(|(_, q)| q.contains("PricebookEntry"))
    });
    let soql: String = entries_query
        .expect("entries queried")
        .url
        .query_pairs()
        .map(|(_, q)| q.into_owned())
        .collect();
    assert!(
        soql.contains("Pricebook2Id = '01sDn000000STD1AAA'"),
        "{soql}"
    );
    let body: Value =
        serde_json::from_slice(&received(&server, "POST", GRAPH).await[0].body).unwrap();
    let o1002 = &body["graphs"][1];
    assert_eq!(o1002["graphId"], "o1002");
    assert_eq!(
        o1002["compositeRequest"][4]["body"]["PricebookEntryId"],
        "01uDn0000000SKUBAA"
    );
    assert_eq!(
        o1002["compositeRequest"][2]["body"]["Pricebook2Id"],
        "01sDn000000STD1AAA"
    );
}

/// Graph calls with the first token get 401 INVALID_SESSION_ID (after `delay`), with the second one `ok`.
async fn expire_first_token(
    server: &MockServer,
    times: u64,
    delay_ms: u64,
    ok: impl wiremock::Respond + 'static,
) {
    let first = format!("Bearer {FIXTURE_TOKEN}-1");
    let expired = json(401, fixture("errors__invalid_session.json"))
        .set_delay(std::time::Duration::from_millis(delay_ms));
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .and(header("authorization", first.as_str()))
        .respond_with(expired)
        .expect(times)
        .named("graph, first token")
        .mount(server)
        .await;
    let second = format!("Bearer {FIXTURE_TOKEN}-2");
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .and(header("authorization", second.as_str()))
        .respond_with(ok)
        .expect(times)
        .named("graph, renewed token")
        .mount(server)
        .await;
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_and_replayed() {
    let server = org(2).await;
    expire_first_token(&server, 1, 0, json(200, fixture("graph__success.json"))).await;
    let sf = client(&server, 25);

    let results = sf.push(&two_orders(), &Default::default()).await;

    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    assert_eq!(received(&server, "POST", TOKEN).await.len(), 2);
    assert_eq!(received(&server, "POST", GRAPH).await.len(), 2);
    assert_eq!(sf.token_renewals(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_failing_together_renew_the_token_once() {
    let server = org(2).await;
    expire_first_token(&server, 5, 100, echo_graphs("upsert__created.json")).await;
    let orders: Vec<_> = (1..=5)
        .map(|i| order(2000 + i, &[(6000 + i, "SKU-A")]))
        .collect();

    let results = client(&server, 1).push(&orders, &Default::default()).await;

    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
    assert_eq!(
        received(&server, "POST", GRAPH).await.len(),
        10,
        "five 401s, five replays"
    );
    assert_eq!(received(&server, "POST", TOKEN).await.len(), 2);
}

#[tokio::test]
async fn html_503_truncated_json_and_empty_bodies_are_transient() {
    let success = fixture("graph__success.json");
    let cases = [
        (
            ResponseTemplate::new(503).set_body_raw(fixture("html__503.html"), "text/html"),
            "HTML",
        ),
        (
            json(200, success[..success.len() / 2].to_vec()),
            "not the expected JSON",
        ),
        (json(200, Vec::new()), "empty body"),
        (
            json(500, br#"[{"message":"An unexpected err"#.to_vec()),
            "500",
        ),
    ];
    for (answer, says) in cases {
        let err = push_error(answer).await;

        assert_eq!(err.class, ErrorClass::Transient, "{says}: {err:?}");
        assert!(err.message.contains(says), "{says}: {}", err.message);
        assert!(
            !err.message.contains('<') && !err.message.contains("Reference #"),
            "{}",
            err.message
        );
    }
}

#[tokio::test]
async fn request_limit_exceeded_is_transient_and_unable_to_lock_row_is_transient() {
    let spent = json(403, fixture("errors__request_limit.json"))
        .insert_header("Sforce-Limit-Info", "api-usage=5000/5000");
    let limit = push_error(spent).await;
    let busy = json(403, fixture("errors__request_limit.json"))
        .insert_header("Sforce-Limit-Info", "api-usage=31/100000");
    let concurrent = push_error(busy).await;
    let lock = push_error(json(400, fixture("errors__unable_to_lock_row.json"))).await;
    let mut graphs = json_fixture("graph__partial_failure.json");
    graphs["graphs"][1]["graphResponse"]["compositeResponse"][2]["body"] =
        json_fixture("errors__unable_to_lock_row.json");
    let server = org(1).await;
    graph_answers(&server, json(200, serde_json::to_vec(&graphs).unwrap())).await;

    let in_graph = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await
        .remove(1);

    assert_eq!(
        (limit.class, limit.code.as_deref()),
        (ErrorClass::Transient, Some("REQUEST_LIMIT_EXCEEDED"))
    );
    assert!(
        limit.is_daily_limit(),
        "a spent daily allocation: {}",
        limit.message
    );
    assert_eq!(concurrent.code.as_deref(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert!(
        !concurrent.is_daily_limit(),
        "31 of 100,000 calls used: too many at once, not the daily limit: {}",
        concurrent.message
    );
    assert_eq!(
        (lock.class, lock.code.as_deref()),
        (ErrorClass::Transient, Some("UNABLE_TO_LOCK_ROW"))
    );
    let in_graph = in_graph.1.unwrap_err();
    assert_eq!(
        (in_graph.class, in_graph.code.as_deref()),
        (ErrorClass::Transient, Some("UNABLE_TO_LOCK_ROW"))
    );
}

#[tokio::test]
async fn a_redirect_to_a_login_page_is_not_followed() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let login_page = format!("{}/secur/login.jsp?ec=302", server.uri());
    Mock::given(path_regex("^/services/data/"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", login_page.as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/secur/login.jsp"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let results = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await;

    assert_eq!(results.len(), 2);
    for (_, r) in results {
        let err = r.expect_err("a redirect is not an answer");
        assert_eq!(err.class, ErrorClass::Transient);
        assert!(err.message.contains("redirect"), "{}", err.message);
    }
    assert!(
        received(&server, "GET", "/secur/login.jsp")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn sforce_limit_info_is_read() {
    let server = org(1).await;
    let answer = json(200, fixture("graph__success.json"))
        .insert_header("Sforce-Limit-Info", "api-usage=18/5000; api-bursts=1/750");
    graph_answers(&server, answer).await;
    let sf = client(&server, 25);
    assert_eq!(sf.api_usage(), None);

    sf.push(&two_orders(), &Default::default()).await;

    assert_eq!(
        sf.api_usage(),
        Some(ApiUsage {
            used: 18,
            max: 5000
        })
    );
}

#[tokio::test]
async fn wrong_shape_ids_are_not_accepted() {
    let server = org(1).await;
    let body = String::from_utf8(fixture("graph__success.json"))
        .unwrap()
        .replace("006Dn0000011001AAA", "12345") // o1001's Opportunity
        .replace("802Dn0000015002AAA", "12345"); // o1002's OrderItem
    graph_answers(&server, json(200, body.into_bytes())).await;

    let results = client(&server, 25)
        .push(&two_orders(), &Default::default())
        .await;

    assert_eq!(results.len(), 2);
    for (id, result) in results {
        let err = result.expect_err(&format!(
            "order {id}: an id of the wrong shape is not a success"
        ));
        assert_eq!(err.class, ErrorClass::Transient);
        assert!(err.message.contains("12345"), "{}", err.message);
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let settings = load_settings("https://acme.my.salesforce.com");

    let debug = format!("{settings:?}");
    let pretty = format!("{:#?}", settings.salesforce);

    assert!(
        debug.contains(CLIENT_ID),
        "the salesforce settings are in the output"
    );
    assert!(
        !debug.contains(SECRET) && !pretty.contains(SECRET),
        "{debug}"
    );
}
