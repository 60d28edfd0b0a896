//! Test helpers: a started fake plus a reqwest client holding a valid token.

use fake_salesforce::FakeSalesforce;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Env {
    pub fake: FakeSalesforce,
    pub http: reqwest::Client,
    pub token: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Env {
    pub async fn new() -> Env {
        let fake = FakeSalesforce::start().await;
        let http = reqwest::Client::new();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
        ];
        let resp = http
            .post(format!("{}/services/oauth2/token", fake.url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        let token = body["access_token"].as_str().unwrap().to_string();
        Env { fake, http, token }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/services/data/v62.0{path}", self.fake.url())
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(self.request(reqwest::Method::PATCH, path).json(&body))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(self.request(reqwest::Method::POST, path).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.request(reqwest::Method::DELETE, path)).await
    }

    pub async fn query(&self, soql: &str) -> Resp {
        self.send(
            self.request(reqwest::Method::GET, "/query")
                .query(&[("q", soql)]),
        )
        .await
    }

    pub async fn upsert_account(&self, key: &str, name: &str) -> Resp {
        self.patch(
            &format!("/sobjects/Account/Store_Customer_Id__c/{key}"),
            json!({"Name": name}),
        )
        .await
    }
}

/// The `id` of a create or upsert answer.
pub fn id_of(resp: &Resp) -> String {
    match resp.body["id"].as_str() {
        Some(id) => id.to_string(),
        None => panic!("no id in {} {}", resp.status, resp.body),
    }
}

pub fn error_code(body: &Value) -> &str {
    body[0]["errorCode"].as_str().unwrap_or("<none>")
}
