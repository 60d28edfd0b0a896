//! Writing store rows, as the store would: used by the demo, the benchmark and the tests.

use chrono::{DateTime, Utc};

use super::{Result, Store, on_pool};

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
    pub kind: String,
    pub list_price: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewLine {
    pub product_id: Option<i64>,
    pub quantity: Option<i64>,
    /// Exact decimal text, e.g. "12.50".
    pub unit_price: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub order_number: String,
    pub customer_id: Option<i64>,
    pub status: String,
    pub payment_method: Option<String>,
    pub po_number: Option<String>,
    pub currency: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub reissue_of: Option<i64>,
    pub lines: Vec<NewLine>,
}

const INSERT_CUSTOMER: &str = "INSERT INTO customers (email, first_name, last_name, company, phone) \
    VALUES ($1, $2, $3, $4, $5) RETURNING id";
const INSERT_PRODUCT_SQLITE: &str =
    "INSERT INTO products (sku, name, kind, list_price) VALUES ($1, $2, $3, $4) RETURNING id";
const INSERT_PRODUCT_PG: &str = "INSERT INTO products (sku, name, kind, list_price) \
    VALUES ($1, $2, $3, CAST($4 AS NUMERIC)) RETURNING id";
const INSERT_ORDER: &str = "INSERT INTO orders (order_number, customer_id, status, payment_method, po_number, \
      currency, placed_at, updated_at, reissue_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id";
const INSERT_LINE_SQLITE: &str = "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
    VALUES ($1, $2, $3, $4, $5)";
const INSERT_LINE_PG: &str = "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
    VALUES ($1, $2, $3, $4, CAST($5 AS NUMERIC))";

impl Store {
    pub async fn insert_customer(&self, c: &NewCustomer) -> Result<i64> {
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(INSERT_CUSTOMER)
            .bind(&c.email).bind(&c.first_name).bind(&c.last_name).bind(&c.company).bind(&c.phone)
            .fetch_one(p).await)?;
        Ok(id)
    }

    pub async fn insert_product(&self, product: &NewProduct) -> Result<i64> {
        let sql = match self {
            Store::Sqlite(_) => INSERT_PRODUCT_SQLITE,
            Store::Postgres(_) => INSERT_PRODUCT_PG,
        };
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(sql)
            .bind(&product.sku).bind(&product.name).bind(&product.kind).bind(&product.list_price)
            .fetch_one(p).await)?;
        Ok(id)
    }

    /// Inserts an order and its lines in one transaction, as the store's checkout would.
    pub async fn insert_order(&self, o: &NewOrder) -> Result<i64> {
        let line_sql = match self {
            Store::Sqlite(_) => INSERT_LINE_SQLITE,
            Store::Postgres(_) => INSERT_LINE_PG,
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(INSERT_ORDER)
                .bind(&o.order_number).bind(o.customer_id).bind(&o.status).bind(&o.payment_method)
                .bind(&o.po_number).bind(&o.currency).bind(o.placed_at).bind(o.reissue_of)
                .fetch_one(&mut *tx).await?;
            for (i, l) in o.lines.iter().enumerate() {
                sqlx::query(line_sql)
                    .bind(id).bind(i as i64 + 1).bind(l.product_id).bind(l.quantity).bind(&l.unit_price)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }
}
