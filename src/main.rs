//! Thin entry point: CLI → settings → telemetry → dispatch → exit code.

use clap::Parser;

use order_sync::cli::Cli;
use order_sync::config::{LogFormat, Settings};

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("order-sync: {e}");
            std::process::exit(1);
        }
    };
    order_sync::telemetry::init(&settings.log);
    let json_logs = settings.log.format == LogFormat::Json;
    let code = match order_sync::commands::dispatch(cli.command, settings).await {
        Ok(code) => code,
        Err(e) => {
            // Said once: as a log event where logs are read by machines, else as one line.
            if json_logs {
                tracing::error!("{e:#}");
            } else {
                eprintln!("order-sync: {e:#}");
            }
            1
        }
    };
    std::process::exit(code);
}
