//! How the HTTP endpoint holds against a hostile network: a connection cap, a deadline for a
//! request's headers (slow clients and idle keep-alives are cut off) and for its answer, and
//! only our own host names answered, so a page on another name that resolves here (DNS
//! rebinding) cannot read `/metrics` or act in the console.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::config::Settings;

/// Host names always answered, with any port: the machine itself.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// How long to wait before accepting again when accept fails (e.g. out of file descriptors).
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The endpoint's limits, from `http.*` and `console.public_url`.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
    /// The host reps' browsers ask for (`console.public_url`'s), lower case; None when unset.
    pub public_host: Option<String>,
}

impl Limits {
    pub fn from_settings(s: &Settings) -> Limits {
        let public_host = url::Url::parse(s.console.public_url.trim())
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_matches(['[', ']']).to_lowercase())
            });
        Limits {
            header_read_timeout: s.http.header_read_timeout,
            request_timeout: s.http.request_timeout,
            max_connections: s.http.max_connections.max(1),
            public_host,
        }
    }
}

/// Serves `app` on `listener` within `limits` until `cancel`; then lets open requests finish.
pub fn serve_on(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let app = app
        .layer(from_fn_with_state(limits.request_timeout, answer_in_time))
        .layer(from_fn_with_state(Arc::new(limits.clone()), own_hosts_only));
    tokio::spawn(accept(listener, app, limits, cancel))
}

/// Accepts while a connection slot is free; each connection is served on its own task.
async fn accept(listener: TcpListener, app: Router, limits: Limits, cancel: CancellationToken) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let connections = TaskTracker::new();
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = cancel.cancelled() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "http endpoint: accept failed");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            _ = cancel.cancelled() => break,
        };
        let (app, cancel) = (app.clone(), cancel.clone());
        let header_read = limits.header_read_timeout;
        connections.spawn(connection(stream, peer, app, header_read, cancel, slot));
    }
    connections.close();
    connections.wait().await;
}

/// One client's connection, HTTP/1.1; its slot is given back when it closes.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    header_read_timeout: Duration,
    cancel: CancellationToken,
    _slot: OwnedSemaphorePermit,
) {
    let app = app.map_request(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.map(axum::body::Body::new)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        _ = cancel.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, %peer, "http connection ended");
    }
}

/// 503 when the answer takes longer than `http.request_timeout`.
async fn answer_in_time(State(timeout): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the answer took too long; try again shortly\n",
        )
            .into_response(),
    }
}

/// 421 Misdirected Request for a host name that is not ours.
async fn own_hosts_only(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| is_ours(h, limits.public_host.as_deref())) {
        return next.run(req).await;
    }
    (
        StatusCode::MISDIRECTED_REQUEST,
        "this server answers only for its own host name (console.public_url) or localhost\n",
    )
        .into_response()
}

/// Whether `host` (a Host header: name or address, any port) names this server: the public
/// URL's host, a loopback name, or any IP address. A DNS-rebinding page reaches us under its
/// own name, never as an address, and probes and scrapers (Kubernetes, Prometheus) ask by the
/// pod's address.
fn is_ours(host: &str, public_host: Option<&str>) -> bool {
    let Ok(authority) = host.trim().parse::<axum::http::uri::Authority>() else {
        return false;
    };
    let name = authority
        .host()
        .trim_matches(['[', ']'])
        .trim_end_matches('.')
        .to_lowercase();
    name.parse::<IpAddr>().is_ok()
        || LOOPBACK_NAMES.contains(&name.as_str())
        || public_host.is_some_and(|p| p == name)
}

#[cfg(test)]
mod tests {
    use super::is_ours;

    #[test]
    fn our_own_names_and_addresses_are_answered_with_any_port() {
        for host in [
            "localhost:9464",
            "LOCALHOST.",
            "127.0.0.1",
            "[::1]:80",
            "10.1.2.3:9464",
        ] {
            assert!(is_ours(host, None), "{host}");
        }
        assert!(is_ours("orders.acme.com", Some("orders.acme.com")));
    }

    #[test]
    fn another_name_that_resolves_here_is_not_answered() {
        for host in [
            "evil.example",
            "evil.example:9464",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_ours(host, Some("orders.acme.com")), "{host}");
        }
    }
}
