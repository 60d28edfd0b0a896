//! The binary as cron and a rep use it: overlapping `once` runs, exit codes, config errors.

use crate::helpers::{Backend, TestApp, on_both_backends};

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
on_both_backends!(two_overlapping_once_runs_send_every_order_exactly_once);

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

    assert_eq!(once.code, Some(3), "{}", once.output);
    assert!(
        stuck.output.contains("SKU GONE-1 has no active entry"),
        "{}",
        stuck.output
    );
    assert!(
        stuck.output.contains("order-sync retry ORDER"),
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
