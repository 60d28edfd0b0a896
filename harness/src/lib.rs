//! Shared pieces of the chaos suite and the benchmark: throwaway databases, seeding, child
//! `order-sync run` processes, /proc readings, the repair driver, verification and tables.

pub mod bench;
pub mod bench_report;
pub mod change_timing;
pub mod chaos_report;
pub mod child;
pub mod db;
pub mod facts;
pub mod fleet;
pub mod repairs;
pub mod report;
pub mod seed;
pub mod verify;

pub use child::{ProcUsage, WorkerProc, WorkerSpec};
pub use db::{Backend, TestDb};
pub use facts::{BulkOrders, HistoryFact, OrderFact, StoreFacts};
pub use seed::{Catalog, Kind, Mix};
