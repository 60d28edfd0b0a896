//! `order-sync check`: a preflight checklist of everything the org and the store must have.

use crate::config::Settings;

pub async fn run(_settings: Settings) -> anyhow::Result<i32> {
    anyhow::bail!("check is being written")
}
