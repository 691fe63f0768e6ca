//! The in-memory catalog cache: SKU -> newest known product. Lookups while taking orders come from
//! here. A write of a newer version replaces the entry; an older version never replaces a newer
//! one. Cache misses and writes both run under the store's connection lock, so a reader can never
//! put a version it read before a write back into the cache after that write.

use std::sync::Arc;

use moka::ops::compute::{CompResult, Op};

use super::Product;

/// SKU -> newest known product version.
pub(crate) struct CatalogCache {
    entries: moka::sync::Cache<String, Arc<Product>>,
}

impl CatalogCache {
    pub(crate) fn new() -> Self {
        Self { entries: moka::sync::Cache::builder().max_capacity(1_000_000).build() }
    }

    pub(crate) fn get(&self, sku: &str) -> Option<Arc<Product>> {
        self.entries.get(sku)
    }

    /// Every cached product (the whole catalog once warmed).
    pub(crate) fn entries(&self) -> Vec<Arc<Product>> {
        self.entries.iter().map(|(_, product)| product).collect()
    }

    /// Keeps `product`, changed by a local setting that keeps its version (the low-stock
    /// threshold), unless the cache already holds a newer version.
    pub(crate) fn offer_setting(&self, product: Arc<Product>) -> Arc<Product> {
        self.offer_if(product, |cached, offered| cached > offered)
    }

    /// Keeps `product` unless the cache already holds the same or a newer version; returns
    /// whichever is cached afterwards.
    pub(crate) fn offer(&self, product: Arc<Product>) -> Arc<Product> {
        self.offer_if(product, |cached, offered| cached >= offered)
    }

    /// Puts `product` in unless `keep(cached version, offered version)` says the cached entry stays.
    fn offer_if(&self, product: Arc<Product>, keep: fn(i64, i64) -> bool) -> Arc<Product> {
        let offered = product.clone();
        let result = self.entries.entry(product.sku.clone()).and_compute_with(|current| match current {
            Some(entry) if keep(entry.value().version, offered.version) => Op::Nop,
            _ => Op::Put(offered),
        });
        match result {
            CompResult::Unchanged(entry) | CompResult::Inserted(entry) | CompResult::ReplacedWith(entry) => {
                entry.into_value()
            }
            _ => product,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(version: i64, price_minor: i64, threshold: Option<i64>) -> Arc<Product> {
        Arc::new(Product {
            sku: "TEA".into(),
            name: "Tea".into(),
            price_minor,
            version,
            active: true,
            low_stock_threshold: threshold,
        })
    }

    #[test]
    fn a_setting_replaces_the_same_version_but_never_a_newer_one() {
        let cache = CatalogCache::new();
        cache.offer(product(3, 1250, None));
        // The same version with a new threshold: the setting is taken.
        assert_eq!(cache.offer_setting(product(3, 1250, Some(8))).low_stock_threshold, Some(8));
        assert_eq!(cache.get("TEA").map(|p| p.low_stock_threshold), Some(Some(8)));
        // A setting read from an older version (a newer price arrived meanwhile) is not taken.
        cache.offer(product(4, 1500, Some(8)));
        let kept = cache.offer_setting(product(3, 1250, Some(2)));
        assert_eq!((kept.version, kept.price_minor, kept.low_stock_threshold), (4, 1500, Some(8)));
        // A version offer never replaces the same version (a setting would be lost).
        cache.offer_setting(product(4, 1500, Some(9)));
        assert_eq!(cache.offer(product(4, 1500, None)).low_stock_threshold, Some(9));
    }
}
