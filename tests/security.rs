//! Security: no secret or token in any log line of a full run, https only, no credentials shipped.

use order_sync::config::Settings;
use order_sync::error::ErrorClass;
use order_sync::salesforce::Salesforce;

use crate::helpers::{Backend, TestApp};

const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/jwt-test-key.pem"
);
const SECRET: &str = "s3cr3t-that-must-never-be-logged";

/// Runs `order-sync once` at trace level with the given auth flow.
async fn run_once(app: &TestApp, flow: &str) -> (bool, String) {
    let run = app
        .run_cli(
            &["once"],
            &[
                ("ORDER_SYNC__SALESFORCE__AUTH", flow),
                ("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", SECRET),
                (
                    "ORDER_SYNC__SALESFORCE__USERNAME",
                    "integration@example.com",
                ),
                ("ORDER_SYNC__SALESFORCE__PRIVATE_KEY_PATH", KEY),
                ("RUST_LOG", "trace"),
            ],
        )
        .await;
    (run.code == Some(0), run.output)
}

fn assert_no_secrets(log: &str) {
    let key = std::fs::read_to_string(KEY).expect("key");
    let key_body = key.lines().nth(3).expect("a line of the key body");
    assert!(!log.contains(SECRET), "the client secret was logged");
    assert!(
        !log.contains(key_body) && !log.contains("PRIVATE KEY"),
        "the private key was logged"
    );
    assert!(
        !log.contains("00D000000000001!"),
        "an access token was logged"
    );
    assert!(!log.contains("assertion="), "the signed JWT was logged");
}

#[tokio::test]
async fn no_secret_key_or_token_appears_in_the_logs_of_a_full_run() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    app.fake.with_client_credentials("test-client", SECRET);
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Secretary").await;
    for _ in 0..3 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    set_mode(KEY, 0o644); // as a careless deploy would leave it

    let (jwt_ok, jwt_log) = run_once(&app, "jwt").await;
    app.order(customer).line(widget, 1, "1.00").place().await;
    app.fake.expire_tokens();
    let (cc_ok, cc_log) = run_once(&app, "client_credentials").await;

    assert!(jwt_ok, "{jwt_log}");
    assert!(cc_ok, "{cc_log}");
    assert!(
        jwt_log.contains("moved to In Process"),
        "the run did real work: {jwt_log}"
    );
    assert!(jwt_log.lines().count() > 20, "trace logging was on");
    assert_no_secrets(&jwt_log);
    assert_no_secrets(&cc_log);
    assert!(
        jwt_log.contains("readable by group or others"),
        "a world-readable key is warned about"
    );
}

fn set_mode(path: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn secrets_are_redacted_from_debug_output_of_the_settings() {
    let env = [(
        "ORDER_SYNC__SALESFORCE__CLIENT_SECRET".to_string(),
        SECRET.to_string(),
    )]
    .into_iter()
    .collect();
    let settings = Settings::load_with_env(None, Some(env)).expect("settings");

    assert!(!format!("{settings:?}").contains(SECRET));
}

#[test]
fn the_shipped_defaults_hold_no_credentials() {
    let settings = Settings::load_with_env(None, Some(Default::default())).expect("defaults");
    let sf = &settings.salesforce;

    assert!(sf.client_id.is_empty() && sf.username.is_empty() && sf.private_key_path.is_empty());
    assert!(secrecy::ExposeSecret::expose_secret(&sf.client_secret).is_empty());
    assert!(sf.login_url.starts_with("https://"));
}

#[test]
fn plain_http_to_salesforce_is_refused_except_on_loopback() {
    let env = [
        (
            "ORDER_SYNC__SALESFORCE__LOGIN_URL".to_string(),
            "http://login.salesforce.com".to_string(),
        ),
        (
            "ORDER_SYNC__SALESFORCE__AUTH".to_string(),
            "client_credentials".to_string(),
        ),
    ]
    .into_iter()
    .collect();
    let settings = Settings::load_with_env(None, Some(env)).expect("settings");

    let refused = Salesforce::new(&settings.salesforce, 25)
        .err()
        .expect("refused");

    assert_eq!(refused.class, ErrorClass::Fatal);
    assert!(refused.message.contains("must use https"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_messages_that_echo_field_values_stay_out_of_the_log() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Echo").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    app.fake.add_validation_rule(
        "Opportunity",
        "StageName",
        "Closed Won",
        "Contact echo@example.com may not buy this week",
    );

    let run = app.run_cli(&["once"], &[]).await;

    assert_eq!(run.code, Some(3), "{}", run.output);
    assert!(
        run.output.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        "the code is logged: {}",
        run.output
    );
    assert!(
        !run.output.contains("echo@example.com"),
        "the value is not: {}",
        run.output
    );
    let kept = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .last_error
        .unwrap_or_default();
    assert!(
        kept.contains("echo@example.com"),
        "the rep still sees Salesforce's words: {kept}"
    );
}
