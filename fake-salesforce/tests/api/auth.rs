//! OAuth grants, bearer checks, API usage accounting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fake_salesforce::FakeSalesforce;
use serde_json::{Value, json};

use crate::common::{Env, error_code};

fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
    format!(
        "{header}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

async fn token_call(fake: &FakeSalesforce, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", fake.url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn client_credentials_ok_and_invalid() {
    let fake = FakeSalesforce::start().await;
    fake.with_client_credentials("id-1", "secret-1");
    let (status, body) = token_call(
        &fake,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "id-1"),
            ("client_secret", "secret-1"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["access_token"].as_str().unwrap().starts_with("00D"));
    assert_eq!(body["instance_url"], json!(fake.url()));
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/id/00D", fake.url()))
    );
    assert!(body["issued_at"].as_str().unwrap().parse::<u64>().is_ok());
    let (status, body) = token_call(
        &fake,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "id-1"),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );
    let (status, body) = token_call(&fake, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(fake.api_calls(), 0);
}

#[tokio::test]
async fn jwt_bearer_ok_and_invalid() {
    let fake = FakeSalesforce::start().await;
    let now = chrono::Utc::now().timestamp();
    let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let good = jwt(
        json!({"iss": "test-client", "sub": "sync@example.com", "aud": "https://login.salesforce.com", "exp": now + 150}),
    );
    let (status, body) = token_call(&fake, &[("grant_type", grant), ("assertion", &good)]).await;
    assert_eq!(status, 200, "{body}");
    let cases = [
        json!({"iss": "other", "sub": "u", "aud": "a", "exp": now + 150}),
        json!({"iss": "test-client", "sub": "", "aud": "a", "exp": now + 150}),
        json!({"iss": "test-client", "sub": "u", "exp": now + 150}),
        json!({"iss": "test-client", "sub": "u", "aud": "a", "exp": now - 1}),
        json!({"iss": "test-client", "sub": "u", "aud": "a", "exp": now + 600}),
    ];
    for claims in cases {
        let (status, body) = token_call(
            &fake,
            &[("grant_type", grant), ("assertion", &jwt(claims.clone()))],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{claims}"
        );
    }
    let (status, body) =
        token_call(&fake, &[("grant_type", grant), ("assertion", "not-a-jwt")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn bearer_required_and_expiry() {
    let env = Env::new().await;
    let resp = env.send(env.http.get(env.url("/limits"))).await;
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
    assert!(resp.headers.contains_key("sforce-limit-info"));
    assert_eq!(env.get("/limits").await.status, 200);
    env.fake.expire_tokens();
    let resp = env.get("/limits").await;
    assert_eq!(
        (resp.status.as_u16(), error_code(&resp.body)),
        (401, "INVALID_SESSION_ID")
    );
    assert_eq!(env.fake.api_calls(), 3);
}

#[tokio::test]
async fn api_usage_header_limits_and_exhaustion() {
    let env = Env::new().await;
    env.fake.set_api_limit(97, 100);
    let resp = env.get("/limits").await;
    assert_eq!(resp.headers["sforce-limit-info"], "api-usage=98/100");
    assert_eq!(
        resp.body,
        json!({"DailyApiRequests": {"Max": 100, "Remaining": 2}})
    );
    assert_eq!(env.get("/limits").await.status, 200);
    assert_eq!(env.get("/limits").await.status, 200);
    let resp = env.get("/limits").await;
    assert_eq!(resp.status, 403);
    assert_eq!(
        resp.body,
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(resp.headers["sforce-limit-info"], "api-usage=101/100");
    assert_eq!(env.fake.api_usage(), (101, 100));
}

#[tokio::test]
async fn shutdown_or_last_drop_stops_the_server() {
    let stopped = FakeSalesforce::start().await;
    let dropped = FakeSalesforce::start().await;
    let urls = [stopped.url(), dropped.url()];
    let clone = dropped.clone();
    drop(dropped);
    assert_eq!(
        reqwest::get(format!("{}/services/data/v62.0/limits", urls[1]))
            .await
            .unwrap()
            .status(),
        401
    );
    stopped.shutdown();
    drop(clone);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    for url in urls {
        assert!(
            reqwest::get(format!("{url}/services/data/v62.0/limits"))
                .await
                .is_err(),
            "{url}"
        );
    }
}
