//! Seeding: products (in the store and the fake's price book), customers, and a mix of orders
//! of every route plus Incomplete and malformed ones, inserted as the store's checkout would.

use anyhow::{Context, Result};
use chrono::Utc;
use fake_salesforce::FakeSalesforce;
use order_sync::store::{NewCustomer, NewLine, NewOrder, NewProduct, Store};

/// What kind of order was seeded, and so what must become of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Card,
    PurchaseOrder,
    /// An EVAL line; `po` says whether it is paid by purchase order.
    Evaluation {
        po: bool,
    },
    Incomplete,
    NoLines,
    ZeroQuantity,
    UnknownPayment,
    UnknownSku,
}

impl Kind {
    pub fn is_malformed(self) -> bool {
        matches!(
            self,
            Kind::NoLines | Kind::ZeroQuantity | Kind::UnknownPayment | Kind::UnknownSku
        )
    }

    /// The status order-sync routes a well-formed order to.
    pub fn routed_status(self) -> Option<&'static str> {
        match self {
            Kind::Card => Some("In Process"),
            Kind::PurchaseOrder => Some("Awaiting Payment"),
            Kind::Evaluation { .. } => Some("Awaiting Evaluation"),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::PurchaseOrder => "purchase_order",
            Kind::Evaluation { .. } => "evaluation",
            Kind::Incomplete => "incomplete",
            Kind::NoLines => "malformed:no_lines",
            Kind::ZeroQuantity => "malformed:zero_quantity",
            Kind::UnknownPayment => "malformed:unknown_payment",
            Kind::UnknownSku => "malformed:unknown_sku",
        }
    }
}

/// Shares of each kind (the rest of 1.0 after these is split over the malformed kinds).
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    pub card: f64,
    pub po: f64,
    pub evaluation: f64,
    pub incomplete: f64,
}

impl Mix {
    pub const CHAOS: Mix = Mix {
        card: 0.55,
        po: 0.2,
        evaluation: 0.15,
        incomplete: 0.05,
    };
    pub const BENCH: Mix = Mix {
        card: 0.7,
        po: 0.2,
        evaluation: 0.1,
        incomplete: 0.0,
    };

    pub fn pick(&self, rng: &mut fastrand::Rng) -> Kind {
        let x = rng.f64();
        let mut edge = self.card;
        for (share, kind) in [
            (0.0, Kind::Card),
            (self.po, Kind::PurchaseOrder),
            (self.evaluation, Kind::Evaluation { po: rng.bool() }),
            (self.incomplete, Kind::Incomplete),
        ] {
            edge += share;
            if x < edge {
                return kind;
            }
        }
        if 1.0 - edge < 1e-9 {
            return Kind::Card;
        }
        [
            Kind::NoLines,
            Kind::ZeroQuantity,
            Kind::UnknownPayment,
            Kind::UnknownSku,
        ][rng.usize(..4)]
    }
}

/// Product and customer ids to build orders from.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub standard: Vec<i64>,
    pub evaluation: i64,
    /// In the store but not in Salesforce's price book.
    pub ghost: i64,
    pub customers: Vec<i64>,
}

/// Creates 20 standard products, the EVAL product and a ghost sku, and `customers` customers.
pub async fn seed_catalog(
    store: &Store,
    fake: &FakeSalesforce,
    customers: usize,
) -> Result<Catalog> {
    let mut standard = Vec::new();
    for i in 1..=20 {
        let sku = format!("SKU-{i:03}");
        standard.push(
            product(
                store,
                Some(fake),
                &sku,
                "standard",
                &format!("{}.00", 10 + i),
            )
            .await?,
        );
    }
    let evaluation = product(store, Some(fake), "EVAL", "evaluation", "0.00").await?;
    let ghost = product(store, None, "GHOST-404", "standard", "9.99").await?;
    let mut ids = Vec::with_capacity(customers);
    for i in 0..customers {
        let c = NewCustomer {
            email: Some(format!("buyer{i}@example.com")),
            first_name: Some("Pat".into()),
            last_name: Some(format!("Buyer{i}")),
            company: (i % 3 == 0).then(|| format!("Lab {i} Inc")),
            phone: None,
        };
        ids.push(
            store
                .insert_customer(&c)
                .await
                .context("inserting a customer")?,
        );
    }
    Ok(Catalog {
        standard,
        evaluation,
        ghost,
        customers: ids,
    })
}

async fn product(
    store: &Store,
    fake: Option<&FakeSalesforce>,
    sku: &str,
    kind: &str,
    price: &str,
) -> Result<i64> {
    if let Some(fake) = fake {
        fake.add_product(sku, sku, price);
    }
    let p = NewProduct {
        sku: sku.into(),
        name: format!("Product {sku}"),
        kind: kind.into(),
        list_price: Some(price.into()),
    };
    store
        .insert_product(&p)
        .await
        .with_context(|| format!("inserting product {sku}"))
}

/// Builds order `n` of `kind` with 1–5 lines (as the store would write it, faults and all).
pub fn build_order(
    kind: Kind,
    catalog: &Catalog,
    rng: &mut fastrand::Rng,
    number: String,
) -> NewOrder {
    let po = matches!(kind, Kind::PurchaseOrder | Kind::Evaluation { po: true });
    let mut lines: Vec<NewLine> = (0..rng.usize(1..=5))
        .map(|_| NewLine {
            sku: None,
            product_id: Some(catalog.standard[rng.usize(..catalog.standard.len())]),
            quantity: Some(rng.i64(1..=4)),
            unit_price: Some(format!("{}.{:02}", rng.u32(5..200), rng.u32(..100))),
        })
        .collect();
    match kind {
        Kind::Evaluation { .. } => {
            lines.truncate(2);
            lines.insert(
                0,
                NewLine {
                    sku: None,
                    product_id: Some(catalog.evaluation),
                    quantity: Some(1),
                    unit_price: Some("0.00".into()),
                },
            );
        }
        Kind::NoLines => lines.clear(),
        Kind::ZeroQuantity => lines[0].quantity = Some(0),
        Kind::UnknownSku => lines[0].product_id = Some(catalog.ghost),
        _ => {}
    }
    NewOrder {
        guest: None,
        order_number: number,
        customer_id: Some(catalog.customers[rng.usize(..catalog.customers.len())]),
        status: if kind == Kind::Incomplete {
            "Incomplete"
        } else {
            "Order Placed"
        }
        .into(),
        payment_method: Some(
            match kind {
                Kind::UnknownPayment => "bitcoin",
                _ if po => "purchase_order",
                _ => "credit_card",
            }
            .into(),
        ),
        po_number: po.then(|| format!("PO-{}", rng.u32(10_000..99_999))),
        currency: Some("USD".into()),
        placed_at: Utc::now(),
        reissue_of: None,
        lines,
    }
}

/// Inserts `count` orders of `mix` with `tasks` concurrent inserters; returns (id, kind) per order.
pub async fn seed_orders(
    store: &Store,
    catalog: &Catalog,
    mix: Mix,
    count: usize,
    tasks: usize,
    prefix: &str,
) -> Result<Vec<(i64, Kind)>> {
    let mut set = tokio::task::JoinSet::new();
    let tasks = tasks.max(1);
    for t in 0..tasks {
        let (store, catalog, prefix) = (store.clone(), catalog.clone(), prefix.to_string());
        let mine: Vec<usize> = (0..count).filter(|n| n % tasks == t).collect();
        set.spawn(async move {
            let mut rng = fastrand::Rng::with_seed(t as u64 + 1);
            let mut out = Vec::with_capacity(mine.len());
            for n in mine {
                let kind = mix.pick(&mut rng);
                let order = build_order(kind, &catalog, &mut rng, format!("{prefix}-{n:07}"));
                out.push((
                    store
                        .insert_order(&order)
                        .await
                        .context("inserting an order")?,
                    kind,
                ));
            }
            anyhow::Ok(out)
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = set.join_next().await {
        all.extend(joined.context("seeding task panicked")??);
    }
    all.sort_by_key(|(id, _)| *id);
    Ok(all)
}
