//! A throwaway store: a fresh PostgreSQL database (dropped afterwards) or a SQLite file.

use anyhow::{Context, Result};
use order_sync::store::Store;

/// Where the default admin connection points when neither a flag nor the env var is given.
pub const DEFAULT_PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pub url: String,
    pub store: Store,
    /// (admin url, database name) of a database this harness created and must drop.
    owned_pg: Option<(String, String)>,
    owned_file: Option<std::path::PathBuf>,
}

impl TestDb {
    /// `--database-url` if given (used as is, not dropped); else a fresh database on
    /// `ORDER_SYNC_TEST_POSTGRES_URL` (or the local default), or a SQLite file when `sqlite`.
    pub async fn open(explicit: Option<&str>, sqlite: bool, tag: &str) -> Result<TestDb> {
        let (url, owned_pg, owned_file) = match explicit {
            Some(u) => (u.to_string(), None, None),
            None if sqlite => {
                let path = std::env::temp_dir()
                    .join(format!("order-sync-{tag}-{}.db", std::process::id()));
                (format!("sqlite://{}", path.display()), None, Some(path))
            }
            None => {
                let admin_url = std::env::var("ORDER_SYNC_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| DEFAULT_PG_ADMIN.into());
                let name = format!(
                    "order_sync_{tag}_{}_{}",
                    std::process::id(),
                    fastrand::u32(..)
                );
                let admin = Store::connect(&admin_url, 2)
                    .await
                    .with_context(|| format!("connecting to {admin_url}"))?;
                admin
                    .create_database(&name)
                    .await
                    .context("creating the test database")?;
                admin.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                (
                    format!("{base}/{name}"),
                    Some((admin_url.clone(), name)),
                    None,
                )
            }
        };
        let store = Store::connect(&url, 8)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        store
            .migrate()
            .await
            .context("migrating the test database")?;
        Ok(TestDb {
            url,
            store,
            owned_pg,
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
        if let Some((admin_url, name)) = self.owned_pg {
            let admin = Store::connect(&admin_url, 2)
                .await
                .context("reconnecting to drop the database")?;
            admin
                .drop_database(&name)
                .await
                .context("dropping the test database")?;
            admin.close().await;
        }
        if let Some(path) = self.owned_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Ok(())
    }
}
