//! A throwaway store: a fresh PostgreSQL or MySQL/MariaDB database (dropped afterwards) or a
//! SQLite file, with the default store tables and order-sync's own.

use anyhow::{Context, Result};
use order_sync::config::Settings;
use order_sync::store::{ConnectOptions, Store};

use crate::facts::database_ddl;

/// Where the admin connections point when the environment does not say.
pub const DEFAULT_PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const DEFAULT_MYSQL_ADMIN: &str = "mysql://root@127.0.0.1:3306/mysql";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Postgres,
    Sqlite,
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
            Backend::Mysql => "mysql",
        }
    }

    /// The admin URL: ORDER_SYNC_TEST_POSTGRES_URL / ORDER_SYNC_TEST_MYSQL_URL, or the local default.
    pub fn admin_url(self) -> Option<String> {
        let (var, default) = match self {
            Backend::Postgres => ("ORDER_SYNC_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN),
            Backend::Mysql => ("ORDER_SYNC_TEST_MYSQL_URL", DEFAULT_MYSQL_ADMIN),
            Backend::Sqlite => return None,
        };
        Some(std::env::var(var).unwrap_or_else(|_| default.into()))
    }
}

/// The default settings (no file, no environment): the default `[store]` mapping.
pub fn default_settings() -> Settings {
    Settings::load_with_env(None, Some(Default::default())).expect("the defaults load")
}

/// Connects to `url` with the default store mapping.
pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
    let options = ConnectOptions {
        max_connections,
        create: true,
    };
    Store::open(url, &default_settings().store, options)
        .await
        .with_context(|| format!("connecting to {url}"))
}

/// A fresh database `name` on the server `admin_url` points at; returns its URL.
pub async fn create_database(admin_url: &str, name: &str) -> Result<String> {
    let admin = connect(admin_url, 2).await?;
    database_ddl(&admin, name, true)
        .await
        .context("creating the test database")?;
    admin.close().await;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

pub async fn drop_database(admin_url: &str, name: &str) -> Result<()> {
    let admin = connect(admin_url, 2).await?;
    database_ddl(&admin, name, false)
        .await
        .context("dropping the test database")?;
    admin.close().await;
    Ok(())
}

pub struct TestDb {
    pub url: String,
    pub store: Store,
    pub backend: Backend,
    /// (admin url, database name) of a database this harness created and must drop.
    owned_db: Option<(String, String)>,
    owned_file: Option<std::path::PathBuf>,
}

impl TestDb {
    /// `--database-url` if given (used as is, not dropped); else a fresh database of `backend`.
    pub async fn open(explicit: Option<&str>, backend: Backend, tag: &str) -> Result<TestDb> {
        let (url, owned_db, owned_file) = match (explicit, backend.admin_url()) {
            (Some(u), _) => (u.to_string(), None, None),
            (None, None) => {
                let path = std::env::temp_dir()
                    .join(format!("order-sync-{tag}-{}.db", std::process::id()));
                (format!("sqlite://{}", path.display()), None, Some(path))
            }
            (None, Some(admin_url)) => {
                let name = format!(
                    "order_sync_{tag}_{}_{}",
                    std::process::id(),
                    fastrand::u32(..)
                );
                let url = create_database(&admin_url, &name).await?;
                (url, Some((admin_url, name)), None)
            }
        };
        let store = connect(&url, 8).await?;
        store
            .create_store_tables()
            .await
            .context("creating the store tables")?;
        store
            .migrate()
            .await
            .context("migrating the test database")?;
        Ok(TestDb {
            url,
            store,
            backend,
            owned_db,
            owned_file,
        })
    }

    /// Closes the pool and drops what this harness created (`keep` leaves it for a post-mortem).
    pub async fn cleanup(self, keep: bool) -> Result<()> {
        self.store.close().await;
        if keep {
            eprintln!("kept database {}", self.url);
            return Ok(());
        }
        if let Some((admin_url, name)) = self.owned_db {
            drop_database(&admin_url, &name).await?;
        }
        if let Some(path) = self.owned_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Ok(())
    }
}
