//! Monitoring as an operator scrapes it: `once --metrics-file` writes a node-exporter textfile,
//! and every series README documents is there from start-up, with HELP text.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::helpers::{Backend, TestApp};

/// One sample line: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// A textfile parsed strictly: every line is a HELP, a TYPE or a well-formed sample whose family
/// has a TYPE line; anything else fails the test.
struct Textfile {
    samples: Vec<Sample>,
    help: HashSet<String>,
}

impl Textfile {
    fn read(path: &Path) -> Textfile {
        let text = std::fs::read_to_string(path).expect("the textfile exists");
        let (mut samples, mut help, mut types) = (Vec::new(), HashSet::new(), HashMap::new());
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, text) = rest.split_once(' ').expect("HELP name text");
                assert!(!text.trim().is_empty(), "empty HELP for {name}");
                help.insert(name.to_string());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                types.insert(name.to_string(), kind.to_string());
            } else {
                let sample = parse_sample(line);
                assert!(
                    types.contains_key(family(&sample.name)),
                    "no TYPE for {line}"
                );
                samples.push(sample);
            }
        }
        Textfile { samples, help }
    }

    /// The value of the one sample with this name and exactly these labels.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
            })
            .map(|s| s.value)
    }
}

fn family(sample_name: &str) -> &str {
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|suffix| sample_name.strip_suffix(suffix))
        .unwrap_or(sample_name)
}

fn is_metric_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line.rsplit_once(' ').expect("series value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
    };
    let (name, labels) = match series.split_once('{') {
        None => (series, Vec::new()),
        Some((name, rest)) => {
            let body = rest.strip_suffix('}').expect("closing brace");
            let labels = body
                .split(',')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("label=value");
                    assert!(is_metric_name(k), "bad label name in {line}");
                    let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
                    (k.to_string(), v.expect("quoted label value").to_string())
                })
                .collect();
            (name, labels)
        }
    };
    assert!(is_metric_name(name), "bad metric name in {line}");
    Sample {
        name: name.to_string(),
        labels,
        value,
    }
}

/// The series README's metrics table documents (`order_sync_name` or `order_sync_name{label}`).
fn documented_series() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let names: Vec<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `order_sync_"))
        .map(|rest| {
            let end = rest.find(['`', '{']).expect("closing backtick");
            format!("order_sync_{}", &rest[..end])
        })
        .collect();
    assert!(names.len() >= 20, "README's metrics table: {names:?}");
    names
}

/// `once --metrics-file` under the units' `UMask=0077`; checks the file is alone and readable.
async fn once_with_metrics_file(app: &TestApp, env: &[(&str, &str)]) -> (Option<i32>, Textfile) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("order_sync.prom");
    let once = app.cli_command(&["once", "--metrics-file", path.to_str().unwrap()]);
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask 077 && exec \"$0\" \"$@\""])
        .arg(once.get_program())
        .args(once.get_args());
    for (k, v) in once
        .get_envs()
        .chain(env.iter().map(|(k, v)| (k.as_ref(), Some(v.as_ref()))))
    {
        v.map(|v| cmd.env(k, v));
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run order-sync");
    let run = crate::helpers::CliRun {
        code: out.status.code(),
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec!["order_sync.prom"], "{}", run.output);
    let mode = std::os::unix::fs::PermissionsExt::mode(&path.metadata().unwrap().permissions());
    assert_eq!(mode & 0o777, 0o644, "readable by node-exporter");
    (run.code, Textfile::read(&path))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_writes_a_textfile_holding_the_orders_it_sent_and_how_it_ended() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let widget = app.product("WIDGET-1", "standard", true).await;
    let customer = app.customer("Textfile").await;
    for _ in 0..2 {
        app.order(customer).line(widget, 1, "1.00").place().await;
    }
    app.order(customer)
        .purchase_order("PO-9")
        .line(widget, 1, "1.00")
        .place()
        .await;
    let before = chrono::Utc::now().timestamp() as f64;

    let (code, file) = once_with_metrics_file(&app, &[]).await;

    assert_eq!(code, Some(0));
    let sent = |route| file.value("order_sync_orders_sent_total", &[("route", route)]);
    assert_eq!(sent("in_process"), Some(2.0));
    assert_eq!(sent("awaiting_payment"), Some(1.0));
    assert_eq!(sent("awaiting_evaluation"), Some(0.0));
    assert_eq!(file.value("order_sync_last_run_exit_code", &[]), Some(0.0));
    let ended = file.value("order_sync_last_run_timestamp_seconds", &[]);
    assert!(
        ended.is_some_and(|t| t >= before && t < before + 120.0),
        "{ended:?}"
    );
    let last_success = file.value("order_sync_salesforce_last_success_timestamp_seconds", &[]);
    assert!(
        last_success.is_some_and(|t| t >= before),
        "{last_success:?}"
    );
    assert_eq!(file.value("order_sync_salesforce_up", &[]), Some(1.0));
    let (used, max) = app.fake.api_usage();
    assert_eq!(
        file.value("order_sync_api_usage_used", &[]),
        Some(used as f64)
    );
    assert_eq!(
        file.value("order_sync_api_usage_limit", &[]),
        Some(max as f64)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_series_is_exported_from_start_up_with_help_text() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let (code, file) = once_with_metrics_file(&app, &[]).await;

    assert_eq!(code, Some(0));
    for name in documented_series() {
        assert!(file.help.contains(&name), "no HELP for {name}");
        assert!(
            file.samples.iter().any(|s| family(&s.name) == name),
            "{name} is not exported before its first event"
        );
    }
    for class in ["transient", "rejected", "fatal"] {
        let failures = file.value("order_sync_failures_total", &[("class", class)]);
        assert_eq!(failures, Some(0.0), "{class}");
    }
    assert_eq!(
        file.value("order_sync_commit_seconds_count", &[]),
        Some(0.0)
    );
    let version = env!("CARGO_PKG_VERSION");
    let build = file.value("order_sync_build_info", &[("version", version)]);
    assert_eq!(build, Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_once_run_that_fails_still_writes_its_exit_code() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");

    let (code, file) =
        once_with_metrics_file(&app, &[("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "wrong")]).await;

    assert_eq!(code, Some(1));
    assert_eq!(file.value("order_sync_last_run_exit_code", &[]), Some(1.0));
    assert_eq!(file.value("order_sync_salesforce_up", &[]), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_order_shows_in_the_textfile_as_stuck_with_exit_code_3() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let missing = app.product("GONE-3", "standard", false).await;
    let customer = app.customer("Parked").await;
    app.order(customer).line(missing, 1, "1.00").place().await;

    let (code, file) = once_with_metrics_file(&app, &[]).await;

    assert_eq!(code, Some(3));
    assert_eq!(file.value("order_sync_last_run_exit_code", &[]), Some(3.0));
    assert_eq!(file.value("order_sync_stuck_orders", &[]), Some(1.0));
    let age = file.value("order_sync_oldest_order_placed_age_seconds", &[]);
    assert!(age.is_some_and(|a| a > 0.0), "{age:?}");
    let rejected = file.value("order_sync_failures_total", &[("class", "rejected")]);
    assert_eq!(rejected, Some(1.0));
}
