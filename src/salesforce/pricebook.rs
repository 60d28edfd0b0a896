//! PricebookEntry ids per (sku, currency) in the configured price book, cached and refreshed,
//! so an order costs no lookup once its products have been seen. A multi-currency org keeps one
//! entry per currency; a single-currency org's entries are all in its own currency.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::client::{Inner, soql_list};
use super::currency::OrgCurrencies;
use super::error::SfError;
use super::wire::{is_salesforce_id, soql_literal};
use crate::domain::Order;

/// (sku, ISO currency code): what a price-book entry is found by.
pub type EntryKey = (String, String);

pub struct PricebookCache {
    configured_id: String,
    refresh: Duration,
    pricebook: Mutex<Option<String>>,
    entries: Mutex<HashMap<EntryKey, (String, Instant)>>,
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

    /// The price book's id and the entry id of each of `wanted` that has an active entry there
    /// (a key left out has none: its order is rejected).
    pub async fn entries(
        &self,
        sf: &Inner,
        wanted: &BTreeSet<EntryKey>,
        org: &OrgCurrencies,
    ) -> Result<(String, HashMap<EntryKey, String>), SfError> {
        let pricebook = self.pricebook_id(sf).await?;
        let mut cache = self.entries.lock().await;
        let stale: Vec<&EntryKey> = wanted
            .iter()
            .filter(|k| {
                cache
                    .get(*k)
                    .is_none_or(|(_, at)| at.elapsed() > self.refresh)
            })
            .collect();
        for chunk in stale.chunks(SKUS_PER_QUERY) {
            let rows = sf.query(&entries_soql(&pricebook, chunk, org)).await?;
            let now = Instant::now();
            // Misses are not cached: a rep who adds the entry and retries must not wait a refresh.
            for row in rows {
                let text = |f: &str| row.get(f).and_then(Value::as_str);
                let id = text("Id").filter(|id| is_salesforce_id(id));
                let currency = if org.multi {
                    text("CurrencyIsoCode")
                } else {
                    Some(org.corporate.as_str())
                };
                if let (Some(id), Some(code), Some(currency)) = (id, text("ProductCode"), currency)
                {
                    let key = (code.to_string(), currency.to_string());
                    cache.insert(key, (id.to_string(), now));
                }
            }
        }
        let found = wanted
            .iter()
            .filter_map(|k| cache.get(k).map(|(id, _)| (k.clone(), id.clone())))
            .collect();
        Ok((pricebook, found))
    }
}

impl PricebookCache {
    /// Looks the price book and the entries of `wanted` up again, dropping what was cached;
    /// true when an id changed (a sandbox refresh replaces them all), so a refusal naming a dead
    /// reference was the cache's, not the order's.
    pub async fn reload(
        &self,
        sf: &Inner,
        wanted: &BTreeSet<EntryKey>,
        org: &OrgCurrencies,
    ) -> Result<(bool, (String, HashMap<EntryKey, String>)), SfError> {
        let before = {
            let entries = self.entries.lock().await;
            let ids: Vec<Option<String>> = wanted
                .iter()
                .map(|k| entries.get(k).map(|(id, _)| id.clone()))
                .collect();
            (self.pricebook.lock().await.clone(), ids)
        };
        *self.pricebook.lock().await = None;
        self.entries.lock().await.retain(|k, _| !wanted.contains(k));
        let (pricebook, found) = self.entries(sf, wanted, org).await?;
        let after: Vec<Option<String>> = wanted.iter().map(|k| found.get(k).cloned()).collect();
        let changed = before.0.is_some_and(|p| p != pricebook) || before.1 != after;
        Ok((changed, (pricebook, found)))
    }
}

/// One query for a chunk of keys: its skus, and in a multi-currency org its currencies.
fn entries_soql(pricebook: &str, chunk: &[&EntryKey], org: &OrgCurrencies) -> String {
    let skus: BTreeSet<&String> = chunk.iter().map(|(sku, _)| sku).collect();
    let mut soql = format!(
        "SELECT Id, ProductCode{} FROM PricebookEntry WHERE Pricebook2Id = {} AND IsActive = true AND ProductCode IN ({})",
        if org.multi { ", CurrencyIsoCode" } else { "" },
        soql_literal(pricebook),
        soql_list(skus)
    );
    if org.multi {
        let currencies: BTreeSet<&String> = chunk.iter().map(|(_, c)| c).collect();
        soql.push_str(&format!(
            " AND CurrencyIsoCode IN ({})",
            soql_list(currencies)
        ));
    }
    soql
}

/// Why `order` can't be booked: a currency the org does not keep, or a line with no entry.
pub fn refusal(
    org: &OrgCurrencies,
    pricebook_id: &str,
    entries: &HashMap<EntryKey, String>,
    order: &Order,
) -> Option<SfError> {
    if let Some(e) = org.refusal(order) {
        return Some(e);
    }
    let currency = org.of(order);
    let line = order
        .lines
        .iter()
        .find(|l| !entries.contains_key(&(l.sku.clone(), currency.to_string())))?;
    let message = if org.multi {
        format!(
            "SKU {} has no active {currency} entry in price book {pricebook_id} (the order is in {currency}); \
             add a {currency} price for it in Salesforce, then retry",
            line.sku
        )
    } else {
        format!(
            "SKU {} has no active entry in price book {pricebook_id}; add it in Salesforce, then retry",
            line.sku
        )
    };
    Some(SfError::rejected(Some("NO_PRICEBOOK_ENTRY"), message))
}
