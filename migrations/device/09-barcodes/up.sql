-- A product's barcodes (catalog CSV column `barcodes`): each code on one product only; a line
-- typed or scanned with a barcode is that product's.
CREATE TABLE product_barcodes (
    code TEXT PRIMARY KEY,
    sku  TEXT NOT NULL REFERENCES products (sku)
) WITHOUT ROWID;
CREATE INDEX product_barcodes_by_sku ON product_barcodes (sku);
