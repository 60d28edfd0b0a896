//! The hand-entry sheet: everything a rep needs to enter an order in Salesforce by hand, in the
//! order Salesforce asks for it, with the values order-sync itself would write.

use serde::Serialize;

use crate::config::Settings;
use crate::domain::{Order, PaymentMethod, RawLine, RawOrder, Route};

/// One label and value to type in.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Field {
    pub label: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct EntryLine {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
}

/// One record to create, with its fields.
#[derive(Debug, Serialize)]
pub(crate) struct Record {
    pub object: &'static str,
    pub fields: Vec<Field>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HandEntry {
    /// Why order-sync cannot send the order as the store has it, when it cannot.
    pub problem: Option<String>,
    pub records: Vec<Record>,
    pub lines: Vec<EntryLine>,
    pub currency: String,
}

fn field(label: &'static str, value: impl Into<String>) -> Field {
    Field {
        label,
        value: value.into(),
    }
}

fn or_dash(v: &Option<String>) -> String {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("—")
        .to_string()
}

pub(crate) fn sheet(raw: RawOrder, settings: &Settings) -> HandEntry {
    let validated = raw.clone().validate();
    let (valid, problem) = match validated {
        Ok(o) => (Some(o), None),
        Err(r) => (None, Some(r.0)),
    };
    let lines = raw.lines.iter().map(entry_line).collect();
    let mut records = vec![
        account_and_contact(&raw),
        opportunity(&raw, valid.as_ref(), settings),
    ];
    records.push(Record {
        object: "Quote (with one line per line below)",
        fields: vec![
            field(
                "Name",
                format!("Quote for store order {}", raw.order_number),
            ),
            field("Opportunity", "the Opportunity above"),
        ],
    });
    if valid
        .as_ref()
        .is_none_or(|o| o.route().creates_salesforce_order())
    {
        records.push(salesforce_order(&raw));
    }
    HandEntry {
        problem,
        records,
        lines,
        currency: raw.currency.clone().unwrap_or_else(|| "—".into()),
    }
}

fn account_and_contact(raw: &RawOrder) -> Record {
    let Ok(c) = &raw.customer else {
        return Record {
            object: "Account and Contact",
            fields: vec![field("Customer", "the store has none for this order")],
        };
    };
    let person = [c.first_name.as_deref(), c.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let account = c
        .company
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(person);
    Record {
        object: "Account and Contact",
        fields: vec![
            field("Account name", account),
            field("First name", or_dash(&c.first_name)),
            field("Last name", or_dash(&c.last_name)),
            field("E-mail", or_dash(&c.email)),
            field("Phone", or_dash(&c.phone)),
        ],
    }
}

fn opportunity(raw: &RawOrder, valid: Option<&Order>, s: &Settings) -> Record {
    let stages = &s.salesforce.stages;
    let stage = valid.map(|o| match o.route() {
        Route::InProcess => stages.in_process.clone(),
        Route::AwaitingPayment => stages.awaiting_payment.clone(),
        Route::AwaitingEvaluation => stages.awaiting_evaluation.clone(),
    });
    Record {
        object: "Opportunity",
        fields: vec![
            field("Name", format!("Store order {}", raw.order_number)),
            field("Stage", stage.unwrap_or_else(|| "—".into())),
            field("Close date", placed_date(raw)),
            field(
                "Amount",
                valid.map_or("—".into(), |o| o.amount().to_string()),
            ),
            field(
                "Then",
                format!(
                    "Link sets {} on the records for you",
                    s.salesforce.fields.order_external_id
                ),
            ),
        ],
    }
}

fn salesforce_order(raw: &RawOrder) -> Record {
    let payment = match &raw.payment_method {
        Some(Ok(PaymentMethod::CreditCard)) => "credit card".to_string(),
        Some(Ok(PaymentMethod::PurchaseOrder)) => "purchase order".to_string(),
        Some(Err(found)) => format!("unknown ({found})"),
        None => "—".to_string(),
    };
    Record {
        object: "Order (with one item per line below)",
        fields: vec![
            field("Start date", placed_date(raw)),
            field("Status", "Draft"),
            field("Payment", payment),
            field("PO number", or_dash(&raw.po_number)),
        ],
    }
}

fn placed_date(raw: &RawOrder) -> String {
    match &raw.placed_at {
        Some(Ok(t)) => t.format("%Y-%m-%d").to_string(),
        Some(Err(e)) => format!("unreadable ({e})"),
        None => "—".into(),
    }
}

fn entry_line(l: &RawLine) -> EntryLine {
    let shown = |v: &Option<Result<String, String>>| match v {
        Some(Ok(v)) => v.clone(),
        Some(Err(e)) => format!("? ({e})"),
        None => "—".into(),
    };
    let quantity = l.quantity.clone().map(|q| q.map(|n| n.to_string()));
    let price = l.unit_price.clone().map(|p| p.map(|d| d.to_string()));
    let total = match (&l.quantity, &l.unit_price) {
        (Some(Ok(q)), Some(Ok(p))) => (*p * rust_decimal::Decimal::from(*q)).to_string(),
        _ => "—".into(),
    };
    EntryLine {
        line_no: l.line_no,
        sku: or_dash(&l.sku),
        name: or_dash(&l.name),
        quantity: shown(&quantity),
        unit_price: shown(&price),
        total,
    }
}
