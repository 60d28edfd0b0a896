//! The binary as cron and a rep use it: overlapping `once` runs, exit codes, config errors.

use crate::helpers::{Backend, TestApp, on_every_backend};

async fn two_overlapping_once_runs_send_every_order_exactly_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Cron").await;
    for _ in 0..30 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    let small_batches = [("ORDER_SYNC__SYNC__BATCH_SIZE", "4")];

    let (a, b) = tokio::join!(
        app.run_cli(&["once"], &small_batches),
        app.run_cli(&["once"], &small_batches)
    );

    assert_eq!(a.code, Some(0), "{}", a.output);
    assert_eq!(b.code, Some(0), "{}", b.output);
    assert_eq!(app.fake.count("Opportunity"), 30);
    assert_eq!(app.fake.count("Order"), 30);
    let counts = app.store.status_counts().await.unwrap();
    assert_eq!(counts.by_status, vec![("In Process".to_string(), 30)]);
}
on_every_backend!(two_overlapping_once_runs_send_every_order_exactly_once);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_exits_3_when_an_order_is_left_parked_and_the_rep_can_see_why() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let missing = app.product("GONE-1", "standard", false).await;
    let customer = app.customer("Parked").await;
    let id = app.order(customer).line(missing, 1, "1.00").place().await;

    let once = app.run_cli(&["once"], &[]).await;
    let stuck = app
        .run_cli(&["orders", "stuck", "--older-than", "0s"], &[])
        .await;
    let show = app.run_cli(&["orders", "show", &id.to_string()], &[]).await;
    let number = app
        .store
        .order_detail(id)
        .await
        .unwrap()
        .unwrap()
        .order_number;

    assert_eq!(once.code, Some(3), "{}", once.output);
    assert!(
        stuck.output.contains("SKU GONE-1 has no active entry"),
        "{}",
        stuck.output
    );
    assert!(
        stuck.output.contains(&format!("order-sync retry {number}")),
        "{}",
        stuck.output
    );
    assert!(show.output.contains("parked"), "{}", show.output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_config_value_stops_start_up_with_one_line_naming_the_key() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let run = app
        .run_cli(&["once"], &[("ORDER_SYNC__SYNC__POLL_INTERVAL", "fast")])
        .await;

    assert_eq!(run.code, Some(1));
    assert_eq!(run.output.trim().lines().count(), 1, "{}", run.output);
    assert!(run.output.contains("sync.poll_interval"), "{}", run.output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_exit_non_zero_with_one_clear_message() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let run = app
        .run_cli(
            &["once"],
            &[("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "wrong")],
        )
        .await;

    assert_eq!(run.code, Some(1));
    assert!(
        run.output
            .contains("Salesforce refused the credentials: invalid_client"),
        "{}",
        run.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_health_moves_orders_and_stops_cleanly_on_sigterm() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Daemon").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = app
        .cli_command(&["run"])
        .env("ORDER_SYNC__HTTP__ENABLED", "true")
        .env("ORDER_SYNC__SYNC__POLL_INTERVAL", "50ms")
        .env("ORDER_SYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start order-sync run");
    let base = format!("http://127.0.0.1:{port}");

    let id = app.order(customer).line(widget, 1, "1.00").place().await;
    let mut moved = false;
    for _ in 0..100 {
        if app.status_of(id).await == "In Process" {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .map(|r| r.status().as_u16());
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .expect("wait");

    assert!(moved, "the daemon moved the order");
    assert_eq!(ready.ok(), Some(200));
    assert!(
        metrics.contains("order_sync_orders_sent_total{route=\"in_process\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("order_sync_failures_total{class=\"fatal\"} 0"),
        "series are exported before their first event: {metrics}"
    );
    assert_eq!(status.code(), Some(0), "SIGTERM ends the daemon cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_never_create_a_database_file() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("order-sync.db");
    let url = format!("sqlite://{}", path.display());
    let env = [("ORDER_SYNC__DATABASE__URL", url.as_str())];

    for args in [
        &["status"][..],
        &["orders", "stuck"],
        &["orders", "show", "1"],
        &["retry", "1"],
    ] {
        let run = app.run_cli(args, &env).await;
        assert_ne!(run.code, Some(0), "{args:?}: {}", run.output);
        assert!(
            run.output.contains("does not exist"),
            "{args:?}: {}",
            run.output
        );
        assert!(!path.exists(), "{args:?} created {}", path.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_beside_the_stores_tables_touches_only_order_syncs_own() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Again").await;
    app.order(customer).line(widget, 1, "1.00").place().await;

    let again = app.run_cli(&["migrate"], &[]).await;
    let with_store = app.run_cli(&["migrate", "--with-store-tables"], &[]).await;
    let renamed = app
        .run_cli(
            &["migrate", "--with-store-tables"],
            &[("ORDER_SYNC__STORE__ORDERS__TABLE", "shop_order")],
        )
        .await;

    assert_eq!(again.code, Some(0), "{}", again.output);
    assert!(!again.output.contains("store tables"), "{}", again.output);
    assert_eq!(
        with_store.code,
        Some(0),
        "idempotent for development: {}",
        with_store.output
    );
    assert_eq!(renamed.code, Some(1), "{}", renamed.output);
    assert!(
        renamed.output.contains("default store tables only"),
        "{}",
        renamed.output
    );
    assert_eq!(
        app.store.status_counts().await.unwrap().by_status.len(),
        1,
        "the store's rows are still there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_with_a_syntax_error_is_named_without_echoing_its_lines() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("order-sync.toml");
    std::fs::write(
        &file,
        "[salesforce]\nclient_secret = \"s3cr3t-value\nusername = \"x\"\n",
    )
    .unwrap();

    let run = app
        .run_cli(&["status", "--config", file.to_str().unwrap()], &[])
        .await;

    assert_eq!(run.code, Some(1), "{}", run.output);
    assert!(run.output.contains("is not valid TOML"), "{}", run.output);
    assert!(
        run.output.contains("line 2"),
        "the place is named: {}",
        run.output
    );
    assert!(
        !run.output.contains("s3cr3t"),
        "a secret's line is not echoed: {}",
        run.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelled_setting_is_refused_once_with_the_nearest_key() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let run = app
        .run_cli(&["once"], &[("ORDER_SYNC__SYNC__BATCHSIZE", "10")])
        .await;

    assert_eq!(run.code, Some(1));
    assert_eq!(run.output.trim().lines().count(), 1, "{}", run.output);
    assert!(
        run.output.contains("did you mean sync.batch_size?"),
        "{}",
        run.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_version_the_org_does_not_serve_stops_start_up_before_any_order_is_parked() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Version").await;
    let id = app.order(customer).line(widget, 1, "1.00").place().await;

    let run = app
        .run_cli(
            &["once"],
            &[("ORDER_SYNC__SALESFORCE__API_VERSION", "v99.0")],
        )
        .await;

    assert_eq!(run.code, Some(1), "{}", run.output);
    assert!(
        run.output
            .contains("salesforce.api_version v99.0 is not served by this org"),
        "{}",
        run.output
    );
    assert!(
        app.store
            .order_detail(id)
            .await
            .unwrap()
            .unwrap()
            .sync_state
            .is_none(),
        "nothing was claimed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_says_it_failed_when_the_store_cannot_be_written() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("ReadOnly").await;
    app.order(customer).line(widget, 1, "1.00").place().await;
    let read_only = format!("{}?mode=ro", app.settings.database.url);

    let run = app
        .run_cli(
            &["once"],
            &[
                ("ORDER_SYNC__DATABASE__URL", &read_only),
                ("ORDER_SYNC__DATABASE__MIGRATE_ON_START", "false"),
            ],
        )
        .await;

    assert_eq!(run.code, Some(4), "{}", run.output);
    assert!(
        run.output
            .contains("the store could not be read or written"),
        "{}",
        run.output
    );
    assert_eq!(app.fake.count("Opportunity"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_port_fails_at_once_with_its_cause() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let https = app.fake.url().replace("http://", "https://");
    let started = std::time::Instant::now();

    let run = app
        .run_cli(&["once"], &[("ORDER_SYNC__SALESFORCE__LOGIN_URL", &https)])
        .await;

    assert_eq!(run.code, Some(1), "{}", run.output);
    assert!(
        run.output.contains("the TLS connection failed"),
        "{}",
        run.output
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "not minutes of retries: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_waiting_for_the_first_token_stops_cleanly() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    // A Salesforce that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let login = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let mut child = app
        .cli_command(&["run"])
        .env("ORDER_SYNC__SALESFORCE__LOGIN_URL", &login)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start order-sync run");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let started = std::time::Instant::now();
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .expect("wait");

    assert_eq!(
        status.code(),
        Some(0),
        "a stop during start-up exits 0, not by the signal"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_key_that_is_one_orders_number_and_anothers_id_is_refused_as_ambiguous() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let customer = app.customer("Ambiguous").await;
    let first = app.order(customer).status("Completed").place().await;
    let named = app
        .order(customer)
        .status("Completed")
        .edit(|o| o.order_number = first.to_string())
        .place()
        .await;
    let key = first.to_string();

    let plain = app.run_cli(&["orders", "show", &key], &[]).await;
    let by_number = app
        .run_cli(&["orders", "show", &format!("number:{key}"), "--json"], &[])
        .await;
    let by_id = app
        .run_cli(&["orders", "show", &format!("id:{key}"), "--json"], &[])
        .await;

    assert_eq!(plain.code, Some(1), "{}", plain.output);
    assert!(plain.output.contains("say number:"), "{}", plain.output);
    assert!(
        by_number.output.contains(&format!("\"id\": {named}")),
        "{}",
        by_number.output
    );
    assert!(
        by_id.output.contains(&format!("\"id\": {first}")),
        "{}",
        by_id.output
    );
}
