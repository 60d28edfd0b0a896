//! The store's product catalog, as `check` needs it: which skus orders can carry.

use super::{Result, Store, on_pool};

const PRODUCT_SKUS: &str =
    "SELECT sku FROM products WHERE kind IN ('standard', 'evaluation') ORDER BY sku";

impl Store {
    /// Skus of the products orders can carry (standard and evaluation), sorted.
    pub async fn product_skus(&self) -> Result<Vec<String>> {
        let skus: Vec<String> =
            on_pool!(self, p => sqlx::query_scalar(PRODUCT_SKUS).fetch_all(p).await)?;
        Ok(skus)
    }
}
