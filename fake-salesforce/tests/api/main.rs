//! Wire-level tests of the fake against a real HTTP client, in one binary to keep links cheap.

mod admin;
mod auth;
mod common;
mod composite;
mod deleted;
mod faults;
mod fixtures;
mod graph;
mod orders;
mod query;
mod schema;
mod sobjects;
mod subquery;
