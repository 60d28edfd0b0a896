//! The command line: what each subcommand takes. Dispatch lives in `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "order-sync",
    version,
    about = "Moves the ATS Online Store's orders into Salesforce and on to their next status"
)]
pub struct Cli {
    /// Config file (TOML) layered over the defaults; environment variables ORDER_SYNC__… override both.
    #[arg(long, global = true, env = "ORDER_SYNC_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run as a daemon until SIGTERM/SIGINT: claim due orders, send them, move them on.
    Run,
    /// Process everything due once, then exit: 0 when every order moved, 3 when some were parked or left for retry.
    Once {
        /// After the run, write every metric plus the run's end time and exit code to this file
        /// (Prometheus text format, for node-exporter's textfile collector; written atomically).
        #[arg(long, value_name = "PATH")]
        metrics_file: Option<PathBuf>,
    },
    /// Create or update order-sync's own tables (order_sync_*) and exit. The store's tables are
    /// never touched, unless --with-store-tables asks for them.
    Migrate {
        /// Also create the store's tables as the default [store] mapping names them: for
        /// development, the demo and tests only; a real store has its own.
        #[arg(long)]
        with_store_tables: bool,
    },
    /// Show order-sync end to end on a throwaway SQLite store and an in-process fake Salesforce
    /// (only in builds with the `demo` feature, the default).
    Demo,
    /// Inspect orders: one order's story, or every stuck one.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Make a parked order due again (after fixing its cause), or every parked order.
    Retry {
        /// Order number or id.
        order: Option<String>,
        /// Retry every parked order.
        #[arg(long, conflicts_with = "order")]
        all_parked: bool,
    },
    /// Preflight: config, store and migrations, token, the org's objects, fields, price book and
    /// evaluation values. Prints a checklist; exits non-zero on any ✗.
    Check,
    /// Record Salesforce records a rep entered by hand for ORDER: verify, adopt, move the order on.
    Link {
        /// Order number or id.
        order: String,
        #[arg(long)]
        opportunity: String,
        #[arg(long)]
        quote: Option<String>,
        #[arg(long = "sf-order")]
        sf_order: Option<String>,
    },
    /// Serve the service reps' console on its own (`run` serves it too), for installations that
    /// run `once` from cron: on console.listen, else http.listen.
    Console {
        /// Read a password from standard input and print its hash for console.password_hash.
        #[arg(long)]
        hash_password: bool,
    },
    /// Counts per store status and per sync state.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// An order's status history, Salesforce ids, sync attempts, last error and reissue links.
    Show {
        /// Order number or id.
        order: String,
        #[arg(long)]
        json: bool,
    },
    /// Orders in Order Placed past the threshold, or parked, with what to do about each.
    Stuck {
        /// Age after which an order in Order Placed counts as stuck (e.g. "10m"); default alerts.stuck_after.
        #[arg(long)]
        older_than: Option<humantime::Duration>,
        #[arg(long)]
        json: bool,
    },
}
