//! Shared pieces of the chaos suite and the benchmark: throwaway databases, seeding, child
//! `order-sync run` processes, /proc readings, the repair and admin drivers, verification and
//! tables.

pub mod admin;
pub mod bench;
pub mod bench_report;
pub mod change_timing;
pub mod chaos_report;
pub mod child;
pub mod db;
pub mod drift;
pub mod facts;
pub mod fleet;
pub mod lifecycle_report;
pub mod phases;
pub mod reconcile_bench;
pub mod repairs;
pub mod report;
pub mod seed;
pub mod verdict;
pub mod verify;
pub mod verify_lifecycle;
pub mod verify_lines;

pub use child::{ProcUsage, WorkerProc, WorkerSpec};
pub use db::{Backend, TestDb};
pub use facts::{BulkOrders, HistoryFact, LineFact, OrderFact, StoreFacts};
pub use seed::{Catalog, Kind, Mix};
