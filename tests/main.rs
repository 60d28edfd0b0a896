//! The one integration-test binary: each module is one behaviour, read as sentences.
//! PostgreSQL variants run when ORDER_SYNC_TEST_POSTGRES_URL is set (CI sets it).

mod helpers;

mod alerts;
mod bad_answers;
mod bad_input;
mod change_clock;
mod check;
mod cli;
mod console;
mod console_browser;
mod console_drift;
mod console_refusals;
mod crash_safety;
mod currency;
mod daemon_process;
mod degradation;
mod failures;
mod field_mapping;
mod field_mapping_checks;
mod lifecycle;
mod monitoring;
mod operations;
mod order_activation;
mod push_routes;
mod reconcile;
mod reconcile_schedule;
mod repair_flow;
mod replicas_and_faults;
mod resend;
mod resend_queue;
mod salesforce_client;
mod security;
mod self_healing;
mod start_up;
mod store_adapter;
mod store_statuses;
mod under_attack;
