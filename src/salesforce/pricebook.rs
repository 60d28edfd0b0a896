//! PricebookEntry ids per sku in the configured price book, cached and refreshed, so an order
//! costs no lookup once its products have been seen.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::client::{Inner, soql_list};
use super::error::SfError;
use super::wire::{is_salesforce_id, soql_literal};

pub struct PricebookCache {
    configured_id: String,
    refresh: Duration,
    pricebook: Mutex<Option<String>>,
    entries: Mutex<HashMap<String, (String, Instant)>>,
}

/// SOQL IN lists are kept short so the query URL stays well under 16 KB.
const SKUS_PER_QUERY: usize = 200;

impl PricebookCache {
    pub fn new(configured_id: &str, refresh: Duration) -> PricebookCache {
        PricebookCache {
            configured_id: configured_id.to_string(),
            refresh,
            pricebook: Mutex::new(None),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The price book's id: the configured one, or the org's standard price book.
    pub async fn pricebook_id(&self, sf: &Inner) -> Result<String, SfError> {
        let mut cached = self.pricebook.lock().await;
        if let Some(id) = cached.as_ref() {
            return Ok(id.clone());
        }
        let id = if self.configured_id.is_empty() {
            let rows = sf
                .query("SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1")
                .await?;
            let id = rows
                .first()
                .and_then(|r| r.get("Id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            id.ok_or_else(|| SfError::rejected(None, "the org has no standard price book"))?
        } else {
            self.configured_id.clone()
        };
        *cached = Some(id.clone());
        Ok(id)
    }

    /// The price book's id and the entry id of each of `skus` that has an active entry there
    /// (a sku left out has none: its order is rejected).
    pub async fn entries(
        &self,
        sf: &Inner,
        skus: &BTreeSet<String>,
    ) -> Result<(String, HashMap<String, String>), SfError> {
        let pricebook = self.pricebook_id(sf).await?;
        let mut cache = self.entries.lock().await;
        let stale: Vec<&String> = skus
            .iter()
            .filter(|s| {
                cache
                    .get(*s)
                    .is_none_or(|(_, at)| at.elapsed() > self.refresh)
            })
            .collect();
        for chunk in stale.chunks(SKUS_PER_QUERY) {
            let soql = format!(
                "SELECT Id, ProductCode FROM PricebookEntry WHERE Pricebook2Id = {} AND IsActive = true AND ProductCode IN ({})",
                soql_literal(&pricebook),
                soql_list(chunk.iter().copied())
            );
            let rows = sf.query(&soql).await?;
            let now = Instant::now();
            // Misses are not cached: a rep who adds the entry and retries must not wait a refresh.
            for row in rows {
                let id = row
                    .get("Id")
                    .and_then(Value::as_str)
                    .filter(|id| is_salesforce_id(id));
                let code = row.get("ProductCode").and_then(Value::as_str);
                if let (Some(id), Some(code)) = (id, code) {
                    cache.insert(code.to_string(), (id.to_string(), now));
                }
            }
        }
        let found = skus
            .iter()
            .filter_map(|s| cache.get(s).map(|(id, _)| (s.clone(), id.clone())))
            .collect();
        Ok((pricebook, found))
    }
}
