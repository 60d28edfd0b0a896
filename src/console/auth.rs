//! Who may read and act: HTTP Basic against an Argon2id password hash from config (never shown,
//! never logged), through the [`Gate`] that throttles guessing; and, for actions, same-origin
//! checks plus an anti-forgery token the console issued ([`Tokens`]) bound to a cookie, so another
//! site cannot make a rep's browser act.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::Console;
use super::csrf::Tokens;
use super::gate::Gate;
use super::respond::{Failure, Wants};
use crate::config::ConsoleSettings;

/// The anti-forgery cookie; its value is also a hidden field of every form.
const CSRF_COOKIE: &str = "order_sync_csrf";

/// The configured password hash, parsed once.
pub(crate) struct Credential {
    phc: Option<String>,
    public_url: String,
    /// `console.reps`: the names recorded as typed.
    reps: Vec<String>,
    gate: Gate,
    tokens: Tokens,
}

/// The signed-in rep as the history records them, and the anti-forgery token their forms carry
/// (bound to the user name they typed).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub rep: String,
    pub csrf: String,
}

impl Credential {
    pub fn from_settings(s: &ConsoleSettings) -> Credential {
        let phc = s.password_hash.expose_secret().trim().to_string();
        let phc = (!phc.is_empty()).then_some(phc);
        if let Some(p) = &phc
            && PasswordHash::new(p).is_err()
        {
            tracing::error!(
                "console.password_hash is not a PHC string: every console page is refused"
            );
        }
        Credential {
            tokens: Tokens::new(phc.as_deref().unwrap_or_default()),
            phc,
            public_url: s.public_url.trim().to_string(),
            reps: s.rep_names(),
            gate: Gate::new(),
        }
    }

    pub fn is_set(&self) -> bool {
        self.phc.is_some()
    }

    /// The rep's name when `authorization` carries the configured password; checked through the
    /// [`Gate`], so a flood of guesses waits its turn instead of filling memory with hashes.
    async fn verify(&self, authorization: Option<&HeaderValue>, client: IpAddr) -> Verdict {
        let Some(phc) = self.phc.clone() else {
            return Verdict::Wrong;
        };
        let Some(value) = authorization else {
            return Verdict::Wrong;
        };
        let Some((user, password)) = basic_credentials(value) else {
            return Verdict::Wrong;
        };
        let fp = self.gate.fingerprint(value.as_bytes());
        if let Some(user) = self.gate.remembered(&fp) {
            return Verdict::User(user);
        }
        let turn = match self.gate.turn(client) {
            Ok(turn) => turn,
            Err(wait) => return Verdict::Wait(wait),
        };
        // Argon2 is slow on purpose: keep it off the async threads.
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&phc).is_ok_and(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
        })
        .await
        .unwrap_or(false);
        if ok {
            let user = user.trim().to_string();
            self.gate.passed(fp, &user, client, turn);
            Verdict::User(user)
        } else {
            self.gate.failed(client, turn);
            Verdict::Wrong
        }
    }
}

/// What a request's credential is worth.
enum Verdict {
    /// The right password, with this user name (as typed: see [`rep_name`]).
    User(String),
    Wrong,
    /// Locked out after wrong passwords, or every check busy: come back after this long.
    Wait(Duration),
}

/// An Argon2id hash (PHC string) of `password`, for `console.password_hash`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    // 16 random bytes (a v4 UUID's come from the OS's generator): a salt need be unique, not secret.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| anyhow::anyhow!("could not make a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("could not hash the password: {e}"))
}

fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    use base64::Engine as _;
    let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// The user name as the history will show it: a configured rep's name, else "console".
fn rep_name(user: &str, reps: &[String]) -> String {
    let name = user.trim();
    match reps.iter().find(|r| r.as_str() == name) {
        Some(rep) => rep.clone(),
        None => "console".into(),
    }
}

/// Every console request: the credential, then for actions the same-origin checks; sets the
/// anti-forgery cookie when the browser has none, and headers that keep pages private.
pub(crate) async fn guard(State(c): State<Console>, mut req: Request, next: Next) -> Response {
    let wants = Wants::from_headers(req.headers());
    let (method, headers) = (req.method().clone(), req.headers().clone());
    // Served without an address (a bare router in a test): every such request is one client.
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let mut response = match admit(&c.credential, &method, &headers, client).await {
        Err(failure) => wants.failure(failure, None),
        Ok(user) => {
            // Only a token this console issued to this user name is kept; any other is replaced.
            let tokens = &c.credential.tokens;
            let existing = cookie(&headers, CSRF_COOKIE).filter(|t| tokens.is_valid(t, &user));
            let csrf = existing.clone().unwrap_or_else(|| tokens.issue(&user));
            req.extensions_mut().insert(Session {
                rep: rep_name(&user, &c.credential.reps),
                csrf: csrf.clone(),
            });
            let mut response = next.run(req).await;
            if existing.is_none() {
                let secure = if c.credential.public_url.starts_with("https://") {
                    "; Secure"
                } else {
                    ""
                };
                let cookie =
                    format!("{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict{secure}");
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            response
        }
    };
    private_headers(response.headers_mut());
    response
}

async fn admit(
    credential: &Credential,
    method: &Method,
    headers: &HeaderMap,
    client: IpAddr,
) -> Result<String, Failure> {
    if !credential.is_set() {
        return Err(Failure::NotConfigured);
    }
    let user = match credential
        .verify(headers.get(header::AUTHORIZATION), client)
        .await
    {
        Verdict::User(user) => user,
        Verdict::Wrong => return Err(Failure::Unauthorized),
        Verdict::Wait(wait) => return Err(Failure::Throttled(wait)),
    };
    if method != Method::GET && method != Method::HEAD {
        same_origin(headers, &credential.public_url).map_err(Failure::Forbidden)?;
    }
    Ok(user)
}

/// Refuses a request another site made: the browser's own Sec-Fetch-Site verdict, and the
/// Origin against `public_url` (or the Host asked for). Scripts send neither and pass here;
/// they then need JSON or the form's token.
fn same_origin(headers: &HeaderMap, public_url: &str) -> Result<(), String> {
    let refused = || {
        Err(
            "This request came from another site, so it was not carried out. Act from the \
             console's own pages."
                .to_string(),
        )
    };
    if let Some(site) = headers.get("sec-fetch-site")
        && site.as_bytes() != b"same-origin"
    {
        return refused();
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let Some(origin) = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()) else {
        return refused();
    };
    let matches = match url::Url::parse(public_url) {
        Ok(public) if !public_url.is_empty() => origin.origin() == public.origin(),
        _ => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let authority = match (origin.host_str(), origin.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                _ => String::new(),
            };
            host.is_some_and(|h| h.eq_ignore_ascii_case(&authority))
        }
    };
    if matches { Ok(()) } else { refused() }
}

/// Whether a form's token is the session's (compared in constant time).
pub(crate) fn token_matches(session: &Session, given: &str) -> bool {
    !given.is_empty() && bool::from(session.csrf.as_bytes().ct_eq(given.as_bytes()))
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// No caching of personal data, no framing (clickjacking), nothing loaded from elsewhere.
fn private_headers(h: &mut HeaderMap) {
    let set = [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ];
    for (name, value) in set {
        h.insert(name, HeaderValue::from_static(value));
    }
}
