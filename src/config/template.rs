//! Field-mapping templates: text with `{placeholder}`s from a closed, documented set of order,
//! customer, payment and line values. Parsed once at start-up; rendered by `salesforce::mapping`.

use std::fmt;

/// What a placeholder produces, which decides the Salesforce field types it fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    /// A whole number: sent as a JSON number when it is the whole template.
    Whole,
    /// A decimal amount: sent as a JSON number when it is the whole template.
    Money,
    /// `2026-11-27`
    Date,
    /// `2026-11-27T09:30:00Z`
    DateTime,
}

/// One value a template may name. The set is closed: anything else is a start-up error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    OrderId,
    OrderNumber,
    OrderPoNumber,
    OrderCurrency,
    OrderPlacedAt,
    OrderPlacedOn,
    OrderTotal,
    OrderPaymentMethod,
    OrderLineCount,
    CustomerId,
    CustomerEmail,
    CustomerFirstName,
    CustomerLastName,
    CustomerName,
    CustomerCompany,
    CustomerPhone,
    LineId,
    LineNumber,
    LineSku,
    LineName,
    LineQuantity,
    LineUnitPrice,
    LineTotal,
}

use Placeholder as P;
use ValueKind::{Date, DateTime, Money, Text, Whole};

/// Every placeholder: its name in a template, its kind, the most characters it can produce
/// (None: as long as the store's value), and what it is (the README's table says the same).
#[rustfmt::skip]
pub const PLACEHOLDERS: &[(Placeholder, &str, ValueKind, Option<usize>, &str)] = &[
    (P::OrderId, "order.id", Whole, Some(20), "the store's order id"),
    (P::OrderNumber, "order.number", Text, None, "the order number customers see"),
    (P::OrderPoNumber, "order.po_number", Text, None, "the purchase-order number (empty for card orders)"),
    (P::OrderCurrency, "order.currency", Text, Some(3), "ISO currency code, e.g. EUR (empty when the store keeps none)"),
    (P::OrderPlacedAt, "order.placed_at", DateTime, Some(20), "when the order was placed, UTC, e.g. 2026-11-27T09:30:00Z"),
    (P::OrderPlacedOn, "order.placed_on", Date, Some(10), "the day the order was placed (UTC), e.g. 2026-11-27"),
    (P::OrderTotal, "order.total", Money, Some(24), "the sum of the lines, e.g. 1250.00"),
    (P::OrderPaymentMethod, "order.payment_method", Text, Some(14), "credit_card or purchase_order"),
    (P::OrderLineCount, "order.line_count", Whole, Some(20), "how many lines the order has"),
    (P::CustomerId, "customer.id", Text, None, "the store's customer id, or guest:<e-mail> for a guest"),
    (P::CustomerEmail, "customer.email", Text, None, "the customer's e-mail address"),
    (P::CustomerFirstName, "customer.first_name", Text, None, "first name (may be empty)"),
    (P::CustomerLastName, "customer.last_name", Text, None, "last name"),
    (P::CustomerName, "customer.name", Text, None, "the company, or first and last name for a private customer"),
    (P::CustomerCompany, "customer.company", Text, None, "company (empty for a private customer)"),
    (P::CustomerPhone, "customer.phone", Text, None, "phone number (may be empty)"),
    (P::LineId, "line.id", Whole, Some(20), "the store's order line id"),
    (P::LineNumber, "line.number", Whole, Some(20), "the line's position in the order, from 1"),
    (P::LineSku, "line.sku", Text, None, "the product's sku"),
    (P::LineName, "line.name", Text, None, "the product's name in the store (may be empty)"),
    (P::LineQuantity, "line.quantity", Whole, Some(20), "quantity ordered"),
    (P::LineUnitPrice, "line.unit_price", Money, Some(24), "price of one unit"),
    (P::LineTotal, "line.total", Money, Some(24), "quantity × unit price"),
];

impl Placeholder {
    fn entry(
        self,
    ) -> &'static (
        Placeholder,
        &'static str,
        ValueKind,
        Option<usize>,
        &'static str,
    ) {
        PLACEHOLDERS
            .iter()
            .find(|e| e.0 == self)
            .expect("every placeholder is in PLACEHOLDERS")
    }

    pub fn name(self) -> &'static str {
        self.entry().1
    }

    pub fn kind(self) -> ValueKind {
        self.entry().2
    }

    /// The most characters this placeholder can produce; None when only the store bounds it.
    pub fn max_len(self) -> Option<usize> {
        self.entry().3
    }

    /// A value of one order line: only QuoteLineItem and OrderItem mappings may use it.
    pub fn is_line(self) -> bool {
        self.name().starts_with("line.")
    }

    fn find(name: &str) -> Option<Placeholder> {
        PLACEHOLDERS.iter().find(|e| e.1 == name).map(|e| e.0)
    }
}

/// A piece of a template: literal text, or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Value(Placeholder),
}

/// A parsed template. `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Why a template was refused; the message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder {{{0}}} ({1})")]
    Unknown(String, String),
    #[error("the \"{{\" at character {0} is never closed (write {{{{ for a literal brace)")]
    Unclosed(usize),
    #[error("the \"}}\" at character {0} closes nothing (write }}}} for a literal brace)")]
    Unopened(usize),
}

impl Template {
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.next_if(|(_, n)| *n == '{').is_some() => text.push('{'),
                '}' if chars.next_if(|(_, n)| *n == '}').is_some() => text.push('}'),
                '}' => return Err(TemplateError::Unopened(at + 1)),
                '{' => {
                    let rest = &source[at + 1..];
                    let end = rest.find('}').ok_or(TemplateError::Unclosed(at + 1))?;
                    if rest[..end].contains('{') {
                        return Err(TemplateError::Unclosed(at + 1));
                    }
                    let name = rest[..end].trim();
                    let p = Placeholder::find(name).ok_or_else(|| unknown(name))?;
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Value(p));
                    while chars.next_if(|(i, _)| *i <= at + 1 + end).is_some() {}
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The placeholder when the template is exactly one and nothing else.
    pub fn single(&self) -> Option<Placeholder> {
        match self.parts.as_slice() {
            [Part::Value(p)] => Some(*p),
            _ => None,
        }
    }

    /// The text when the template has no placeholder at all.
    pub fn constant(&self) -> Option<String> {
        match self.parts.as_slice() {
            [] => Some(String::new()),
            [Part::Text(t)] => Some(t.clone()),
            _ => None,
        }
    }

    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Value(v) => Some(*v),
            Part::Text(_) => None,
        })
    }

    /// The fewest and the most characters a rendering can have (None: unbounded).
    pub fn length_bounds(&self) -> (usize, Option<usize>) {
        let mut min = 0;
        let mut max = Some(0);
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    min += t.chars().count();
                    max = max.map(|m| m + t.chars().count());
                }
                Part::Value(p) => max = max.zip(p.max_len()).map(|(m, l)| m + l),
            }
        }
        (min, max)
    }
}

/// The error for an unknown name, listing the known ones of its group.
fn unknown(name: &str) -> TemplateError {
    let group = name.split('.').next().unwrap_or("");
    let known: Vec<String> = PLACEHOLDERS
        .iter()
        .filter(|e| e.1.split('.').next() == Some(group))
        .map(|e| format!("{{{}}}", e.1))
        .collect();
    let hint = if known.is_empty() {
        "placeholders start with order., customer. or line.; README: Field mapping".to_string()
    } else {
        format!("{group} placeholders are {}", known.join(" "))
    };
    TemplateError::Unknown(name.to_string(), hint)
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(t) => write!(f, "{}", t.replace('{', "{{").replace('}', "}}"))?,
                Part::Value(p) => write!(f, "{{{}}}", p.name())?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_text_and_placeholders_with_escaped_braces() {
        let t = Template::parse("https://shop/{order.number}?x={{y}}").expect("parses");

        assert_eq!(
            t.parts(),
            &[
                Part::Text("https://shop/".into()),
                Part::Value(Placeholder::OrderNumber),
                Part::Text("?x={y}".into()),
            ]
        );
        assert_eq!(t.to_string(), "https://shop/{order.number}?x={{y}}");
        assert_eq!(
            Template::parse("{ order.total }").unwrap().single(),
            Some(Placeholder::OrderTotal)
        );
    }

    #[test]
    fn unknown_names_and_unbalanced_braces_are_refused_with_the_place() {
        let unknown = Template::parse("{order.numbr}").unwrap_err().to_string();
        assert!(
            unknown.contains("{order.numbr}") && unknown.contains("{order.number}"),
            "{unknown}"
        );
        assert_eq!(
            Template::parse("ab{order.id"),
            Err(TemplateError::Unclosed(3))
        );
        assert_eq!(
            Template::parse("a{b{order.id}"),
            Err(TemplateError::Unclosed(2))
        );
        assert_eq!(Template::parse("a}"), Err(TemplateError::Unopened(2)));
        assert!(matches!(
            Template::parse("{}"),
            Err(TemplateError::Unknown(..))
        ));
    }

    #[test]
    fn length_bounds_add_the_text_and_the_bounded_values() {
        assert_eq!(
            Template::parse("PO-{order.id}").unwrap().length_bounds(),
            (3, Some(23))
        );
        assert_eq!(
            Template::parse("x{order.number}").unwrap().length_bounds(),
            (1, None)
        );
    }
}
