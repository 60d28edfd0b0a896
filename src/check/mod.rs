//! `order-sync check`: a preflight checklist of everything the org and the store must have.

use std::collections::{BTreeSet, HashMap};

use crate::config::{AuthFlow, Settings};
use crate::error::ErrorClass;
use crate::salesforce::{ObjectDescription, Salesforce};

mod mapping;
#[cfg(test)]
mod model_tests;
mod objects;
mod org;
mod store;

/// One line of the checklist: what was checked, whether it holds, and what to do when it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    pub ok: bool,
    pub label: String,
    pub hint: Option<String>,
    /// Information, not a check: what the store holds that needs nothing done (`ℹ`).
    pub info: bool,
}

impl CheckItem {
    pub(crate) fn pass(label: impl Into<String>) -> CheckItem {
        CheckItem {
            ok: true,
            label: label.into(),
            hint: None,
            info: false,
        }
    }

    pub(crate) fn info(label: impl Into<String>) -> CheckItem {
        CheckItem {
            info: true,
            ..CheckItem::pass(label)
        }
    }

    pub(crate) fn fail(label: impl Into<String>, hint: impl Into<String>) -> CheckItem {
        CheckItem {
            ok: false,
            label: label.into(),
            hint: Some(hint.into()),
            info: false,
        }
    }
}

/// Missing skus named in full before "and N more".
const SKUS_SHOWN: usize = 10;

pub async fn run(settings: Settings) -> anyhow::Result<i32> {
    let items = checklist(&settings).await;
    for item in &items {
        let mark = match (item.ok, item.info) {
            (_, true) => "ℹ",
            (true, false) => "✓",
            (false, false) => "✗",
        };
        println!("{mark} {}", item.label);
        if let Some(hint) = &item.hint {
            println!("    hint: {hint}");
        }
    }
    let failed = items.iter().filter(|i| !i.ok).count();
    let checks = items.iter().filter(|i| !i.info).count();
    if failed == 0 {
        println!("\nall {checks} checks passed");
        Ok(0)
    } else {
        println!("\n{failed} of {checks} checks failed");
        Ok(1)
    }
}

/// Runs every check, in order; a failed Salesforce login stops the Salesforce checks.
pub async fn checklist(settings: &Settings) -> Vec<CheckItem> {
    let sf = &settings.salesforce;
    let auth = match sf.auth {
        AuthFlow::Jwt => format!("jwt, audience {}", crate::salesforce::jwt_audience(sf)),
        AuthFlow::ClientCredentials => "client_credentials".to_string(),
    };
    let mut items = vec![CheckItem::pass(format!(
        "configuration loaded (auth {auth}, API {}, login {})",
        sf.api_version, sf.login_url
    ))];
    let (store_items, skus) = store::checks(settings).await;
    items.extend(store_items);
    let unset = settings.salesforce.unset();
    if !unset.is_empty() {
        let hint = "set it in the config file or as ORDER_SYNC__SALESFORCE__…; README: connect your sandbox org";
        items.extend(unset.into_iter().map(|u| CheckItem::fail(u, hint)));
        return items;
    }
    let salesforce = match connect(settings).await {
        Ok(s) => s,
        Err(item) => {
            items.push(item);
            return items;
        }
    };
    items.push(CheckItem::pass("Salesforce token obtained"));
    let described = objects::describe_all(&salesforce, settings, &mut items).await;
    items.extend(picklist_checks(settings, &described));
    items.extend(org::activation_check(&salesforce, settings).await);
    items.push(org::currency_check(&salesforce).await);
    items.extend(mapping::checks(settings, &described));
    items.extend(pricebook_checks(&salesforce, settings, skus.as_ref()).await);
    items
}

async fn connect(settings: &Settings) -> Result<Salesforce, CheckItem> {
    let client = Salesforce::new(&settings.salesforce, settings.sync.max_graphs_per_request)
        .map_err(|e| {
            CheckItem::fail(
                format!("Salesforce client not configured: {e}"),
                "fix salesforce.login_url (https, or http only to loopback) and the auth settings",
            )
        })?;
    match client.connect().await {
        Ok(()) => Ok(client),
        Err(e) if e.class == ErrorClass::Fatal => Err(CheckItem::fail(
            format!("Salesforce token not obtained: {e}"),
            "check salesforce.client_id and the client secret or private key/username; the connected app must be \
             enabled for this flow, its policies must admit the integration user, and login_url must be the right host",
        )),
        Err(e) => Err(CheckItem::fail(
            format!("Salesforce token not obtained: {e}"),
            "Salesforce could not be reached or was busy: check salesforce.login_url and the network, then run check again",
        )),
    }
}

/// Picklist values the sync writes or waits for: the stages, Order Draft, and the repair values.
fn picklist_checks(
    settings: &Settings,
    described: &HashMap<String, ObjectDescription>,
) -> Vec<CheckItem> {
    let stages = &settings.salesforce.stages;
    let repair = &settings.repair;
    // Routing's stages, then what later status changes write (the lifecycle's transitions).
    let (later_stages, later_orders) = if settings.lifecycle.enabled {
        crate::salesforce::transition_values(&settings.salesforce)
    } else {
        Default::default()
    };
    let mut stage_values: Vec<&str> = vec![
        &stages.in_process,
        &stages.awaiting_payment,
        &stages.awaiting_evaluation,
    ];
    stage_values.extend(later_stages.iter().map(String::as_str));
    let mut order_values = vec!["Draft"];
    order_values.extend(later_orders.iter().map(String::as_str));
    let mut wanted: Vec<(&str, &str, Vec<&str>, &str)> = vec![
        (
            "Opportunity",
            "StageName",
            unique(stage_values),
            "salesforce.stages",
        ),
        (
            "Order",
            "Status",
            unique(order_values),
            "salesforce.order_statuses (order-sync creates Orders as Draft)",
        ),
    ];
    if repair.enabled {
        wanted.push((
            &repair.evaluation_object,
            &repair.evaluation_field,
            vec![&repair.evaluation_complete_value],
            "repair.evaluation_field / repair.evaluation_complete_value",
        ));
        wanted.push((
            "Quote",
            "Status",
            vec![&repair.quote_accepted_status],
            "repair.quote_accepted_status",
        ));
    }
    let mut items = Vec::new();
    for (object, field, values, setting) in wanted {
        // An object that could not be described already has its ✗.
        let Some(d) = described
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(object))
            .map(|(_, d)| d)
        else {
            continue;
        };
        items.push(picklist_check(d, object, field, &values, setting));
    }
    items
}

fn picklist_check(
    d: &ObjectDescription,
    object: &str,
    field: &str,
    values: &[&str],
    setting: &str,
) -> CheckItem {
    let Some(f) = d.field(field) else {
        return CheckItem::fail(
            format!("{object}.{field} is missing"),
            format!(
                "create {field} on {object} (or give the integration user access to it), or change {setting}"
            ),
        );
    };
    if !f.is_picklist() {
        return CheckItem::pass(format!(
            "{object}.{field} exists ({} field, values not checked)",
            f.field_type
        ));
    }
    let missing: Vec<&str> = values.iter().copied().filter(|v| !f.allows(v)).collect();
    if missing.is_empty() {
        return CheckItem::pass(format!("{object}.{field} offers {}", quoted(values)));
    }
    CheckItem::fail(
        format!("{object}.{field} has no active value {}", quoted(&missing)),
        format!(
            "add or activate {} in the {object}.{field} picklist, or change {setting}",
            quoted(&missing)
        ),
    )
}

/// `values` without repeats, in their first order.
fn unique(values: Vec<&str>) -> Vec<&str> {
    let mut seen = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The price book exists, and every store sku has an active entry in it.
async fn pricebook_checks(
    sf: &Salesforce,
    settings: &Settings,
    skus: Option<&BTreeSet<String>>,
) -> Vec<CheckItem> {
    let configured = &settings.salesforce.pricebook_id;
    let coverage = match sf.pricebook_check(skus.unwrap_or(&BTreeSet::new())).await {
        Ok(c) => c,
        Err(e) => {
            let hint = if configured.is_empty() {
                "the org needs an active standard price book, or set salesforce.pricebook_id to the price book orders use"
            } else {
                "set salesforce.pricebook_id to an active Pricebook2 id, or leave it empty for the standard price book"
            };
            return vec![CheckItem::fail(format!("price book not usable: {e}"), hint)];
        }
    };
    let id = &coverage.pricebook_id;
    let mut items = vec![CheckItem::pass(format!("price book {id} found"))];
    let Some(skus) = skus else { return items }; // the store check already failed
    let missing = &coverage.missing_skus;
    if missing.is_empty() {
        items.push(CheckItem::pass(format!(
            "all {} store skus have an active entry in price book {id}",
            skus.len()
        )));
        return items;
    }
    let mut named = missing
        .iter()
        .take(SKUS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if missing.len() > SKUS_SHOWN {
        named.push_str(&format!(" and {} more", missing.len() - SKUS_SHOWN));
    }
    items.push(CheckItem::fail(
        format!("{} of {} store skus have no active entry in price book {id}: {named}", missing.len(), skus.len()),
        format!("for each, add a Product2 whose Product Code is the sku and an active PricebookEntry in price book {id}"),
    ));
    items
}
