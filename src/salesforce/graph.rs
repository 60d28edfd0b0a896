//! One order = one all-or-nothing graph of upserts keyed by External IDs, so a re-send after
//! any failure updates the same records instead of adding new ones. Which nodes, their keys,
//! reference ids and insert-only fields come from the model (objects.rs); the bodies are here.

mod outcome;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::objects::{
    ACTIVATION_REFERENCE, MODEL, ObjectModel, Reference, SHOWN_REFERENCE, SfObject,
};
use super::wire::{Graph, Node};
use crate::config::SalesforceSettings;
use crate::domain::{Order, OrderLine};
pub(super) use outcome::{first_real_error, graph_outcome};

/// Everything a graph needs besides the order: looked up before the graph is built.
pub struct GraphContext<'a> {
    pub settings: &'a SalesforceSettings,
    pub pricebook_id: &'a str,
    pub entries: &'a HashMap<super::pricebook::EntryKey, String>,
    /// Records a re-send found already there: their insert-only fields are left out.
    pub existing: &'a super::existing::Existing,
    pub currencies: &'a super::currency::OrgCurrencies,
    /// Write each order as its store status is now (a re-send): the stage and Order status that
    /// status shows, instead of its route's.
    pub as_now: bool,
}

impl GraphContext<'_> {
    /// The price-book entry of `sku` in the order's currency.
    fn entry(&self, order: &Order, sku: &str) -> &str {
        let key = (sku.to_string(), self.currencies.of(order).to_string());
        &self.entries[&key]
    }
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

fn upsert(ctx: &GraphContext, m: &ObjectModel, key: &str, reference: String, body: Value) -> Node {
    Node {
        method: "PATCH",
        url: format!(
            "/services/data/{}/sobjects/{}/{}/{}",
            ctx.settings.api_version,
            m.name,
            m.key.field(&ctx.settings.fields),
            path_segment(key)
        ),
        reference_id: reference,
        body,
    }
}

/// The Opportunity stage the graph writes: its route's, or in a re-send the one its store
/// status shows (the route's when that status sets none).
fn stage(ctx: &GraphContext, order: &Order) -> String {
    let shown = ctx
        .as_now
        .then(|| super::lifecycle::shown_for(ctx.settings, order.status).stage)
        .flatten();
    shown.unwrap_or_else(|| super::lifecycle::route_stage(ctx.settings, order.route()))
}

/// Money leaves as a JSON number: Salesforce currency fields take numbers, not strings.
fn money(d: rust_decimal::Decimal) -> Value {
    serde_json::to_value(rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0))
        .unwrap_or(Value::Null)
}

/// Builds the graph for one order, a node per model object (per line for line items) in the
/// model's order. Every line's sku must be in `ctx.entries`.
pub fn order_graph(ctx: &GraphContext, order: &Order) -> Graph {
    let mut nodes = Vec::new();
    for m in MODEL.iter().filter(|m| sends(ctx, order, m)) {
        match m.reference {
            Reference::One(_) => nodes.push(node(ctx, order, m, None)),
            Reference::PerLine(_) => nodes.extend(
                order
                    .lines
                    .iter()
                    .filter(|l| !priced_by_technicians(ctx, order, m, l))
                    .map(|l| node(ctx, order, m, Some(l))),
            ),
        }
    }
    super::mapping::add_mapped_fields(&mut nodes, &ctx.settings.mapping, order);
    // After the mapped fields: the activating update carries Status alone.
    if sends(ctx, order, SfObject::Order.model()) {
        nodes.extend(activation(ctx, order));
    }
    nodes.extend(shown_status(ctx, order));
    Graph {
        graph_id: format!("o{}", order.id),
        composite_request: nodes,
    }
}

/// Whether the order's graph writes `m`'s records.
fn sends(ctx: &GraphContext, order: &Order, m: &ObjectModel) -> bool {
    if !m.on_route(order.route()) {
        return false;
    }
    match m.object {
        // A reissued repair order keeps the accepted quote's lines as the technicians priced
        // them; if that quote was deleted since, its new one gets the lines at those prices.
        SfObject::QuoteLineItem => order.reissue_of.is_none() || !has_quote(ctx, order),
        // An activated Order's header and products are locked: a re-send leaves them alone.
        SfObject::Order | SfObject::OrderItem => ctx.existing.activated_order(order.id).is_none(),
        _ => true,
    }
}

/// Whether the order's Quote exists in Salesforce (a reissue's is the accepted one).
fn has_quote(ctx: &GraphContext, order: &Order) -> bool {
    let key = SfObject::Quote.model().key.value(order, None);
    ctx.existing.has(SfObject::Quote, &key)
}

/// One record's node: its body in the order's currency where the model says so, without its
/// insert-only fields when a re-send found the record already there.
fn node(ctx: &GraphContext, order: &Order, m: &ObjectModel, line: Option<&OrderLine>) -> Node {
    let key = m.key.value(order, line);
    let mut body = body(ctx, order, m.object, line);
    if m.currency && ctx.currencies.multi {
        body["CurrencyIsoCode"] = json!(ctx.currencies.of(order));
    }
    if !m.insert_only.is_empty()
        && ctx.existing.has(m.object, &key)
        && let Value::Object(fields) = &mut body
    {
        fields.retain(|f, _| !m.insert_only.contains(&f.as_str()));
    }
    // A re-sent evaluation's Amount is the technicians' to set once they price it.
    if ctx.as_now
        && m.object == SfObject::Opportunity
        && order.route() == crate::domain::Route::AwaitingEvaluation
        && let Value::Object(fields) = &mut body
    {
        fields.remove("Amount");
    }
    upsert(ctx, m, &key, m.reference.id(line), body)
}

/// In a re-send, an evaluation's quote line that exists carries the technicians' price: it is
/// left out, so only a missing one is written (at the store's zero price, as first sent).
fn priced_by_technicians(
    ctx: &GraphContext,
    order: &Order,
    m: &ObjectModel,
    l: &OrderLine,
) -> bool {
    ctx.as_now
        && m.object == SfObject::QuoteLineItem
        && order.route() == crate::domain::Route::AwaitingEvaluation
        && ctx.existing.has(m.object, &m.key.value(order, Some(l)))
}

/// The fields order-sync writes on `object` (the model's `written`), from the order.
fn body(ctx: &GraphContext, order: &Order, object: SfObject, line: Option<&OrderLine>) -> Value {
    let c = &order.customer;
    let date = order.placed_at.format("%Y-%m-%d").to_string();
    let id_of = SfObject::id_ref;
    match (object, line) {
        (SfObject::Account, _) => json!({ "Name": c.account_name() }),
        (SfObject::Contact, _) => json!({
            "FirstName": c.first_name, "LastName": c.last_name, "Email": c.email, "Phone": c.phone,
            "AccountId": id_of(SfObject::Account),
        }),
        (SfObject::Opportunity, _) => json!({
            "Name": format!("Store order {}", order.number), "StageName": stage(ctx, order),
            "CloseDate": date, "Amount": money(order.amount()),
            "AccountId": id_of(SfObject::Account), "Pricebook2Id": ctx.pricebook_id,
        }),
        (SfObject::Quote, _) => json!({
            "Name": format!("Quote for store order {}", order.number),
            "Pricebook2Id": ctx.pricebook_id, "ContactId": id_of(SfObject::Contact),
            "OpportunityId": id_of(SfObject::Opportunity),
        }),
        (SfObject::Order, _) => json!({
            "AccountId": id_of(SfObject::Account), "EffectiveDate": date,
            "Status": "Draft", "Pricebook2Id": ctx.pricebook_id,
            "OpportunityId": id_of(SfObject::Opportunity), "QuoteId": id_of(SfObject::Quote),
        }),
        (SfObject::QuoteLineItem, Some(l)) => line_body(ctx, order, l, "QuoteId", SfObject::Quote),
        (SfObject::OrderItem, Some(l)) => line_body(ctx, order, l, "OrderId", SfObject::Order),
        (SfObject::QuoteLineItem | SfObject::OrderItem, None) => Value::Null,
    }
}

/// A line item's body: its parent and price-book entry are insert-only (see the model).
fn line_body(
    ctx: &GraphContext,
    order: &Order,
    l: &OrderLine,
    parent: &str,
    of: SfObject,
) -> Value {
    let mut body = json!({ "Quantity": l.quantity, "UnitPrice": money(l.unit_price) });
    body[parent] = json!(of.id_ref());
    body["PricebookEntryId"] = json!(ctx.entry(order, &l.sku));
    body
}

/// In a re-send, the Order status the store status shows, last (Status alone, as activation
/// needs; an activated Order takes it too).
fn shown_status(ctx: &GraphContext, order: &Order) -> Option<Node> {
    let m = SfObject::Order.model();
    if !ctx.as_now || !m.on_route(order.route()) {
        return None;
    }
    let status = super::lifecycle::shown_for(ctx.settings, order.status).order_status?;
    let key = m.key.value(order, None);
    let body = json!({ "Status": status });
    Some(upsert(ctx, m, &key, SHOWN_REFERENCE.to_string(), body))
}

/// Activates the Order once its products exist: Salesforce wants Status alone in that update.
fn activation(ctx: &GraphContext, order: &Order) -> Option<Node> {
    let s = ctx.settings;
    let m = SfObject::Order.model();
    s.activate_orders.then(|| {
        let key = m.key.value(order, None);
        let body = json!({ "Status": s.activated_status });
        upsert(ctx, m, &key, ACTIVATION_REFERENCE.to_string(), body)
    })
}
