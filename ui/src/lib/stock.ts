/** Stock screen logic: what counts as low, the filter, and the adjustment typed by the operator. */

/** Low when what is available is at or below the product's threshold, else the store's default. */
export function isLow(row: { available: number; low_stock_threshold: number | null }, storeDefault: number): boolean {
  return row.available <= (row.low_stock_threshold ?? storeDefault);
}

/** SKU or name containing the text, ignoring case. */
export function matchesText(row: { sku: string; name: string }, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return !needle || row.sku.toLowerCase().includes(needle) || row.name.toLowerCase().includes(needle);
}

/** "+12", "-3", "7" to a non-zero whole number; null for anything else. */
export function parseDelta(text: string): number | null {
  const m = /^\s*([+-]?)(\d{1,9})\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  return n === 0 ? null : n;
}

/** A threshold as typed: empty means "use the store default" (null); otherwise a whole number >= 0. */
export function parseThreshold(text: string): { ok: true; value: number | null } | { ok: false; value: null } {
  if (!text.trim()) return { ok: true, value: null };
  const m = /^\s*(\d{1,9})\s*$/.exec(text);
  return m ? { ok: true, value: Number(m[1]) } : { ok: false, value: null };
}
