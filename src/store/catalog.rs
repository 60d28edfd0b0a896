//! The skus orders can carry, as `check` needs them to compare with the price book.

use super::build::B;
use super::claim::load_lines_sql;
use super::sql::{Stmt, args};
use super::{Result, Store};
use crate::domain::OrderStatus;

pub(crate) struct CatalogSql {
    /// The products table's skus and kinds; without one, the skus on lines of orders in Order Placed.
    skus: Stmt,
}

impl CatalogSql {
    pub fn build(b: &B) -> CatalogSql {
        let skus = match &b.m.products {
            Some(p) => format!(
                "SELECT {} AS sku, {} AS kind FROM {} p",
                b.text("p", Some(&p.sku)),
                b.text("p", p.kind.as_ref()),
                b.t(&p.table)
            ),
            None => {
                let filter = format!(
                    "{} IN (SELECT {} FROM {} o WHERE {})",
                    b.c("l", &b.m.lines.order_id),
                    b.id("o"),
                    b.orders(),
                    format!(
                        "{}{}",
                        b.status_in("o", OrderStatus::OrderPlaced),
                        b.orders_filter("o")
                    )
                );
                format!("SELECT sku, kind FROM ({}) x", load_lines_sql(b, &filter))
            }
        };
        CatalogSql { skus: b.stmt(skus) }
    }
}

impl Store {
    /// Skus of the products orders can carry (standard and evaluation), sorted, deduplicated.
    pub async fn product_skus(&self) -> Result<Vec<String>> {
        let a = args! { "placed" => self.map.code(OrderStatus::OrderPlaced) };
        let rows: Vec<(Option<String>, Option<String>)> =
            self.db.fetch_all(&self.sql.catalog.skus, &a).await?;
        let mut skus: Vec<String> = rows
            .into_iter()
            .filter_map(|(sku, kind)| {
                let sku = sku?.trim().to_string();
                let ok = !sku.is_empty() && self.map.product_kind(kind.as_deref(), &sku).is_ok();
                ok.then_some(sku)
            })
            .collect();
        skus.sort();
        skus.dedup();
        Ok(skus)
    }
}
