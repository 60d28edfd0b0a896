//! Where the console is served: beside `run`'s ops endpoint or on its own address, and alone by
//! `order-sync console`; and the password hash for its config.

use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Console, hash_password, router};
use crate::app::{Access, open_store};
use crate::config::Settings;
use crate::salesforce::Salesforce;
use crate::store::Store;

/// The shortest password `--hash-password` accepts, in characters.
const MIN_PASSWORD_CHARS: usize = 12;

/// The console for `run`: a router to mount on `http.listen`, or (with `console.listen`) its own
/// server already listening. Nothing when `console.enabled` is off.
pub async fn for_run(
    settings: &Settings,
    store: Store,
    salesforce: Salesforce,
    cancel: CancellationToken,
) -> anyhow::Result<(Option<Router>, Option<JoinHandle<()>>)> {
    if !settings.console.enabled {
        return Ok((None, None));
    }
    let console = Console::new(store, salesforce, settings);
    if !console.has_credential() {
        tracing::warn!(
            "the console is enabled without console.password_hash: every console page is refused"
        );
    }
    match settings.console.own_listen()? {
        Some(addr) => {
            let limits = crate::http::Limits::from_settings(settings);
            let app = router(console);
            let server = crate::http::serve_app(addr, app, "the console", limits, cancel);
            Ok((None, Some(server.await?)))
        }
        None if settings.http.enabled => Ok((Some(router(console)), None)),
        None => {
            tracing::warn!("http.enabled is false: set console.listen to serve the console");
            Ok((None, None))
        }
    }
}

/// `order-sync console`: the console alone, until SIGTERM/SIGINT.
pub async fn run(settings: Settings, hash: bool) -> anyhow::Result<i32> {
    if hash {
        return print_password_hash();
    }
    let store = open_store(&settings, Access::Existing).await?;
    let salesforce = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)?;
    let console = Console::new(store, salesforce, &settings);
    if !console.has_credential() {
        anyhow::bail!(
            "console.password_hash is not set: make one with `order-sync console --hash-password` \
             and set ORDER_SYNC__CONSOLE__PASSWORD_HASH"
        );
    }
    let addr = settings
        .console
        .own_listen()?
        .unwrap_or(settings.http.listen);
    let cancel = CancellationToken::new();
    tokio::spawn(crate::commands::cancel_on_signal(cancel.clone()));
    let limits = crate::http::Limits::from_settings(&settings);
    crate::http::serve_app(addr, router(console), "the console", limits, cancel)
        .await?
        .await?;
    Ok(0)
}

/// Reads one line (the password) from standard input and prints its Argon2id hash.
fn print_password_hash() -> anyhow::Result<i32> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        anyhow::bail!(
            "give the password on standard input, e.g. \
             `read -rs P && printf '%s\\n' \"$P\" | order-sync console --hash-password`"
        );
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters: the console answers \
             anyone who can reach it, so choose a longer one (a few words make a good one)"
        );
    }
    println!("{}", hash_password(password)?);
    Ok(0)
}
