//! OAuth 2.0 server-to-server tokens (JWT bearer or client credentials), cached and shared;
//! renewal is single-flight so a burst of 401s costs one token request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::{Mutex, RwLock};

use super::error::{SfError, classify_token_error};
use super::wire::TokenResponse;
use crate::config::{AuthFlow, SalesforceSettings};

/// A bearer token and the org host it is valid for. Debug never shows the token.
pub struct Token {
    pub access_token: SecretString,
    pub instance_url: String,
    pub obtained_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

enum Grant {
    Jwt {
        key: EncodingKey,
        client_id: String,
        username: String,
        audience: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
    },
}

pub struct TokenProvider {
    http: reqwest::Client,
    token_url: String,
    grant: Grant,
    current: RwLock<Option<Arc<Token>>>,
    renewing: Mutex<()>,
    renewals: AtomicU64,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
}

impl TokenProvider {
    /// Reads the key (JWT) once; a missing or unreadable key is fatal.
    pub fn new(http: reqwest::Client, s: &SalesforceSettings) -> Result<TokenProvider, SfError> {
        let grant = match s.auth {
            AuthFlow::Jwt => {
                let pem = std::fs::read(&s.private_key_path).map_err(|e| {
                    SfError::fatal(
                        None,
                        format!("salesforce.private_key_path {:?}: {e}", s.private_key_path),
                    )
                })?;
                warn_if_key_readable_by_others(&s.private_key_path);
                let key = EncodingKey::from_rsa_pem(&pem).map_err(|e| {
                    SfError::fatal(
                        None,
                        format!("salesforce.private_key_path is not an RSA PEM key: {e}"),
                    )
                })?;
                let audience = jwt_audience(s);
                Grant::Jwt {
                    key,
                    client_id: s.client_id.clone(),
                    username: s.username.clone(),
                    audience,
                }
            }
            AuthFlow::ClientCredentials => Grant::ClientCredentials {
                client_id: s.client_id.clone(),
                client_secret: s.client_secret.clone(),
            },
        };
        Ok(TokenProvider {
            http,
            token_url: format!(
                "{}/services/oauth2/token",
                s.login_url.trim_end_matches('/')
            ),
            grant,
            current: RwLock::new(None),
            renewing: Mutex::new(()),
            renewals: AtomicU64::new(0),
        })
    }

    /// The cached token, fetching one if there is none yet.
    pub async fn token(&self) -> Result<Arc<Token>, SfError> {
        if let Some(t) = self.current.read().await.clone() {
            return Ok(t);
        }
        self.renew(None).await
    }

    /// Replaces `stale` with a fresh token. Callers that saw the same stale token wait for one
    /// renewal and share its result.
    pub async fn renew(&self, stale: Option<&Arc<Token>>) -> Result<Arc<Token>, SfError> {
        let _single_flight = self.renewing.lock().await;
        if let Some(current) = self.current.read().await.clone() {
            let already_renewed = stale.is_none_or(|s| !Arc::ptr_eq(s, &current));
            if already_renewed {
                return Ok(current);
            }
        }
        let fresh = Arc::new(self.request_token().await?);
        self.renewals.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("order_sync_token_renewals_total").increment(1);
        *self.current.write().await = Some(fresh.clone());
        Ok(fresh)
    }

    /// How long ago the current token was obtained, if there is one.
    pub async fn token_age(&self) -> Option<std::time::Duration> {
        self.current
            .read()
            .await
            .as_ref()
            .map(|t| t.obtained_at.elapsed())
    }

    /// The org host of the current token, without asking for one.
    pub async fn instance_url(&self) -> Option<String> {
        self.current
            .read()
            .await
            .as_ref()
            .map(|t| t.instance_url.clone())
    }

    /// Tokens obtained so far (the first one included).
    pub fn renewals(&self) -> u64 {
        self.renewals.load(Ordering::Relaxed)
    }

    async fn request_token(&self) -> Result<Token, SfError> {
        let form: Vec<(&str, String)> = match &self.grant {
            Grant::Jwt {
                key,
                client_id,
                username,
                audience,
            } => {
                let claims = Claims {
                    iss: client_id,
                    sub: username,
                    aud: audience,
                    exp: chrono::Utc::now().timestamp() + 150,
                };
                let jwt = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key)
                    .map_err(|e| {
                        SfError::fatal(None, format!("could not sign the JWT assertion: {e}"))
                    })?;
                vec![
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
                    ),
                    ("assertion", jwt),
                ]
            }
            Grant::ClientCredentials {
                client_id,
                client_secret,
            } => vec![
                ("grant_type", "client_credentials".into()),
                ("client_id", client_id.clone()),
                ("client_secret", client_secret.expose_secret().to_string()),
            ],
        };
        let response = self.http.post(&self.token_url).form(&form).send().await;
        let response = response.map_err(SfError::from_reqwest)?;
        let status = response.status();
        let body = response.bytes().await.map_err(SfError::from_reqwest)?;
        if !status.is_success() {
            return Err(classify_token_error(status, &body));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| SfError::transient(None, "the token endpoint's answer was not a token"))?;
        Ok(Token {
            access_token: SecretString::from(parsed.access_token),
            instance_url: parsed.instance_url.trim_end_matches('/').to_string(),
            obtained_at: Instant::now(),
        })
    }
}

/// A private key that others can read is a leak waiting to happen: say so once at start-up.
fn warn_if_key_readable_by_others(path: &str) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path,
            mode = format!("{:o}", meta.permissions().mode() & 0o777),
            "the Salesforce private key is readable by group or others; chmod 600 it"
        );
    }
}

/// The JWT `aud`: `salesforce.audience` when set; else the environment's login host, as
/// Salesforce documents it — `https://test.salesforce.com` for a sandbox (test.salesforce.com or
/// a `--sandbox` My Domain), `https://login.salesforce.com` otherwise, whatever host tokens
/// are requested from.
pub fn jwt_audience(s: &SalesforceSettings) -> String {
    if !s.audience.is_empty() {
        return s.audience.clone();
    }
    let host = reqwest::Url::parse(&s.login_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let sandbox = host == "test.salesforce.com"
        || host.ends_with(".sandbox.my.salesforce.com")
        || host.contains("--");
    if sandbox {
        "https://test.salesforce.com".into()
    } else {
        "https://login.salesforce.com".into()
    }
}

#[cfg(test)]
mod audience_tests {
    use super::jwt_audience;
    use crate::config::Settings;

    fn audience(login_url: &str, audience: &str) -> String {
        let mut s = Settings::load_with_env(None, Some(Default::default()))
            .unwrap()
            .salesforce;
        s.login_url = login_url.into();
        s.audience = audience.into();
        jwt_audience(&s)
    }

    #[test]
    fn the_jwt_audience_follows_the_environment_not_the_token_host() {
        assert_eq!(
            audience("https://acme.my.salesforce.com", ""),
            "https://login.salesforce.com"
        );
        assert_eq!(
            audience("https://login.salesforce.com", ""),
            "https://login.salesforce.com"
        );
        assert_eq!(
            audience("https://test.salesforce.com", ""),
            "https://test.salesforce.com"
        );
        assert_eq!(
            audience("https://acme--uat.sandbox.my.salesforce.com", ""),
            "https://test.salesforce.com"
        );
        assert_eq!(
            audience("https://acme.my.salesforce.com", "https://acme.my.site.com"),
            "https://acme.my.site.com"
        );
    }
}
