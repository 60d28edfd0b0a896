//! Bad input, table-driven: every malformed order gets a specific, readable reason; nothing
//! crashes; nothing reaches Salesforce twice.

use order_sync::store::{NewCustomer, NewLine, NewOrder};

use crate::helpers::{Backend, TestApp, on_every_backend};

/// Store rows the cases draw on.
struct Fx {
    widget: i64,
    unpriced: i64,
    odd_kind: i64,
    quoted_sku: i64,
    good: i64,
    no_email: i64,
    no_last_name: i64,
    long_last_name: i64,
    long_company: i64,
    unicode: i64,
}

/// What should become of the order: parked with a reason containing the text, or sent.
enum Expect {
    Parked(&'static str),
    Sent,
    Untouched,
}

type Case = (&'static str, fn(&mut NewOrder, &Fx), Expect);

fn line(product: i64, quantity: i64, price: &str) -> NewLine {
    NewLine {
        sku: None,
        product_id: Some(product),
        quantity: Some(quantity),
        unit_price: Some(price.into()),
    }
}

const CASES: &[Case] = &[
    (
        "no lines",
        |o, _| o.lines.clear(),
        Expect::Parked("the order has no lines"),
    ),
    (
        "zero quantity",
        |o, f| o.lines = vec![line(f.widget, 0, "1.00")],
        Expect::Parked("quantity 0; it must be at least 1"),
    ),
    (
        "negative quantity",
        |o, f| o.lines = vec![line(f.widget, -2, "1.00")],
        Expect::Parked("quantity -2"),
    ),
    (
        "negative price",
        |o, f| o.lines = vec![line(f.widget, 1, "-5.00")],
        Expect::Parked("negative price -5.00"),
    ),
    (
        "price the store forgot",
        |o, f| {
            o.lines = vec![NewLine {
                unit_price: None,
                ..line(f.widget, 1, "0")
            }]
        },
        Expect::Parked("has no unit price"),
    ),
    (
        "quantity the store forgot",
        |o, f| {
            o.lines = vec![NewLine {
                quantity: None,
                ..line(f.widget, 1, "1.00")
            }]
        },
        Expect::Parked("has no quantity"),
    ),
    (
        "product row missing",
        |o, _| o.lines = vec![line(999_999, 1, "1.00")],
        Expect::Parked("product 999999, which is not in the products table"),
    ),
    (
        "line with no product",
        |o, f| {
            o.lines = vec![NewLine {
                product_id: None,
                ..line(f.widget, 1, "1.00")
            }]
        },
        Expect::Parked("line 1 has no product"),
    ),
    (
        "sku not in the price book",
        |o, f| o.lines = vec![line(f.unpriced, 1, "1.00")],
        Expect::Parked("SKU UNPRICED-1 has no active entry"),
    ),
    (
        "unknown product kind",
        |o, f| o.lines = vec![line(f.odd_kind, 1, "1.00")],
        Expect::Parked("unknown kind \"service\""),
    ),
    (
        "missing e-mail",
        |o, f| o.customer_id = Some(f.no_email),
        Expect::Parked("has no e-mail address"),
    ),
    (
        "missing last name",
        |o, f| o.customer_id = Some(f.no_last_name),
        Expect::Parked("has no last name"),
    ),
    (
        "10 KB last name",
        |o, f| o.customer_id = Some(f.long_last_name),
        Expect::Parked("last name is 10240 characters long; Salesforce allows 80"),
    ),
    (
        "10 KB company",
        |o, f| o.customer_id = Some(f.long_company),
        Expect::Parked("company name is 10240 characters long; Salesforce allows 255"),
    ),
    (
        "no customer",
        |o, _| o.customer_id = None,
        Expect::Parked("the order has no customer"),
    ),
    (
        "customer row missing",
        |o, _| o.customer_id = Some(424_242),
        Expect::Parked("customer 424242 is not in the customers table"),
    ),
    (
        "unknown payment method",
        |o, _| o.payment_method = Some("bitcoin".into()),
        Expect::Parked("unknown payment method \"bitcoin\""),
    ),
    (
        "payment method the store forgot",
        |o, _| o.payment_method = None,
        Expect::Parked("the order has no payment method"),
    ),
    (
        "purchase order without a PO number",
        |o, _| o.payment_method = Some("purchase_order".into()),
        Expect::Parked("needs a PO number"),
    ),
    (
        "currency not an ISO code",
        |o, _| o.currency = Some("dollars".into()),
        Expect::Parked("\"dollars\" is not a three-letter ISO code"),
    ),
    (
        "reissue of a missing order",
        |o, _| o.reissue_of = Some(777_777),
        Expect::Parked("reissues order 777777, which does not exist"),
    ),
    (
        "status with a typo",
        |o, _| o.status = "Order placed".into(),
        Expect::Untouched,
    ),
    (
        "Incomplete (payment failed)",
        |o, _| o.status = "Incomplete".into(),
        Expect::Untouched,
    ),
    (
        "unicode and quotes in names",
        |o, f| o.customer_id = Some(f.unicode),
        Expect::Sent,
    ),
    (
        "a quote in the sku (SOQL escaping)",
        |o, f| o.lines = vec![line(f.quoted_sku, 1, "2.00")],
        Expect::Sent,
    ),
    ("a well-formed order beside them", |_, _| {}, Expect::Sent),
];

async fn customer(
    app: &TestApp,
    email: Option<&str>,
    last: Option<String>,
    company: Option<String>,
) -> i64 {
    let c = NewCustomer {
        email: email.map(Into::into),
        first_name: Some("Zoë".into()),
        last_name: last,
        company,
        phone: None,
    };
    app.store.insert_customer(&c).await.expect("customer")
}

async fn fixtures(app: &TestApp) -> Fx {
    let long = "x".repeat(10 * 1024);
    Fx {
        widget: app.product("WIDGET-1", "standard", true).await,
        unpriced: app.product("UNPRICED-1", "standard", false).await,
        odd_kind: app.product("SERVICE-1", "service", true).await,
        quoted_sku: app.product("O'BRIEN-1", "standard", true).await,
        good: customer(app, Some("a@example.com"), Some("Good".into()), None).await,
        no_email: customer(app, None, Some("NoMail".into()), None).await,
        no_last_name: customer(app, Some("b@example.com"), None, None).await,
        long_last_name: customer(app, Some("c@example.com"), Some(long.clone()), None).await,
        long_company: customer(app, Some("d@example.com"), Some("Corp".into()), Some(long)).await,
        unicode: customer(
            app,
            Some("e@example.com"),
            Some("O'Brien-Ñúñez \"Jr\" 😀".into()),
            Some("L'Atelier d'Zoë".into()),
        )
        .await,
    }
}

async fn every_bad_order_gets_a_specific_reason_and_nothing_is_sent_twice(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let fx = fixtures(&app).await;
    let mut placed = Vec::new();
    for (name, edit, expect) in CASES {
        let mut builder = app.order(fx.good).line(fx.widget, 1, "3.00");
        edit(&mut builder.order, &fx);
        placed.push((*name, builder.place().await, expect));
    }

    app.drain(&app.worker(), 20).await;
    app.drain(&app.worker(), 5).await;

    assert!(CASES.len() >= 25);
    let mut sent = 0;
    for (name, id, expect) in placed {
        let d = app.store.order_detail(id).await.unwrap().unwrap();
        match expect {
            Expect::Parked(reason) => {
                assert_eq!(d.sync_state.as_deref(), Some("parked"), "{name}");
                let got = d.last_error.unwrap_or_default();
                assert!(
                    got.contains(reason),
                    "{name}: expected {reason:?} in {got:?}"
                );
                assert_eq!(
                    app.fake
                        .find("Opportunity", "Store_Order_Id__c", &id.to_string())
                        .len(),
                    0,
                    "{name}"
                );
            }
            Expect::Sent => {
                sent += 1;
                assert_eq!(d.status, "In Process", "{name}: {:?}", d.last_error);
                assert_eq!(
                    app.fake
                        .find("Opportunity", "Store_Order_Id__c", &id.to_string())
                        .len(),
                    1,
                    "{name}"
                );
            }
            Expect::Untouched => {
                assert!(d.sync_state.is_none(), "{name} was read for sending");
                assert!(app.history(id).await.is_empty(), "{name}");
            }
        }
    }
    assert_eq!(app.fake.count("Opportunity"), sent);
    let contact = app
        .fake
        .find("Contact", "Store_Customer_Id__c", &fx.unicode.to_string());
    assert_eq!(
        contact[0].fields["LastName"], "O'Brien-Ñúñez \"Jr\" 😀",
        "names arrive intact"
    );
}
on_every_backend!(every_bad_order_gets_a_specific_reason_and_nothing_is_sent_twice);
