//! `check` items for org features the sync relies on: the Order activation status and the
//! org's currencies.

use super::CheckItem;
use crate::config::Settings;
use crate::salesforce::Salesforce;

/// With activation on, `salesforce.activated_status` must be an Activated-category Order status.
pub(super) async fn activation_check(sf: &Salesforce, settings: &Settings) -> Option<CheckItem> {
    let s = &settings.salesforce;
    if !s.activate_orders {
        return None;
    }
    let wanted = &s.activated_status;
    let hint = format!(
        "in Setup → Object Manager → Order → Fields → Status, add \"{wanted}\" with the status category \
         Activated, or set salesforce.activated_status to an Activated-category value (e.g. \"Activated\"), \
         or set salesforce.activate_orders = false to leave Orders in Draft"
    );
    let statuses = match sf.order_statuses().await {
        Ok(s) => s,
        Err(e) => {
            return Some(CheckItem::fail(
                format!("Order statuses could not be read: {e}"),
                "Orders must be enabled (Setup → Order Settings) and the integration user must read Order",
            ));
        }
    };
    let item = match statuses.iter().find(|v| v.api_name == *wanted) {
        Some(v) if v.category == "Activated" => CheckItem::pass(format!(
            "Order status \"{wanted}\" exists and activates Orders"
        )),
        Some(v) => CheckItem::fail(
            format!(
                "Order status \"{wanted}\" is in the {} category, not Activated",
                v.category
            ),
            hint,
        ),
        None => CheckItem::fail(
            format!("Order status \"{wanted}\" (salesforce.activated_status) does not exist"),
            hint,
        ),
    };
    Some(item)
}

/// Says which currencies the org keeps, as order-sync will use them.
pub(super) async fn currency_check(sf: &Salesforce) -> CheckItem {
    match sf.currencies().await {
        Ok(c) if c.multi => CheckItem::pass(format!(
            "the org keeps multiple currencies (corporate {}): orders are booked in their own, \
             with price-book entries in it",
            c.corporate
        )),
        Ok(c) => CheckItem::pass(format!(
            "the org keeps one currency, {}: orders in another currency will be parked",
            c.corporate
        )),
        Err(e) => CheckItem::fail(
            format!("the org's currencies could not be read: {e}"),
            "the integration user must be able to query Organization (and CurrencyType in a \
             multi-currency org); or set salesforce.multi_currency to true or false",
        ),
    }
}
