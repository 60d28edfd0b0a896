//! `order-sync link`: adopt Salesforce records a rep entered by hand, instead of creating duplicates.

use crate::config::Settings;

pub async fn run(_settings: Settings, _order: &str, _opportunity: &str, _quote: Option<&str>, _sf_order: Option<&str>) -> anyhow::Result<i32> {
    anyhow::bail!("link is being written")
}
