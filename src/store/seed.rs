//! Writing store rows as the store's checkout would, through the mapping: for the demo, the
//! benchmark and the tests. Contract names ("Order Placed", "credit_card", "evaluation") are
//! written as the store's codes; anything else is written as given (to seed bad rows).

use chrono::{DateTime, Utc};

use super::build::B;
use super::mapping::{Ident, Src};
use super::read::money_text;
use super::sql::{Args, Stmt, Value, args};
use super::{Result, Store, StoreError};
use crate::domain::{OrderStatus, PaymentMethod, ProductKind};

#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    /// "standard" or "evaluation" (written as the store's code), or any other text as is.
    pub kind: String,
    pub list_price: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewLine {
    pub product_id: Option<i64>,
    /// The sku kept on the line, for stores without a products table.
    pub sku: Option<String>,
    pub quantity: Option<i64>,
    /// Exact decimal text, e.g. "12.50".
    pub unit_price: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub order_number: String,
    pub customer_id: Option<i64>,
    /// The customer's details on the order row (guests, or stores without a customers table).
    pub guest: Option<NewCustomer>,
    /// A status label (written as the store's code), or any other text as is.
    pub status: String,
    pub payment_method: Option<String>,
    pub po_number: Option<String>,
    pub currency: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub reissue_of: Option<i64>,
    pub lines: Vec<NewLine>,
}

pub(crate) struct SeedSql {
    customer: Option<Stmt>,
    product: Option<Stmt>,
    order: Stmt,
    line: Stmt,
    payment: Option<Stmt>,
    store_moves: Stmt,
}

/// `INSERT INTO table (mapped columns…) VALUES (their values…)`, leaving out unmapped ones.
fn insert(
    b: &B,
    table: &Ident,
    cols: &[(Option<&Ident>, String)],
    returning: Option<&Ident>,
) -> Stmt {
    let present: Vec<&(Option<&Ident>, String)> =
        cols.iter().filter(|(c, _)| c.is_some()).collect();
    let names: Vec<String> = present
        .iter()
        .map(|(c, _)| b.q(c.expect("present")))
        .collect();
    let values: Vec<&str> = present.iter().map(|(_, v)| v.as_str()).collect();
    let ret = returning.map_or(String::new(), |id| b.d.returning(&b.q(id)));
    b.stmt(format!(
        "INSERT INTO {} ({}) VALUES ({}){ret}",
        b.t(table),
        names.join(", "),
        values.join(", ")
    ))
}

/// The row's own column behind a mapped value; a joined value is not seeded.
fn col(src: &Option<Src>) -> Option<&Ident> {
    src.as_ref().and_then(Src::column)
}

impl SeedSql {
    pub fn build(b: &B) -> SeedSql {
        let (o, l, m) = (&b.m.orders, &b.m.lines, b.d.money_param(":price"));
        let p = |n: &str| format!(":{n}");
        let number = (!o.number_is_id()).then_some(&o.number);
        let (pay, po) = if b.m.payments.is_some() {
            (None, None)
        } else {
            (col(&o.payment_method), col(&o.po_number))
        };
        let touch = o.updated_at.as_ref().map_or(String::new(), |u| {
            format!(", {} = {}", b.q(u), b.d.time_param(":at"))
        });
        SeedSql {
            store_moves: b.stmt(format!(
                "UPDATE {} SET {} = :to{touch} WHERE {} = :id",
                b.t(&o.table),
                b.q(&o.status),
                b.q(&o.id)
            )),
            customer: b.m.customers.as_ref().map(|c| {
                let cols = [
                    (Some(&c.email), p("email")),
                    (c.first_name.as_ref(), p("first_name")),
                    (Some(&c.last_name), p("last_name")),
                    (c.company.as_ref(), p("company")),
                    (c.phone.as_ref(), p("phone")),
                ];
                insert(b, &c.table, &cols, Some(&c.id))
            }),
            product: b.m.products.as_ref().map(|pr| {
                let cols = [
                    (Some(&pr.sku), p("sku")),
                    (pr.name.as_ref(), p("name")),
                    (pr.kind.as_ref(), p("kind")),
                    (pr.list_price.as_ref(), m.clone()),
                ];
                insert(b, &pr.table, &cols, Some(&pr.id))
            }),
            order: insert(
                b,
                &o.table,
                &[
                    (number, p("number")),
                    (o.customer_id.as_ref(), p("customer_id")),
                    (Some(&o.status), p("status")),
                    (pay, p("payment_method")),
                    (po, p("po_number")),
                    (col(&o.currency), p("currency")),
                    (Some(&o.placed_at), b.d.time_param(":placed_at")),
                    (o.updated_at.as_ref(), b.d.time_param(":placed_at")),
                    (o.reissue_of.as_ref(), p("reissue_of")),
                    (col(&o.customer_email), p("email")),
                    (col(&o.customer_first_name), p("first_name")),
                    (col(&o.customer_last_name), p("last_name")),
                    (col(&o.customer_company), p("company")),
                    (col(&o.customer_phone), p("phone")),
                ],
                Some(&o.id),
            ),
            line: insert(
                b,
                &l.table,
                &[
                    (Some(&l.order_id), p("order_id")),
                    (l.line_no.as_ref(), p("line_no")),
                    (col(&l.product_id), p("product_id")),
                    (col(&l.sku), p("sku")),
                    (col(&l.name), p("sku")),
                    (l.quantity.column(), p("quantity")),
                    (l.price.column().filter(|_| l.per_unit), m.clone()),
                    (col(&l.total), b.d.money_param(":line_total")),
                ],
                None,
            ),
            payment: b.m.payments.as_ref().map(|pm| {
                let cols = [
                    (Some(&pm.order_id), p("order_id")),
                    (Some(&pm.method), p("payment_method")),
                    (pm.po_number.as_ref(), p("po_number")),
                ];
                insert(b, &pm.table, &cols, None)
            }),
        }
    }
}

fn customer_args(c: &NewCustomer) -> Args {
    args! {
        "email" => c.email.clone(), "first_name" => c.first_name.clone(), "last_name" => c.last_name.clone(),
        "company" => c.company.clone(), "phone" => c.phone.clone(),
    }
}

impl Store {
    /// What the store's own admin page does (status and updated_at), for the demo, tests and the
    /// chaos suite; order-sync itself never moves an order this way.
    pub async fn store_moves(&self, id: i64, to: crate::domain::OrderStatus) -> Result<bool> {
        let a = args! {
            "id" => id, "to" => self.map.code(to), "at" => self.map.zone.local_text(chrono::Utc::now()),
        };
        Ok(self.db.execute(&self.sql.seed.store_moves, &a).await? == 1)
    }

    pub async fn insert_customer(&self, c: &NewCustomer) -> Result<i64> {
        let stmt = self
            .sql
            .seed
            .customer
            .as_ref()
            .ok_or_else(|| no_table("customers"))?;
        let mut tx = self.db.begin().await?;
        let id = tx.insert_id(stmt, &customer_args(c)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn insert_product(&self, product: &NewProduct) -> Result<i64> {
        let stmt = self
            .sql
            .seed
            .product
            .as_ref()
            .ok_or_else(|| no_table("products"))?;
        let kind = match product.kind.as_str() {
            "standard" => self.map.kind_code(ProductKind::Standard).to_string(),
            "evaluation" => self.map.kind_code(ProductKind::Evaluation).to_string(),
            other => other.to_string(),
        };
        let price = product.list_price.as_ref().map(|p| self.money_value(p));
        let a = args! { "sku" => product.sku.as_str(), "name" => product.name.as_str(), "kind" => kind }
            .set("price", price.unwrap_or(Value::Text(None)));
        let mut tx = self.db.begin().await?;
        let id = tx.insert_id(stmt, &a).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Inserts an order and its lines in one transaction, as the store's checkout would.
    pub async fn insert_order(&self, o: &NewOrder) -> Result<i64> {
        let status: Value = match OrderStatus::parse(&o.status) {
            Ok(s) => self.map.code(s).into(),
            Err(_) => o.status.as_str().into(),
        };
        let payment = o.payment_method.as_deref().map(|p| match p {
            "credit_card" => self.map.payment_code(PaymentMethod::CreditCard).to_string(),
            "purchase_order" => self
                .map
                .payment_code(PaymentMethod::PurchaseOrder)
                .to_string(),
            other => other.to_string(),
        });
        let a = customer_args(o.guest.as_ref().unwrap_or(&NewCustomer::default()))
            .set("number", o.order_number.as_str())
            .set("customer_id", o.customer_id)
            .set("status", status)
            .set("payment_method", payment)
            .set("po_number", o.po_number.clone())
            .set("currency", o.currency.clone())
            .set("placed_at", self.map.zone.local_text(o.placed_at))
            .set("reissue_of", o.reissue_of);
        let mut tx = self.db.begin().await?;
        let id = tx.insert_id(&self.sql.seed.order, &a).await?;
        let a = a.set("order_id", id);
        if let Some(p) = &self.sql.seed.payment {
            tx.execute(p, &a).await?;
        }
        for (i, l) in o.lines.iter().enumerate() {
            let total = match (&l.unit_price, l.quantity) {
                (Some(p), Some(q)) => p
                    .parse::<rust_decimal::Decimal>()
                    .ok()
                    .map(|p| p * rust_decimal::Decimal::from(q)),
                _ => None,
            };
            let la = a
                .clone()
                .set("line_no", i as i64 + 1)
                .set("product_id", l.product_id)
                .set("sku", l.sku.clone())
                .set("quantity", l.quantity)
                .set(
                    "price",
                    l.unit_price
                        .as_ref()
                        .map_or(Value::Text(None), |p| self.money_value(p)),
                )
                .set("line_total", total.map(|t| money_text(t, self.map.money)));
            tx.execute(&self.sql.seed.line, &la).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// An amount as the store keeps money: decimal text, or integer cents.
    fn money_value(&self, text: &str) -> Value {
        match text.parse::<rust_decimal::Decimal>() {
            Ok(d) if self.map.money == crate::config::MoneyFormat::Cents => {
                money_text(d, self.map.money).into()
            }
            _ => text.into(),
        }
    }
}

fn no_table(which: &str) -> StoreError {
    StoreError::Fatal(format!("the store mapping has no {which} table"))
}
