//! order-sync: moves the ATS Online Store's orders into Salesforce and on to their next status.
//!
//! Map: `domain` (orders, the status machine, routing) · `store` (all SQL) · `salesforce`
//! (auth, client, graphs; wire types stay inside) · `sync` (the push loop, retry policy) ·
//! `console` (the service reps' web pages) · `daemon` + `startup` (`run`: serve first, then
//! connect) · `config` · `telemetry` · `cli` · `demo`.

pub mod app;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod daemon;
#[cfg(feature = "demo")]
pub mod demo;
pub mod domain;
pub mod error;
pub mod health;
pub mod http;
pub mod link;
pub mod metrics;
pub mod reconcile;
pub mod report;
pub mod resend;
pub mod salesforce;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;
