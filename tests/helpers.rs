//! Test helpers: a store per test (a SQLite file or a fresh PostgreSQL database), the fake
//! Salesforce, and order builders.

use std::collections::HashMap;

use chrono::Utc;
use fake_salesforce::FakeSalesforce;
use order_sync::app::worker_with;
use order_sync::config::Settings;
use order_sync::http::{Limits, serve_on};
use order_sync::salesforce::Salesforce;
use order_sync::store::sql::{Args, Stmt};
use order_sync::store::{
    ConnectOptions, HistoryRow, NewCustomer, NewLine, NewOrder, NewProduct, Store,
};
use order_sync::sync::{PassReport, Worker};

pub use harness::Backend;

/// Serves `app` on a free loopback port as `run` does, within `limits`; its base URL.
pub async fn serve_http(app: axum::Router, limits: Limits) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    serve_on(listener, app, limits, Default::default());
    format!("http://{addr}")
}

/// The HTTP endpoint's limits as shipped (config/default.toml).
pub fn shipped_limits() -> Limits {
    let defaults = Settings::load_with_env(None, Some(Default::default())).expect("defaults");
    Limits::from_settings(&defaults)
}

/// Runs an async test body once per backend: `on_every_backend!(body_fn);`. PostgreSQL and
/// MySQL/MariaDB runs are ignored (reported as such) unless their URL was set at build time.
macro_rules! on_every_backend {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(postgres_tests),
                ignore = "skipped: set ORDER_SYNC_TEST_POSTGRES_URL to run"
            )]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(mysql_tests),
                ignore = "skipped: set ORDER_SYNC_TEST_MYSQL_URL to run"
            )]
            async fn mysql() {
                super::$name($crate::helpers::Backend::Mysql).await
            }
        }
    };
}
pub(crate) use on_every_backend;

pub struct TestApp {
    pub store: Store,
    pub fake: FakeSalesforce,
    pub settings: Settings,
    pub salesforce: Salesforce,
    _db: DbGuard,
}

enum DbGuard {
    File(#[allow(dead_code)] tempfile::TempDir),
    Server { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Server { admin_url, name } = self {
            let (url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async: use a private runtime on a plain thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    let _ = harness::db::drop_database(&url, &name).await;
                });
            })
            .join();
        }
    }
}

pub fn test_env(fake_url: &str, db_url: &str) -> HashMap<String, String> {
    [
        ("ORDER_SYNC__DATABASE__URL", db_url),
        ("ORDER_SYNC__SALESFORCE__LOGIN_URL", fake_url),
        ("ORDER_SYNC__SALESFORCE__AUTH", "client_credentials"),
        ("ORDER_SYNC__SALESFORCE__CLIENT_ID", "test-client"),
        ("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "test-secret"),
        ("ORDER_SYNC__SALESFORCE__REQUEST_TIMEOUT", "3s"),
        ("ORDER_SYNC__SYNC__RETRY_MIN_DELAY", "1ms"),
        ("ORDER_SYNC__SYNC__RETRY_MAX_DELAY", "5ms"),
        ("ORDER_SYNC__SYNC__POLL_INTERVAL", "10ms"),
        ("ORDER_SYNC__SYNC__WORKER_ID", "test-worker"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A fresh, empty database of `backend`: a SQLite file, or a new database on the server.
async fn database(backend: Backend) -> (String, DbGuard) {
    let Some(admin_url) = backend.admin_url() else {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        return (url, DbGuard::File(dir));
    };
    let name = format!("order_sync_t_{}", uuid::Uuid::new_v4().simple());
    let url = harness::db::create_database(&admin_url, &name)
        .await
        .unwrap_or_else(|e| panic!("creating a {} test database: {e:#}", backend.name()));
    (url, DbGuard::Server { admin_url, name })
}

impl TestApp {
    /// A store with the default tables, migrated, and a running fake Salesforce.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: Backend, extra_env: &[(&str, &str)]) -> Option<TestApp> {
        Self::spawn_on(backend, extra_env, |store| async move {
            store.create_store_tables().await?;
            Ok(())
        })
        .await
    }

    /// As `spawn_with`, with `create_tables` creating the store's tables on the fresh database
    /// (as the store would have) before order-sync migrates.
    pub async fn spawn_on<F, Fut>(
        backend: Backend,
        extra_env: &[(&str, &str)],
        create_tables: F,
    ) -> Option<TestApp>
    where
        F: FnOnce(Store) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>>,
    {
        Self::spawn_configured(backend, None, extra_env, create_tables).await
    }

    /// As `spawn_on`, with the `[store]` mapping read from `config_file` (a path from the
    /// crate's root, e.g. one of README's worked examples under config/stores/).
    pub async fn spawn_configured<F, Fut>(
        backend: Backend,
        config_file: Option<&str>,
        extra_env: &[(&str, &str)],
        create_tables: F,
    ) -> Option<TestApp>
    where
        F: FnOnce(Store) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>>,
    {
        let (db_url, guard) = database(backend).await;
        let fake = FakeSalesforce::start().await;
        let mut env = test_env(&fake.url(), &db_url);
        for (k, v) in extra_env {
            env.insert(k.to_string(), v.to_string());
        }
        let file = config_file.map(|f| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f));
        let settings = Settings::load_with_env(file.as_deref(), Some(env)).expect("test settings");
        let options = ConnectOptions {
            max_connections: 5,
            create: true,
        };
        let store = Store::open(&db_url, &settings.store, options)
            .await
            .expect("connect store");
        create_tables(store.clone())
            .await
            .expect("create the store's tables");
        store.migrate().await.expect("migrate");
        let salesforce =
            Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)
                .expect("client");
        Some(TestApp {
            store,
            fake,
            settings,
            salesforce,
            _db: guard,
        })
    }

    pub fn worker(&self) -> Worker {
        worker_with(&self.settings, self.store.clone(), self.salesforce.clone())
    }

    /// A second worker process: its own id and its own Salesforce client (own token cache).
    pub fn another_worker(&self, id: &str) -> Worker {
        let sf = Salesforce::new(
            &self.settings.salesforce,
            self.settings.sync.max_graphs_per_request,
        )
        .expect("client");
        let mut w = worker_with(&self.settings, self.store.clone(), sf);
        w.worker_id = id.to_string();
        w
    }

    /// A product in the store, and (when `in_salesforce`) in the standard price book.
    pub async fn product(&self, sku: &str, kind: &str, in_salesforce: bool) -> i64 {
        if in_salesforce {
            self.fake.add_product(sku, sku, "10.00");
        }
        let p = NewProduct {
            sku: sku.into(),
            name: format!("Product {sku}"),
            kind: kind.into(),
            list_price: Some("10.00".into()),
        };
        self.store.insert_product(&p).await.expect("insert product")
    }

    pub async fn customer(&self, last_name: &str) -> i64 {
        let c = NewCustomer {
            email: Some(format!(
                "{}@example.com",
                last_name.to_lowercase().replace('\'', "")
            )),
            first_name: Some("Pat".into()),
            last_name: Some(last_name.into()),
            company: None,
            phone: None,
        };
        self.store
            .insert_customer(&c)
            .await
            .expect("insert customer")
    }

    pub fn order(&self, customer_id: i64) -> OrderBuilder<'_> {
        OrderBuilder {
            app: self,
            order: NewOrder {
                guest: None,
                order_number: format!("T-{}", uuid::Uuid::new_v4().simple()),
                customer_id: Some(customer_id),
                status: "Order Placed".into(),
                payment_method: Some("credit_card".into()),
                po_number: None,
                currency: Some("USD".into()),
                placed_at: Utc::now(),
                reissue_of: None,
                lines: Vec::new(),
            },
        }
    }

    pub async fn status_of(&self, order_id: i64) -> String {
        self.store
            .order_status(order_id)
            .await
            .expect("status")
            .expect("order exists")
    }

    pub async fn history(&self, order_id: i64) -> Vec<HistoryRow> {
        self.store.order_history(order_id).await.expect("history")
    }

    /// Runs passes until no order is claimable, waiting out short backoffs, up to `max_passes`.
    pub async fn drain(&self, worker: &Worker, max_passes: usize) -> PassReport {
        let mut total = PassReport::default();
        let mut idle = 0;
        for _ in 0..max_passes {
            let r = worker.run_pass().await.expect("no fatal error");
            if r.claimed == 0 {
                idle += 1;
                if idle > 5 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            } else {
                idle = 0;
            }
            total.absorb(r);
        }
        total
    }
}

pub struct OrderBuilder<'a> {
    app: &'a TestApp,
    pub order: NewOrder,
}

impl OrderBuilder<'_> {
    pub fn purchase_order(mut self, po: &str) -> Self {
        self.order.payment_method = Some("purchase_order".into());
        self.order.po_number = Some(po.into());
        self
    }

    pub fn status(mut self, status: &str) -> Self {
        self.order.status = status.into();
        self
    }

    pub fn line(mut self, product_id: i64, quantity: i64, unit_price: &str) -> Self {
        self.order.lines.push(NewLine {
            product_id: Some(product_id),
            sku: None,
            quantity: Some(quantity),
            unit_price: Some(unit_price.into()),
        });
        self
    }

    pub fn edit(mut self, f: impl FnOnce(&mut NewOrder)) -> Self {
        f(&mut self.order);
        self
    }

    pub async fn place(self) -> i64 {
        self.app
            .store
            .insert_order(&self.order)
            .await
            .expect("insert order")
    }
}

impl TestApp {
    pub fn repairer(&self, worker: &Worker) -> order_sync::sync::Repairer {
        order_sync::app::repairer_for(&self.settings, worker)
    }

    /// What a technician does in Salesforce when the evaluation is done.
    pub fn mark_evaluation_complete(&self, order_id: i64) {
        let opp = self
            .fake
            .find("Opportunity", "Store_Order_Id__c", &order_id.to_string());
        assert_eq!(opp.len(), 1, "one Opportunity for order {order_id}");
        self.fake.update_fields(
            "Opportunity",
            &opp[0].id,
            serde_json::json!({"Evaluation_Status__c": "Evaluation Complete"}),
        );
    }

    /// Prices every line of the order's quote and marks it accepted, as the customer's yes would.
    pub fn accept_quote(&self, order_id: i64, unit_price: Option<&str>) -> String {
        let quote = self
            .fake
            .find("Quote", "Store_Order_Id__c", &order_id.to_string());
        assert_eq!(quote.len(), 1, "one Quote for order {order_id}");
        let price = unit_price
            .map(|p| serde_json::json!(p.parse::<f64>().unwrap()))
            .unwrap_or(serde_json::Value::Null);
        for line in self.fake.find("QuoteLineItem", "QuoteId", &quote[0].id) {
            self.fake.update_fields(
                "QuoteLineItem",
                &line.id,
                serde_json::json!({"UnitPrice": price}),
            );
        }
        self.fake.update_fields(
            "Quote",
            &quote[0].id,
            serde_json::json!({"Status": "Accepted"}),
        );
        quote[0].id.clone()
    }
}

/// The output of an `order-sync` process.
pub struct CliRun {
    pub code: Option<i32>,
    pub output: String,
}

impl TestApp {
    /// The real binary, pointed at this test's store and fake Salesforce.
    pub fn cli_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_order-sync"));
        cmd.args(args)
            .env("ORDER_SYNC__DATABASE__URL", &self.settings.database.url)
            .env("ORDER_SYNC__SALESFORCE__LOGIN_URL", self.fake.url())
            .env("ORDER_SYNC__SALESFORCE__AUTH", "client_credentials")
            .env("ORDER_SYNC__SALESFORCE__CLIENT_ID", "test-client")
            .env("ORDER_SYNC__SALESFORCE__CLIENT_SECRET", "test-secret")
            .env("ORDER_SYNC__HTTP__ENABLED", "false");
        cmd
    }

    /// Runs the real binary to the end, off the runtime's threads (the fake must keep
    /// answering while we wait). `env` adds or overrides variables.
    pub async fn run_cli(&self, args: &[&str], env: &[(&str, &str)]) -> CliRun {
        let mut cmd = self.cli_command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("run order-sync");
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        CliRun {
            code: out.status.code(),
            output,
        }
    }
}

impl TestApp {
    /// Runs SQL as the store itself (or its DBA) would, `:name` parameters bound from `args`.
    pub async fn exec(&self, sql: &str, args: Args) -> u64 {
        let stmt = Stmt::render(self.store.db().dialect(), sql);
        self.store
            .db()
            .execute(&stmt, &args)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Reads rows as the store's own tools would.
    pub async fn rows<T: order_sync::store::db::AnyRow>(&self, sql: &str, args: Args) -> Vec<T> {
        let stmt = Stmt::render(self.store.db().dialect(), sql);
        self.store
            .db()
            .fetch_all(&stmt, &args)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The store's administrator moves an order (the store's admin page: status and updated_at).
    pub async fn admin_sets_status(&self, order_id: i64, status: &str) {
        let at = Utc::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
        let time = self.store.db().dialect().time_param(":at");
        let sql = format!("UPDATE orders SET status = :status, updated_at = {time} WHERE id = :id");
        let a = Args::new()
            .set("status", status)
            .set("at", at)
            .set("id", order_id);
        assert_eq!(self.exec(&sql, a).await, 1, "order {order_id} exists");
    }

    /// A field of the Salesforce record keyed by the store's order id.
    pub fn sf_field(&self, object: &str, order_id: i64, field: &str) -> Option<String> {
        let found = self
            .fake
            .find(object, "Store_Order_Id__c", &order_id.to_string());
        assert!(found.len() <= 1, "one {object} for order {order_id}");
        found
            .first()
            .and_then(|r| r.get(field))
            .and_then(|v| v.as_str().map(String::from))
    }

    /// One text value, as the store keeps it (cast to text).
    pub async fn text(&self, sql: &str, args: Args) -> Option<String> {
        let rows: Vec<(Option<String>,)> = self.rows(sql, args).await;
        rows.into_iter().next().and_then(|(v,)| v)
    }
}
