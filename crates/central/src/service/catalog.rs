//! The shared catalog. Every change raises the product's version and goes into the change feed,
//! so devices replace older versions in their caches.

use std::collections::HashMap;

use sqlx::Row;
use storedesk_protocol::api::{ChangeBody, ProductChange};

use super::feed::{self, Entry};
use crate::db::{Db, Val, insert_many, now_ms, placeholders};
use crate::error::{CentralError, Result};

/// A product as an admin sends it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ProductInput {
    /// No blanks or `=` inside; surrounding blanks are dropped.
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    /// Not blank.
    #[schema(pattern = r"\S")]
    pub name: String,
    /// Minor units, as a string (`"1250"`); never negative.
    #[serde(with = "storedesk_protocol::minor")]
    #[schema(value_type = String, pattern = r"^\+?[0-9]+$")]
    pub price_minor: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// What an upsert changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct UpsertSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Adds or changes products in one transaction; unchanged ones keep their version.
pub async fn upsert_products(db: &Db, products: &[ProductInput]) -> Result<UpsertSummary> {
    let skus = validate(products)?;
    let mut tx = db.begin().await?;
    let mut current = current_versions(&mut tx, &skus).await?;
    let mut summary = UpsertSummary::default();
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    let now = now_ms();
    for (p, sku) in products.iter().zip(skus) {
        let version = match current.get(sku.as_str()) {
            None => {
                summary.added += 1;
                1
            }
            Some((name, price, version, active))
                if *name != p.name || *price != p.price_minor || *active != p.active =>
            {
                summary.updated += 1;
                version + 1
            }
            Some(_) => {
                summary.unchanged += 1;
                continue;
            }
        };
        current.insert(sku.to_string(), (p.name.clone(), p.price_minor, version, p.active));
        rows.push(vec![
            Val::Text(sku.to_string()),
            Val::Text(p.name.clone()),
            Val::Int(p.price_minor),
            Val::Int(version),
            Val::Int(i64::from(p.active)),
            Val::Int(now),
        ]);
        let change = ProductChange {
            sku,
            name: p.name.clone(),
            price_minor: p.price_minor,
            version,
            active: p.active,
        };
        entries.push(Entry { store_id: None, body: ChangeBody::Product(change) });
    }
    insert_many(
        &mut tx,
        "INSERT INTO products (sku, name, price_minor, version, active, updated_at)",
        &rows,
        " ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
             version = excluded.version, active = excluded.active, updated_at = excluded.updated_at",
    )
    .await?;
    feed::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Every product's SKU (as central keeps it: without surrounding blanks), checked with its name and
/// price; a bad one names its row, and a SKU twice in one request is refused.
fn validate(products: &[ProductInput]) -> Result<Vec<storedesk_domain::Sku>> {
    let mut skus = Vec::with_capacity(products.len());
    let mut seen = std::collections::HashSet::with_capacity(products.len());
    for (i, p) in products.iter().enumerate() {
        let field = |name: &str| format!("products[{i}].{name}");
        let sku = storedesk_domain::Sku::parse(&p.sku)
            .map_err(|e| CentralError::invalid(field("sku"), e.to_string()))?;
        if !seen.insert(sku.clone()) {
            return Err(CentralError::invalid(field("sku"), format!("{sku} is twice in this request")));
        }
        skus.push(sku);
        if p.name.trim().is_empty() {
            return Err(CentralError::invalid(field("name"), "the name is empty"));
        }
        if p.price_minor < 0 {
            return Err(CentralError::invalid(field("price_minor"), "the price is negative"));
        }
    }
    Ok(skus)
}

/// What central has now of these SKUs: name, price, version, active.
async fn current_versions(
    conn: &mut sqlx::AnyConnection,
    skus: &[storedesk_domain::Sku],
) -> Result<HashMap<String, (String, i64, i64, bool)>> {
    let mut current = HashMap::new();
    for chunk in skus.chunks(1000) {
        let sql = format!(
            "SELECT sku, name, price_minor, version, active FROM products WHERE sku IN ({})",
            placeholders(conn, 1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(sku.to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let active: i64 = row.try_get(4)?;
            current.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, active != 0));
        }
    }
    Ok(current)
}

/// Every product, ordered by SKU.
pub async fn list_products(db: &Db) -> Result<Vec<(ProductInput, i64)>> {
    let rows = sqlx::query("SELECT sku, name, price_minor, active, version FROM products ORDER BY sku")
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            let active: i64 = r.try_get(3)?;
            Ok((
                ProductInput {
                    sku: r.try_get(0)?,
                    name: r.try_get(1)?,
                    price_minor: r.try_get(2)?,
                    active: active != 0,
                },
                r.try_get(4)?,
            ))
        })
        .collect()
}
