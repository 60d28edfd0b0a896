//! The comparison case by case: what counts as drift, and what is left alone.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::domain::{
    Customer, CustomerKey, LineId, OrderId, OrderLine, PaymentMethod, ProductKind,
};
use crate::salesforce::{HeldLine, HeldOrder, HeldQuote};

fn order(id: i64, status: OrderStatus, kind: ProductKind) -> Order {
    Order {
        id: OrderId(id),
        number: format!("N{id}"),
        status,
        payment_method: PaymentMethod::CreditCard,
        po_number: None,
        currency: None,
        placed_at: chrono::Utc::now(),
        reissue_of: None,
        opportunity_key: OrderId(id),
        customer: Customer {
            key: CustomerKey::Id(1),
            email: "a@example.com".into(),
            first_name: None,
            last_name: "A".into(),
            company: None,
            phone: None,
        },
        lines: vec![OrderLine {
            id: LineId(id * 10),
            line_no: 1,
            sku: "W".into(),
            name: None,
            kind,
            quantity: 2,
            unit_price: Decimal::from_str("19.99").unwrap(),
        }],
    }
}

fn stored(o: &Order, shown: OrderStatus) -> StoredSync {
    StoredSync {
        order_id: o.id,
        route: Some(o.route()),
        shown: Some(shown),
        synced_at: Some(1),
        ids: SalesforceIds {
            account: Some("001A".into()),
            opportunity: Some("006A".into()),
            quote: Some("0Q0A".into()),
            order: Some("801A".into()),
            contact: None,
        },
    }
}

fn line(o: &Order, quantity: i64, price: &str) -> HeldLine {
    HeldLine {
        id: format!("802{}", o.id),
        key: Some(o.lines[0].id.to_string()),
        quantity: Some(Decimal::from(quantity)),
        unit_price: Some(Decimal::from_str(price).unwrap()),
    }
}

/// What Salesforce holds when it agrees with `o` (stage `stage`, Order `code`).
fn agreeing(o: &Order, stage: &str, code: &str) -> Held {
    let mut held = Held::default();
    held.opportunities.insert(
        o.id.to_string(),
        vec![HeldOpportunity {
            id: "006A".into(),
            amount: Some(o.amount()),
            stage: Some(stage.into()),
            account: Some("001A".into()),
            quotes: vec![HeldQuote {
                id: "0Q0A".into(),
                key: Some(o.id.to_string()),
                lines: vec![line(o, 2, "19.99")],
            }],
        }],
    );
    held.orders.insert(
        o.id.to_string(),
        vec![HeldOrder {
            id: "801A".into(),
            status: Some("Activated".into()),
            status_code: Some(code.into()),
            opportunity: Some("006A".into()),
            account: Some("001A".into()),
            lines: vec![line(o, 2, "19.99")],
        }],
    );
    held
}

fn drifts(o: &Order, shown: OrderStatus, held: &Held) -> Vec<Drift> {
    let pair = (o.clone(), stored(o, shown));
    let group = Group {
        orders: vec![&pair],
    };
    let stages = |_: Route| "Closed Won".to_string();
    let shown_for = |s: OrderStatus| Shown {
        stage: (s == OrderStatus::Canceled).then(|| "Closed Lost".to_string()),
        order_status: None,
    };
    compare(&group, held, &stages, &shown_for)
}

fn kinds(d: &[Drift]) -> Vec<Kind> {
    d.iter().map(|d| d.kind).collect()
}

#[test]
fn an_order_as_salesforce_holds_it_has_no_drift() {
    let o = order(7, OrderStatus::InProcess, ProductKind::Standard);
    assert_eq!(
        drifts(
            &o,
            OrderStatus::InProcess,
            &agreeing(&o, "Closed Won", "Activated")
        ),
        []
    );
}

#[test]
fn a_stage_is_not_compared_while_the_status_change_is_on_its_way() {
    let o = order(7, OrderStatus::Canceled, ProductKind::Standard);
    let held = agreeing(&o, "Closed Won", "Activated");
    assert_eq!(drifts(&o, OrderStatus::InProcess, &held), []);
    assert_eq!(
        kinds(&drifts(&o, OrderStatus::Canceled, &held)),
        [Kind::Status]
    );
}

#[test]
fn an_evaluations_amount_is_the_technicians_and_not_compared() {
    let o = order(7, OrderStatus::AwaitingEvaluation, ProductKind::Evaluation);
    let mut held = agreeing(&o, "Closed Won", "Activated");
    held.opportunities.get_mut("7").unwrap()[0].amount = Some(Decimal::from(350));
    held.orders.clear();
    assert_eq!(drifts(&o, OrderStatus::AwaitingEvaluation, &held), []);
}

#[test]
fn money_is_compared_in_cents() {
    let o = order(7, OrderStatus::InProcess, ProductKind::Standard);
    let mut held = agreeing(&o, "Closed Won", "Activated");
    held.opportunities.get_mut("7").unwrap()[0].amount = Some(Decimal::from_str("39.980").unwrap());
    assert_eq!(drifts(&o, OrderStatus::InProcess, &held), []);
    held.opportunities.get_mut("7").unwrap()[0].amount = Some(Decimal::from_str("39.99").unwrap());
    assert_eq!(
        kinds(&drifts(&o, OrderStatus::InProcess, &held)),
        [Kind::Amount]
    );
}

#[test]
fn a_locked_orders_products_are_left_to_a_person_and_a_draft_ones_are_resent() {
    let o = order(7, OrderStatus::InProcess, ProductKind::Standard);
    for (code, resend) in [("Activated", false), ("Draft", true)] {
        let mut held = agreeing(&o, "Closed Won", code);
        held.orders.get_mut("7").unwrap()[0].lines[0].quantity = Some(Decimal::from(5));
        let d = drifts(&o, OrderStatus::InProcess, &held);
        assert_eq!(kinds(&d), [Kind::Lines], "{code}");
        assert_eq!(d[0].mend == Mend::Resend, resend, "{code}: {:?}", d[0].mend);
    }
}

#[test]
fn of_two_opportunities_under_one_key_the_one_order_sync_keeps_is_compared() {
    let o = order(7, OrderStatus::InProcess, ProductKind::Standard);
    let mut held = agreeing(&o, "Closed Won", "Activated");
    let opps = held.opportunities.get_mut("7").unwrap();
    let mut copy = opps[0].clone();
    copy.id = "006COPY".into();
    copy.amount = Some(Decimal::from(1));
    opps.insert(0, copy);
    let d = drifts(&o, OrderStatus::InProcess, &held);
    assert_eq!(kinds(&d), [Kind::Duplicate]);
    assert!(
        matches!(&d[0].mend, Mend::Human(w) if w.contains("006A")),
        "{:?}",
        d[0].mend
    );
}

#[test]
fn a_record_under_a_new_id_is_adopted_not_resent() {
    let o = order(7, OrderStatus::InProcess, ProductKind::Standard);
    let mut held = agreeing(&o, "Closed Won", "Activated");
    held.orders.get_mut("7").unwrap()[0].id = "801NEW".into();
    let d = drifts(&o, OrderStatus::InProcess, &held);
    assert_eq!(kinds(&d), [Kind::StaleId]);
    let Mend::AdoptIds(ids) = &d[0].mend else {
        panic!("{:?}", d[0].mend)
    };
    assert_eq!(
        (ids.order.as_deref(), ids.opportunity.as_deref()),
        (Some("801NEW"), None)
    );
}
