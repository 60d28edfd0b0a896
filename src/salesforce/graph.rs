//! One order = one all-or-nothing graph of upserts keyed by External IDs, so a re-send after
//! any failure updates the same records instead of adding new ones.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::error::SfError;
use super::wire::{Graph, GraphResult, Node, is_salesforce_id};
use crate::config::SalesforceSettings;
use crate::domain::{Order, Route, SalesforceIds};

/// Everything a graph needs besides the order: looked up before the graph is built.
pub struct GraphContext<'a> {
    pub settings: &'a SalesforceSettings,
    pub pricebook_id: &'a str,
    pub entries: &'a HashMap<super::pricebook::EntryKey, String>,
    /// Records a re-send found already there: their insert-only fields are left out.
    pub existing: &'a super::existing::Existing,
    pub currencies: &'a super::currency::OrgCurrencies,
}

impl GraphContext<'_> {
    /// The price-book entry of `sku` in the order's currency.
    fn entry(&self, order: &Order, sku: &str) -> &str {
        let key = (sku.to_string(), self.currencies.of(order).to_string());
        &self.entries[&key]
    }

    /// In a multi-currency org a record is written in the order's currency.
    fn with_currency(&self, order: &Order, mut body: Value) -> Value {
        if self.currencies.multi {
            body["CurrencyIsoCode"] = json!(self.currencies.of(order));
        }
        body
    }
}

/// A line item's body: parent and price-book entry only when it is being created.
fn line_body(
    entry: &str,
    exists: bool,
    parent: &str,
    parent_ref: &str,
    quantity: i64,
    price: rust_decimal::Decimal,
) -> Value {
    let mut body = json!({ "Quantity": quantity, "UnitPrice": money(price) });
    if !exists {
        body[parent] = json!(parent_ref);
        body["PricebookEntryId"] = json!(entry);
    }
    body
}

/// An External ID value as one URL path segment (a guest's key holds `@`, `+`, `:`).
fn path_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn upsert(
    ctx: &GraphContext,
    object: &str,
    field: &str,
    key: impl std::fmt::Display,
    reference: String,
    body: Value,
) -> Node {
    Node {
        method: "PATCH",
        url: format!(
            "/services/data/{}/sobjects/{object}/{field}/{}",
            ctx.settings.api_version,
            path_segment(&key.to_string())
        ),
        reference_id: reference,
        body,
    }
}

fn stage<'a>(ctx: &'a GraphContext, route: Route) -> &'a str {
    let s = &ctx.settings.stages;
    match route {
        Route::InProcess => &s.in_process,
        Route::AwaitingPayment => &s.awaiting_payment,
        Route::AwaitingEvaluation => &s.awaiting_evaluation,
    }
}

/// Money leaves as a JSON number: Salesforce currency fields take numbers, not strings.
fn money(d: rust_decimal::Decimal) -> Value {
    serde_json::to_value(rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0))
        .unwrap_or(Value::Null)
}

/// Builds the graph for one order. Every line's sku must be in `ctx.entries`.
pub fn order_graph(ctx: &GraphContext, order: &Order) -> Graph {
    let f = &ctx.settings.fields;
    let c = &order.customer;
    let route = order.route();
    let mut nodes = vec![
        upsert(
            ctx,
            "Account",
            &f.customer_external_id,
            &c.key,
            "acct".into(),
            json!({ "Name": c.account_name() }),
        ),
        upsert(
            ctx,
            "Contact",
            &f.customer_external_id,
            &c.key,
            "contact".into(),
            json!({
                "FirstName": c.first_name, "LastName": c.last_name, "Email": c.email, "Phone": c.phone,
                "AccountId": "@{acct.id}",
            }),
        ),
        upsert(
            ctx,
            "Opportunity",
            &f.order_external_id,
            order.opportunity_key,
            "opp".into(),
            ctx.with_currency(order, json!({
                "Name": format!("Store order {}", order.number), "StageName": stage(ctx, route),
                "CloseDate": order.placed_at.format("%Y-%m-%d").to_string(), "Amount": money(order.amount()),
                "AccountId": "@{acct.id}", "Pricebook2Id": ctx.pricebook_id,
            })),
        ),
        upsert(
            ctx,
            "Quote",
            &f.order_external_id,
            order.opportunity_key,
            "quote".into(),
            quote_body(ctx, order),
        ),
    ];
    // A reissued repair order keeps the accepted quote's lines as the technicians priced them.
    if order.reissue_of.is_none() {
        for l in &order.lines {
            let exists = ctx.existing.quote_lines.contains(&l.id.to_string());
            let body = line_body(
                ctx.entry(order, &l.sku),
                exists,
                "QuoteId",
                "@{quote.id}",
                l.quantity,
                l.unit_price,
            );
            nodes.push(upsert(
                ctx,
                "QuoteLineItem",
                &f.line_external_id,
                l.id,
                format!("qli{}", l.id),
                body,
            ));
        }
    }
    // An activated Order's header and products are locked: a re-send leaves them alone.
    let sends_order =
        route.creates_salesforce_order() && ctx.existing.activated_order(order.id).is_none();
    if sends_order {
        nodes.push(upsert(ctx, "Order", &f.order_external_id, order.id, "order".into(), ctx.with_currency(order, json!({
            "AccountId": "@{acct.id}", "EffectiveDate": order.placed_at.format("%Y-%m-%d").to_string(),
            "Status": "Draft", "Pricebook2Id": ctx.pricebook_id, "OpportunityId": "@{opp.id}",
            "QuoteId": "@{quote.id}",
        }))));
        for l in &order.lines {
            let exists = ctx.existing.order_items.contains(&l.id.to_string());
            let body = line_body(
                ctx.entry(order, &l.sku),
                exists,
                "OrderId",
                "@{order.id}",
                l.quantity,
                l.unit_price,
            );
            nodes.push(upsert(
                ctx,
                "OrderItem",
                &f.line_external_id,
                l.id,
                format!("oi{}", l.id),
                body,
            ));
        }
    }
    super::mapping::add_mapped_fields(&mut nodes, &ctx.settings.mapping, order);
    // After the mapped fields: the activating update carries Status alone.
    if sends_order {
        nodes.extend(activation(ctx, order));
    }
    Graph {
        graph_id: format!("o{}", order.id),
        composite_request: nodes,
    }
}

/// Activates the Order once its products exist: Salesforce wants Status alone in that update.
fn activation(ctx: &GraphContext, order: &Order) -> Option<Node> {
    let s = ctx.settings;
    s.activate_orders.then(|| {
        upsert(
            ctx,
            "Order",
            &s.fields.order_external_id,
            order.id,
            "activate".into(),
            json!({ "Status": s.activated_status }),
        )
    })
}

fn quote_body(ctx: &GraphContext, order: &Order) -> Value {
    let mut body = json!({
        "Name": format!("Quote for store order {}", order.number),
        "Pricebook2Id": ctx.pricebook_id, "ContactId": "@{contact.id}",
    });
    if !ctx
        .existing
        .quotes
        .contains(&order.opportunity_key.to_string())
    {
        body["OpportunityId"] = json!("@{opp.id}");
        // A quote's currency is its opportunity's, set once.
        body = ctx.with_currency(order, body);
    }
    body
}

/// Reads one graph's result: the record ids, or the first real error (not PROCESSING_HALTED).
/// `activated_order` is the id of an activated Order the graph left out.
pub fn graph_outcome(
    result: GraphResult,
    activated_order: Option<&str>,
) -> Result<SalesforceIds, SfError> {
    let nodes = result.graph_response.composite_response;
    if !result.is_successful {
        return Err(first_real_error(&nodes));
    }
    let mut ids = SalesforceIds::default();
    for n in &nodes {
        // Every node is checked, line items included: one bad id means the answer is not to be trusted.
        let id = match n.body.get("id").and_then(Value::as_str) {
            Some(id) if is_salesforce_id(id) => id,
            other => {
                return Err(SfError::transient(
                    None,
                    format!(
                        "Salesforce reported success for {} but gave an id of the wrong shape ({other:?})",
                        n.reference_id
                    ),
                ));
            }
        };
        let slot = match n.reference_id.as_str() {
            "acct" => &mut ids.account,
            "contact" => &mut ids.contact,
            "opp" => &mut ids.opportunity,
            "quote" => &mut ids.quote,
            "order" => &mut ids.order,
            _ => continue,
        };
        *slot = Some(id.to_string());
    }
    if ids.order.is_none() {
        ids.order = activated_order.map(str::to_string);
    }
    if ids.opportunity.is_none() {
        return Err(SfError::transient(
            None,
            "Salesforce's answer named no Opportunity id",
        ));
    }
    Ok(ids)
}

fn object_of(reference: &str) -> &'static str {
    match reference {
        "acct" => "Account",
        "contact" => "Contact",
        "opp" => "Opportunity",
        "quote" => "Quote",
        "order" | "activate" => "Order",
        r if r.starts_with("qli") => "QuoteLineItem",
        r if r.starts_with("oi") => "OrderItem",
        _ => "record",
    }
}

pub(super) fn first_real_error(nodes: &[super::wire::NodeResult]) -> SfError {
    for n in nodes {
        let Some(errors) = n.body.as_array() else {
            continue;
        };
        for e in errors {
            let code = e
                .get("errorCode")
                .or_else(|| e.get("statusCode"))
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN");
            if code == "PROCESSING_HALTED" {
                continue;
            }
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            let mut err = SfError::from_code(code, message);
            err.message = format!(
                "Salesforce refused the {}: {}",
                object_of(&n.reference_id),
                err.message
            );
            return err;
        }
    }
    // Only PROCESSING_HALTED: the graph was stopped because others failed; it can go again.
    SfError::transient(
        Some("PROCESSING_HALTED"),
        "Salesforce halted this order's graph because other graphs failed",
    )
}
