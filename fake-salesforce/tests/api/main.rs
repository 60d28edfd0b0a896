//! Wire-level tests of the fake against a real HTTP client, in one binary to keep links cheap.

mod auth;
mod common;
mod faults;
mod graph;
mod orders;
mod query;
mod schema;
mod sobjects;
