//! The org's currencies, learned once: whether it keeps several (records then carry
//! CurrencyIsoCode and price-book entries are per currency) and its own (corporate) currency.
//! Multi-currency orgs answer `SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true`
//! (CurrencyType exists only there); single-currency orgs name theirs in
//! `SELECT DefaultCurrencyIsoCode FROM Organization`.

use serde_json::Value;
use tokio::sync::Mutex;

use super::client::Inner;
use super::error::SfError;
use crate::config::MultiCurrency;
use crate::domain::Order;
use crate::error::ErrorClass;

/// What the org says about currencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCurrencies {
    /// Multiple currencies are on: CurrencyIsoCode is written and entries are per currency.
    pub multi: bool,
    /// The corporate currency (the only one in a single-currency org).
    pub corporate: String,
}

impl OrgCurrencies {
    /// The currency an order is booked in: its own, or the org's when the store keeps none.
    pub fn of<'a>(&'a self, order: &'a Order) -> &'a str {
        order.currency.as_deref().unwrap_or(&self.corporate)
    }

    /// Why the org can't book `order`: a single-currency org books one currency only.
    pub fn refusal(&self, order: &Order) -> Option<SfError> {
        let currency = self.of(order);
        (!self.multi && currency != self.corporate).then(|| {
            SfError::rejected(
                None,
                format!(
                    "the order is in {currency} but this Salesforce org keeps a single currency, {}; \
                     turn on multiple currencies with {currency} active (and price-book entries in it), then retry",
                    self.corporate
                ),
            )
        })
    }
}

/// The org's currencies, asked once per process.
pub struct CurrencyCache {
    setting: MultiCurrency,
    known: Mutex<Option<OrgCurrencies>>,
}

impl CurrencyCache {
    pub fn new(setting: MultiCurrency) -> CurrencyCache {
        CurrencyCache {
            setting,
            known: Mutex::new(None),
        }
    }

    /// The org's currencies: from the cache, or asked (one or two calls) the first time.
    /// A refused lookup is fatal: no order could be booked safely without the answer.
    pub async fn get(&self, sf: &Inner) -> Result<OrgCurrencies, SfError> {
        let mut known = self.known.lock().await;
        if let Some(k) = known.as_ref() {
            return Ok(k.clone());
        }
        let found = self.ask(sf).await.map_err(|e| match e.class {
            ErrorClass::Rejected => SfError::fatal(
                e.code.as_deref(),
                format!(
                    "the org's currencies could not be read ({}); check salesforce.multi_currency",
                    e.message
                ),
            ),
            _ => e,
        })?;
        *known = Some(found.clone());
        Ok(found)
    }

    async fn ask(&self, sf: &Inner) -> Result<OrgCurrencies, SfError> {
        let multi = match self.setting {
            MultiCurrency::On => true,
            MultiCurrency::Off => false,
            MultiCurrency::Auto => super::describe::describe_object(sf, "Opportunity")
                .await?
                .field("CurrencyIsoCode")
                .is_some(),
        };
        let (soql, field) = if multi {
            (
                "SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true",
                "IsoCode",
            )
        } else {
            (
                "SELECT DefaultCurrencyIsoCode FROM Organization",
                "DefaultCurrencyIsoCode",
            )
        };
        let rows = sf.query(soql).await?;
        let corporate = rows
            .first()
            .and_then(|r| r.get(field))
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| SfError::rejected(None, format!("{soql} found no currency")))?;
        Ok(OrgCurrencies {
            multi,
            corporate: corporate.to_string(),
        })
    }
}
