//! Catalog files: CSV with the header `sku,name,price[,stock][,barcodes]` (any column order, any
//! case), prices in major units of one currency; `barcodes` is `|`-separated, each code checked
//! (EAN-13/EAN-8/UPC-A check digits), none on two products. Used by the device's `catalog import` and central's.
//!
//! Every row is checked before anything is written; the first problem is reported with the file,
//! line and column, so the caller can refuse the whole file.

use std::collections::HashSet;
use std::io::Read;

use storedesk_domain::{Barcode, Currency, Sku};

/// Whether the file may carry a `stock` column (the device's) or not (central's catalog).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stock {
    Optional,
    Ignored,
}

/// One checked row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub sku: Sku,
    pub name: String,
    pub price_minor: i64,
    /// The counted quantity on hand, when the file gives one.
    pub stock: Option<i64>,
    /// The product's barcodes; `None` when the file has no `barcodes` column (the product keeps
    /// what it has).
    pub barcodes: Option<Vec<Barcode>>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}, column {column}: {message}")]
pub struct CsvError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// Reads and checks every row of a catalog file.
pub fn parse(
    mut input: impl Read,
    source_name: &str,
    currency: Currency,
    stock: Stock,
) -> Result<Vec<CatalogRow>, CsvError> {
    let error = |line: u64, column: &str, message: String| CsvError {
        file: source_name.to_string(),
        line,
        column: column.to_string(),
        message,
    };
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| error(0, "-", format!("cannot read the file: {e}")))?;
    // Spreadsheets often save CSV with a UTF-8 byte order mark.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(body);
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(1);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("expected {expected_len} fields, found {len}")
            }
            csv::ErrorKind::Utf8 { .. } => "the text is not valid UTF-8 (save the file as UTF-8)".to_string(),
            _ => e.to_string(),
        };
        error(line, "-", message)
    };
    let columns =
        Columns::find(reader.headers().map_err(csv_error)?, stock).map_err(|m| error(1, "header", m))?;
    let mut seen = HashSet::new();
    let mut codes = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row = columns
            .read(&record, line, currency)
            .map_err(|(column, message)| error(line, column, message))?;
        if !seen.insert(row.sku.clone()) {
            return Err(error(line, "sku", format!("SKU {} appears more than once", row.sku)));
        }
        for code in row.barcodes.iter().flatten() {
            if let Some(other) = codes.insert(code.clone(), row.sku.clone())
                && other != row.sku
            {
                return Err(error(line, "barcodes", format!("barcode {code} is also {other}'s")));
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Where each column is in the file.
struct Columns {
    sku: usize,
    name: usize,
    price: usize,
    stock: Option<usize>,
    barcodes: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord, stock: Stock) -> Result<Columns, String> {
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(sku), Some(name), Some(price)) = (column("sku"), column("name"), column("price")) else {
            let expected = match stock {
                Stock::Optional => "sku, name, price and optionally stock",
                Stock::Ignored => "sku, name and price",
            };
            return Err(format!(
                "the header must name {expected} (found: {})",
                headers.iter().collect::<Vec<_>>().join(",")
            ));
        };
        let stock = match stock {
            Stock::Optional => column("stock"),
            Stock::Ignored => None,
        };
        Ok(Columns { sku, name, price, stock, barcodes: column("barcodes") })
    }

    /// One row, checked; an error names its column.
    fn read(
        &self,
        record: &csv::StringRecord,
        line: u64,
        currency: Currency,
    ) -> Result<CatalogRow, (&'static str, String)> {
        let field = |at: usize| record.get(at).unwrap_or("");
        let sku = Sku::parse(field(self.sku)).map_err(|e| ("sku", e.to_string()))?;
        let name = field(self.name).to_string();
        if name.is_empty() {
            return Err(("name", "the name is empty".into()));
        }
        let price_minor = currency.parse_major(field(self.price)).map_err(|e| ("price", e.to_string()))?;
        if price_minor < 0 {
            return Err(("price", "the price is negative".into()));
        }
        let stock = match self.stock.map(field).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => return Err(("stock", format!("{text:?} is not a whole number of units (0 or more)"))),
            },
        };
        let barcodes = self
            .barcodes
            .map(|at| {
                field(at)
                    .split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Barcode::parse(c).map_err(|e| ("barcodes", e.to_string())))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(CatalogRow { line, sku, name, price_minor, stock, barcodes })
    }
}
