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
        /// The order number (`number:X` or `id:N` when a number is also another order's id).
        order: Option<String>,
        /// Retry every parked order.
        #[arg(long, conflicts_with = "order")]
        all_parked: bool,
    },
    /// Preflight: config, store and migrations, token, the org's objects, fields, price book,
    /// evaluation values and mapped fields. Prints a checklist; exits non-zero on any ✗.
    Check,
    /// Record Salesforce records a rep entered by hand for ORDER: verify, adopt, move the order on.
    Link {
        /// The order number (`number:X` or `id:N` when a number is also another order's id).
        order: String,
        /// The Opportunity entered by hand (an 18- or 15-character id, 006…).
        #[arg(long)]
        opportunity: String,
        /// The Quote entered by hand (0Q0…), if any.
        #[arg(long)]
        quote: Option<String>,
        /// The Salesforce Order entered by hand (801…), if any.
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
    /// Compare Salesforce with the store for the orders order-sync sent and list each
    /// disagreement: exit 0 when everything agrees, 3 when something differs, 1 when it could
    /// not check. Changes nothing without --fix.
    Reconcile {
        /// Orders whose sync changed in the last N days (the default, 30).
        #[arg(long, conflicts_with_all = ["placed_since", "all"])]
        days: Option<u32>,
        /// Orders placed on or after this day (YYYY-MM-DD).
        #[arg(long, conflicts_with = "all")]
        placed_since: Option<chrono::NaiveDate>,
        /// Every order order-sync sent.
        #[arg(long)]
        all: bool,
        /// Mend what may be mended: send orders again as they are now, keep the ids Salesforce
        /// uses now. Duplicates and orphans are reported, never deleted.
        #[arg(long)]
        fix: bool,
        /// Print JSON instead of text, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Send orders order-sync sent before to Salesforce again as they are now, without moving
    /// their store status. Run again after a stop: it goes on, and sends no order twice.
    Resend {
        /// Order numbers (`number:X` or `id:N` when a number is also another order's id).
        orders: Vec<String>,
        /// Every sent order placed on or after this day (YYYY-MM-DD).
        #[arg(long, conflicts_with = "orders")]
        placed_since: Option<chrono::NaiveDate>,
        /// With --placed-since: only orders in this store status (repeat for several).
        #[arg(long = "status", requires = "placed_since")]
        statuses: Vec<String>,
    },
    /// Send orders placed before order-sync was installed (never sent) as they are now — a
    /// Completed order arrives as Closed Won — without touching the store. Resumable.
    Backfill {
        /// Orders placed on or after this day (YYYY-MM-DD).
        #[arg(long)]
        placed_since: chrono::NaiveDate,
    },
    /// Counts per store status and per sync state.
    Status {
        /// Print JSON instead of a table, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// An order's status history, Salesforce ids, sync attempts, last error and reissue links.
    Show {
        /// The order number (`number:X` or `id:N` when a number is also another order's id).
        order: String,
        /// Print JSON instead of text, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Orders in Order Placed past the threshold, or parked, with what to do about each.
    Stuck {
        /// Age after which an order in Order Placed counts as stuck (e.g. "10m"); default alerts.stuck_after.
        #[arg(long)]
        older_than: Option<humantime::Duration>,
        /// Print JSON instead of a table, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn every_command_and_flag_says_what_it_is_for() {
        let cli = super::Cli::command();
        let mut missing = Vec::new();
        for sub in cli
            .get_subcommands()
            .flat_map(|c| std::iter::once(c).chain(c.get_subcommands()))
        {
            if sub.get_about().is_none() {
                missing.push(sub.get_name().to_string());
            }
            for arg in sub.get_arguments() {
                let builtin = ["help", "version"].contains(&arg.get_id().as_str());
                if !builtin && arg.get_help().is_none() {
                    missing.push(format!("{} {}", sub.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help text: {missing:?}");
    }
}
