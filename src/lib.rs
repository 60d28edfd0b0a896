//! order-sync
