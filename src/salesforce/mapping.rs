//! Field mapping on the Salesforce side: the configured templates rendered into the order
//! graph's bodies (a template that is one whole number or amount goes as a JSON number, anything
//! else as text, an empty value as null), and whether a described field can take a template.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use super::describe::FieldDescription;
use super::objects::SfObject;
use super::wire::Node;
use crate::config::{FieldMapping, Part, Placeholder, Template, ValueKind};
use crate::domain::{Order, OrderLine, PaymentMethod};

/// Adds the mapped fields to every upsert node of one order's graph. A node's object and key come
/// from its URL (`…/sobjects/{Object}/{KeyField}/{key}`); a line item's key is its line's id.
pub(super) fn add_mapped_fields(nodes: &mut [Node], mapping: &FieldMapping, order: &Order) {
    for node in nodes {
        let Some((object, key)) = upsert_target(&node.url) else {
            continue;
        };
        let line = order.lines.iter().find(|l| l.id.to_string() == key);
        if object.is_line() && line.is_none() {
            continue;
        }
        for (field, template) in mapping.for_object(object) {
            node.body[field] = render(template, order, line);
        }
    }
}

fn upsert_target(url: &str) -> Option<(SfObject, &str)> {
    let rest = url.split("/sobjects/").nth(1)?;
    match rest.split('/').collect::<Vec<_>>().as_slice() {
        [object, _field, key] => Some((SfObject::parse(object)?, *key)),
        _ => None,
    }
}

/// One placeholder's value for an order (and a line, for line items).
enum Rendered {
    Text(String),
    Whole(i64),
    Money(Decimal),
}

impl Rendered {
    fn text(self) -> String {
        match self {
            Rendered::Text(t) => t,
            Rendered::Whole(n) => n.to_string(),
            Rendered::Money(d) => d.to_string(),
        }
    }
}

fn render(template: &Template, order: &Order, line: Option<&OrderLine>) -> Value {
    let typed = template.single().map(|p| value_of(p, order, line));
    let text = match typed {
        Some(Rendered::Whole(n)) => return Value::from(n),
        Some(Rendered::Money(d)) => return d.to_f64().map_or(Value::Null, Value::from),
        Some(Rendered::Text(t)) => t,
        None => template
            .parts()
            .iter()
            .map(|part| match part {
                Part::Text(t) => t.clone(),
                Part::Value(p) => value_of(*p, order, line).text(),
            })
            .collect(),
    };
    // Salesforce treats an empty text as null; null also clears a number or date field.
    if text.is_empty() {
        Value::Null
    } else {
        Value::String(text)
    }
}

fn value_of(p: Placeholder, order: &Order, line: Option<&OrderLine>) -> Rendered {
    let c = &order.customer;
    let text = |s: &Option<String>| Rendered::Text(s.clone().unwrap_or_default());
    let whole = |n: usize| Rendered::Whole(i64::try_from(n).unwrap_or(i64::MAX));
    let line_value = |f: fn(&OrderLine) -> Rendered| line.map_or(Rendered::Text(String::new()), f);
    match p {
        Placeholder::OrderId => Rendered::Whole(order.id.0),
        Placeholder::OrderNumber => Rendered::Text(order.number.clone()),
        Placeholder::OrderPoNumber => text(&order.po_number),
        Placeholder::OrderCurrency => text(&order.currency),
        Placeholder::OrderPlacedAt => {
            Rendered::Text(order.placed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        }
        Placeholder::OrderPlacedOn => {
            Rendered::Text(order.placed_at.format("%Y-%m-%d").to_string())
        }
        Placeholder::OrderTotal => Rendered::Money(order.amount()),
        Placeholder::OrderPaymentMethod => Rendered::Text(
            match order.payment_method {
                PaymentMethod::CreditCard => "credit_card",
                PaymentMethod::PurchaseOrder => "purchase_order",
            }
            .to_string(),
        ),
        Placeholder::OrderLineCount => whole(order.lines.len()),
        Placeholder::CustomerId => Rendered::Text(c.key.to_string()),
        Placeholder::CustomerEmail => Rendered::Text(c.email.clone()),
        Placeholder::CustomerFirstName => text(&c.first_name),
        Placeholder::CustomerLastName => Rendered::Text(c.last_name.clone()),
        Placeholder::CustomerName => Rendered::Text(c.account_name()),
        Placeholder::CustomerCompany => text(&c.company),
        Placeholder::CustomerPhone => text(&c.phone),
        Placeholder::LineId => line_value(|l| Rendered::Whole(l.id.0)),
        Placeholder::LineNumber => line_value(|l| Rendered::Whole(l.line_no)),
        Placeholder::LineSku => line_value(|l| Rendered::Text(l.sku.clone())),
        Placeholder::LineName => line_value(|l| Rendered::Text(l.name.clone().unwrap_or_default())),
        Placeholder::LineQuantity => line_value(|l| Rendered::Whole(l.quantity)),
        Placeholder::LineUnitPrice => line_value(|l| Rendered::Money(l.unit_price)),
        Placeholder::LineTotal => {
            line_value(|l| Rendered::Money(l.unit_price * Decimal::from(l.quantity)))
        }
    }
}

/// Whether `field` can take what `template` produces: Ok with a note on what was checked, or
/// Err with what is wrong. Used by `check` against a describe.
pub fn field_fit(template: &Template, field: &FieldDescription) -> Result<String, String> {
    if !(field.createable && field.updateable) {
        return Err(
            "cannot be written: it is computed (formula, roll-up) or the integration user may not \
             edit it (field-level security)"
                .to_string(),
        );
    }
    let kind = template.single().map(Placeholder::kind);
    let t = field.field_type.as_str();
    let number = || {
        format!(
            "a {t} field takes a number: map one number placeholder alone, such as {{order.total}}"
        )
    };
    match t {
        "double" | "currency" | "percent" => match kind {
            Some(ValueKind::Whole | ValueKind::Money) => Ok(format!("a number into a {t} field")),
            _ => Err(number()),
        },
        "int" => match kind {
            Some(ValueKind::Whole) => Ok("a whole number into an int field".to_string()),
            _ => Err(format!(
                "{} (a whole one: an int field takes no decimals)",
                number()
            )),
        },
        "date" if kind == Some(ValueKind::Date) => Ok("a date into a date field".to_string()),
        "datetime" if kind == Some(ValueKind::DateTime) => {
            Ok("a date and time into a datetime field".to_string())
        }
        "date" | "datetime" => Err(format!(
            "a {t} field takes {}: map it alone",
            if t == "date" {
                "{order.placed_on}"
            } else {
                "{order.placed_at}"
            }
        )),
        "string" | "textarea" | "url" | "email" | "phone" | "picklist" | "multipicklist"
        | "combobox" | "encryptedstring" => text_fit(template, field),
        other => Err(format!(
            "no placeholder produces what a {other} field takes"
        )),
    }
}

fn text_fit(template: &Template, field: &FieldDescription) -> Result<String, String> {
    let (min, max) = template.length_bounds();
    let length = field.length;
    if length > 0 && min > length {
        return Err(format!(
            "the template's fixed text alone is {min} characters; the field holds {length}"
        ));
    }
    let mut note = format!("text into a {} field", field.field_type);
    if length > 0 && max.is_none_or(|m| m > length) {
        note.push_str(&format!(
            " (holds {length} characters; a longer value is refused and parks the order)"
        ));
    }
    if field.is_picklist() {
        // A constant can be checked now; a store value only when it is sent.
        match template.constant() {
            Some(v) if !field.allows(&v) => {
                return Err(format!("\"{v}\" is not an active value of the picklist"));
            }
            Some(_) => {}
            None => note.push_str(" (values not in the picklist are refused)"),
        }
    }
    Ok(note)
}
