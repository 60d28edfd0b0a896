//! The service reps' console over HTTP: who may read and act, cross-site requests, JSON for
//! scripts, and nothing secret in a page. (tests/console_browser.rs drives it in Chromium.)

use order_sync::console::{Console, router};
use order_sync::http::Limits;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, on_every_backend, serve_http};

pub(crate) const REP: &str = "ana";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// An Argon2id hash with small parameters, so debug-build tests stay quick (the server reads
/// the parameters from the hash; `order-sync console --hash-password` uses the defaults).
pub(crate) fn cheap_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(1024, 1, 1, None).expect("params");
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"order-sync-tests").expect("salt");
    argon
        .hash_password(password.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

/// The console for `app`'s store on a free loopback port; `hash` None: no credential configured.
pub(crate) async fn serve_console(app: &TestApp, hash: Option<&str>) -> String {
    let mut settings = app.settings.clone();
    settings.console.password_hash = SecretString::from(hash.unwrap_or("").to_string());
    let console = Console::new(app.store.clone(), app.salesforce.clone(), &settings);
    serve_http(router(console), Limits::from_settings(&settings)).await
}

/// A parked order: its product is missing from the price book. Returns (id, number).
pub(crate) async fn parked_order(app: &TestApp, customer: &str) -> (i64, String) {
    let missing = app
        .product(&format!("NEW-{customer}"), "standard", false)
        .await;
    let customer = app.customer(customer).await;
    let id = app.order(customer).line(missing, 2, "7.50").place().await;
    app.drain(&app.worker(), 5).await;
    let number = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .order_number;
    (id, number)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn json(url: &str) -> Value {
    let r = client()
        .get(url)
        .basic_auth(REP, Some(PASSWORD))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.json().await.unwrap()
}

/// The anti-forgery cookie a page sets; the page's forms carry the same value.
pub(crate) async fn form_token(base: &str, number: &str) -> String {
    let page = client()
        .get(format!("{base}/orders/{number}"))
        .basic_auth(REP, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie
        .strip_prefix("order_sync_csrf=")
        .and_then(|c| c.split(';').next())
        .expect("the anti-forgery cookie")
        .to_string();
    assert!(
        page.text().await.unwrap().contains(&token),
        "the form carries it"
    );
    token
}

async fn sync_state(app: &TestApp, id: i64) -> Option<String> {
    app.store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .sync_state
}

#[tokio::test]
async fn reading_and_acting_need_the_console_password() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (id, number) = parked_order(&app, "Okoye").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let c = client();

    // Signed in first: a wrong password locks its address out for a moment (tests/under_attack.rs).
    let signed_in = c
        .get(format!("{base}/"))
        .basic_auth(REP, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    let anonymous = c.get(format!("{base}/")).send().await.unwrap();
    let wrong = c
        .get(format!("{base}/orders/stuck"))
        .basic_auth(REP, Some("guess"))
        .send()
        .await
        .unwrap();
    let retry = c
        .post(format!("{base}/orders/{number}/retry"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();

    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(retry.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sync_state(&app, id).await.as_deref(), Some("parked"));
    assert_eq!(signed_in.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_console_without_a_configured_password_refuses_every_page() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let base = serve_console(&app, None).await;

    let page = client()
        .get(format!("{base}/"))
        .basic_auth(REP, Some(""))
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("console.password_hash"));
}

#[tokio::test]
async fn a_cross_site_or_tokenless_form_post_is_refused_and_the_order_stays_parked() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (id, number) = parked_order(&app, "Brandt").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;
    let token = form_token(&base, &number).await;
    let post = |headers: Vec<(&'static str, String)>, csrf: &str| {
        let mut r = client()
            .post(format!("{base}/orders/{number}/retry"))
            .basic_auth(REP, Some(PASSWORD))
            .header("Cookie", format!("order_sync_csrf={token}"))
            .form(&[("csrf", csrf)]);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        r.send()
    };

    let other_origin = post(vec![("Origin", "http://evil.example".into())], &token)
        .await
        .unwrap();
    let other_site = post(vec![("Sec-Fetch-Site", "cross-site".into())], &token)
        .await
        .unwrap();
    let no_token = post(vec![("Sec-Fetch-Site", "same-origin".into())], "")
        .await
        .unwrap();
    let parked_still = sync_state(&app, id).await;
    let own = post(
        vec![
            ("Origin", base.clone()),
            ("Sec-Fetch-Site", "same-origin".into()),
        ],
        &token,
    )
    .await
    .unwrap();

    assert_eq!(other_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(other_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(parked_still.as_deref(), Some("parked"));
    assert_eq!(
        own.status(),
        StatusCode::SEE_OTHER,
        "the page's own form works"
    );
    assert_eq!(sync_state(&app, id).await.as_deref(), Some("pending"));
}

async fn every_page_answers_json_for_scripts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Sato").await;
    app.order(customer).line(widget, 1, "5.00").place().await;
    let (id, number) = parked_order(&app, "Quispe").await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;

    let overview = json(&format!("{base}/")).await;
    let stuck = json(&format!("{base}/orders/stuck")).await;
    let story = json(&format!("{base}/orders/{number}")).await;
    let retried: Value = client()
        .post(format!("{base}/orders/{number}/retry"))
        .basic_auth(REP, Some(PASSWORD))
        .header("Accept", "application/json")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(overview["needing_attention"], 1);
    let hours = overview["sent_and_failed_per_hour"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[23]["sent"], 1, "this hour: one order sent");
    assert_eq!(hours[23]["failed"], 1, "and one failed attempt");
    assert_eq!(stuck[0]["order_number"], number.as_str());
    assert!(stuck[0]["action"].as_str().unwrap().contains(&number));
    assert_eq!(story["id"], id);
    assert_eq!(story["can_retry"], true);
    let entry = &story["hand_entry"];
    assert_eq!(entry["lines"][0]["quantity"], "2");
    assert_eq!(entry["lines"][0]["total"], "15.00");
    assert_eq!(retried["ok"], true);
    assert_eq!(sync_state(&app, id).await.as_deref(), Some("pending"));
}
on_every_backend!(every_page_answers_json_for_scripts);

#[tokio::test]
async fn no_page_shows_a_secret_or_the_database_url() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (_, number) = parked_order(&app, "Moreau").await;
    let hash = cheap_hash(PASSWORD);
    let base = serve_console(&app, Some(&hash)).await;

    let mut pages = String::new();
    for path in [
        "/".to_string(),
        "/orders/stuck".into(),
        format!("/orders/{number}"),
    ] {
        for accept in ["text/html", "application/json"] {
            let r = client()
                .get(format!("{base}{path}"))
                .basic_auth(REP, Some(PASSWORD))
                .header("Accept", accept)
                .send()
                .await
                .unwrap();
            pages.push_str(&r.text().await.unwrap());
        }
    }

    assert!(pages.contains(&number), "the pages were read");
    for secret in [
        app.settings.database.url.as_str(),
        "test-secret",
        hash.as_str(),
        PASSWORD,
    ] {
        assert!(!pages.contains(secret), "a page shows {secret:?}");
    }
}

#[tokio::test]
async fn an_order_number_with_a_slash_or_a_space_has_a_working_page() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let missing = app.product("NEW-9", "standard", false).await;
    let customer = app.customer("Ferreira").await;
    let id = app
        .order(customer)
        .edit(|o| o.order_number = "PO 12/7".into())
        .line(missing, 1, "1.00")
        .place()
        .await;
    app.drain(&app.worker(), 5).await;
    let base = serve_console(&app, Some(&cheap_hash(PASSWORD))).await;

    let stuck = client()
        .get(format!("{base}/orders/stuck"))
        .basic_auth(REP, Some(PASSWORD))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let story = json(&format!("{base}/orders/PO%2012%2F7")).await;

    assert!(stuck.contains("href=\"/orders/PO%2012%2F7\""), "{stuck}");
    assert_eq!(story["id"], id);
}
