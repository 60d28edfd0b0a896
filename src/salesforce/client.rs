//! The one path every Salesforce call takes: token, send, 401 → renew once and replay once,
//! classify the answer, read `Sforce-Limit-Info`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;

use super::auth::{Token, TokenProvider};
use super::error::{SfError, classify_response};
use super::wire::{QueryPage, soql_literal};
use crate::config::SalesforceSettings;

/// API usage as Salesforce last reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub auth: TokenProvider,
    pub api_version: String,
    pub allow_http_loopback: bool,
    pub api_used: AtomicU64,
    pub api_max: AtomicU64,
    pub calls: AtomicU64,
    pub last_success_ms: AtomicI64,
    pub circuit: super::circuit::Circuit,
}

/// Refuses plain http except to loopback (tests, the demo) when allowed.
pub(crate) fn check_url(url: &str, allow_http_loopback: bool) -> Result<(), SfError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| SfError::fatal(None, format!("{url:?} is not a URL: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback && allow_http_loopback => Ok(()),
        _ => Err(SfError::fatal(
            None,
            format!("{url} must use https (plain http only to loopback)"),
        )),
    }
}

pub(crate) fn is_loopback(url: &str) -> bool {
    check_url(url, true).is_ok() && url.starts_with("http://")
}

impl Inner {
    pub fn new(s: &SalesforceSettings) -> Result<Inner, SfError> {
        check_url(&s.login_url, s.allow_http_loopback)?;
        let mut builder = reqwest::Client::builder()
            .timeout(s.request_timeout)
            .connect_timeout(s.request_timeout.min(std::time::Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("order-sync/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&s.login_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| SfError::fatal(None, format!("could not build the HTTP client: {e}")))?;
        Ok(Inner {
            auth: TokenProvider::new(http.clone(), s)?,
            http,
            api_version: s.api_version.clone(),
            allow_http_loopback: s.allow_http_loopback,
            api_used: AtomicU64::new(0),
            api_max: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            last_success_ms: AtomicI64::new(0),
            circuit: super::circuit::Circuit::new(
                5,
                s.circuit_min_cooldown,
                s.circuit_max_cooldown,
            ),
        })
    }

    /// `path` is relative to `/services/data/vXX.X/` (e.g. `composite/graph`), or absolute
    /// from the host when it starts with `/` (a `nextRecordsUrl`).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<bytes::Bytes, SfError> {
        self.circuit.admit()?;
        let result = match self.send_authorized(method, path, body).await {
            Err(e) if e.code.as_deref() == Some("REQUEST_LIMIT_EXCEEDED") => {
                Err(self.which_limit(&e).await)
            }
            other => other,
        };
        self.circuit.record(result.as_ref().map(|_| ()));
        result
    }

    /// Salesforce says REQUEST_LIMIT_EXCEEDED for the daily total and for concurrent requests
    /// alike: only an org whose usage is really spent (Sforce-Limit-Info, else `GET limits`)
    /// is the daily limit, worth a long pause; anything else is retried shortly.
    async fn which_limit(&self, e: &SfError) -> SfError {
        let (used, max) = (
            self.api_used.load(Ordering::Relaxed),
            self.api_max.load(Ordering::Relaxed),
        );
        let usage = if max > 0 {
            Some((used, max))
        } else {
            self.limits().await
        };
        match usage {
            Some((used, max)) if used >= max => SfError::daily_limit(used, max),
            _ => SfError::concurrent_limit(e),
        }
    }

    /// `GET limits` → (used, max) of DailyApiRequests; None when it cannot be read.
    async fn limits(&self) -> Option<(u64, u64)> {
        let bytes = self
            .send_authorized(Method::GET, "limits", None)
            .await
            .ok()?;
        let v: Value = serde_json::from_slice(&bytes).ok()?;
        let daily = v.get("DailyApiRequests")?;
        let max = daily.get("Max")?.as_u64()?;
        let remaining = daily.get("Remaining")?.as_u64()?;
        Some((max.saturating_sub(remaining), max))
    }

    async fn send_authorized(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<bytes::Bytes, SfError> {
        let token = self.auth.token().await?;
        match self.send_once(&token, method.clone(), path, body).await {
            Err(Expired) => {
                let fresh = self.auth.renew(Some(&token)).await?;
                match self.send_once(&fresh, method, path, body).await {
                    Err(Expired) => Err(SfError::transient(
                        Some("INVALID_SESSION_ID"),
                        "Salesforce refused a freshly renewed token (INVALID_SESSION_ID)",
                    )),
                    Ok(result) => result,
                }
            }
            Ok(result) => result,
        }
    }

    async fn send_once(
        &self,
        token: &Token,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Result<bytes::Bytes, SfError>, Expired> {
        if let Err(e) = check_url(&token.instance_url, self.allow_http_loopback) {
            return Ok(Err(e));
        }
        let url = if path.starts_with('/') {
            format!("{}{path}", token.instance_url)
        } else {
            format!(
                "{}/services/data/{}/{path}",
                token.instance_url, self.api_version
            )
        };
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(token.access_token.expose_secret());
        if let Some(b) = body {
            request = request.json(b);
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Ok(Err(SfError::from_reqwest(e))),
        };
        self.read_limit_info(response.headers());
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Ok(Err(SfError::from_reqwest(e))),
        };
        if status == StatusCode::UNAUTHORIZED {
            return Err(Expired);
        }
        if !status.is_success() {
            return Ok(Err(classify_response(status, &bytes)));
        }
        self.last_success_ms
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
        Ok(Ok(bytes))
    }

    /// `Sforce-Limit-Info: api-usage=18/5000; api-bursts=1/750` — unknown keys ignored.
    fn read_limit_info(&self, headers: &reqwest::header::HeaderMap) {
        let Some(value) = headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        if let Some(usage) = parse_limit_info(value) {
            self.api_used.store(usage.used, Ordering::Relaxed);
            self.api_max.store(usage.max, Ordering::Relaxed);
        }
    }

    /// Runs a SOQL query and follows `nextRecordsUrl` until done.
    pub async fn query(&self, soql: &str) -> Result<Vec<Value>, SfError> {
        let mut path = format!(
            "query?q={}",
            url::form_urlencoded::byte_serialize(soql.as_bytes()).collect::<String>()
        );
        let mut records = Vec::new();
        loop {
            let bytes = self.send(Method::GET, &path, None).await?;
            let page: QueryPage = serde_json::from_slice(&bytes).map_err(|_| {
                SfError::transient(None, "a query answer was not the expected JSON")
            })?;
            records.extend(page.records);
            match (page.done, page.next_records_url) {
                (false, Some(next)) => path = next,
                _ => return Ok(records),
            }
        }
    }
}

/// Marker: the request got 401, the token must be renewed.
struct Expired;

pub fn parse_limit_info(value: &str) -> Option<ApiUsage> {
    value.split(';').find_map(|part| {
        let (key, counts) = part.trim().split_once('=')?;
        if key.trim() != "api-usage" {
            return None;
        }
        let (used, max) = counts.split_once('/')?;
        Some(ApiUsage {
            used: used.trim().parse().ok()?,
            max: max.trim().parse().ok()?,
        })
    })
}

/// `'a','b'` for a SOQL IN list.
pub fn soql_list<'a>(values: impl IntoIterator<Item = &'a String>) -> String {
    values
        .into_iter()
        .map(|v| soql_literal(v))
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) type Shared = Arc<Inner>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_info_is_read_with_extra_segments() {
        assert_eq!(
            parse_limit_info("api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                max: 5000
            })
        );
        assert_eq!(
            parse_limit_info("api-usage=10018/100000; api-bursts=1/750"),
            Some(ApiUsage {
                used: 10018,
                max: 100000
            })
        );
        assert_eq!(
            parse_limit_info("per-app-api-usage=17/250(appName=x)"),
            None
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        assert!(check_url("https://acme.my.salesforce.com", true).is_ok());
        assert!(check_url("http://127.0.0.1:8080", true).is_ok());
        assert!(check_url("http://127.0.0.1:8080", false).is_err());
        assert!(check_url("http://acme.my.salesforce.com", true).is_err());
    }
}
