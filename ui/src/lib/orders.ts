/** What the orders screens offer, from what the core says an order may do next. */
import type { OrderEvent, OrderQuery, OrderStatus, SalesChannel } from "../bindings";

/** The order of buttons: the usual next step first, destructive ones last. */
const ORDER: OrderEvent[] = ["pay", "hand_over", "ship", "deliver", "refund", "cancel"];

export function offeredActions(actions: OrderEvent[]): OrderEvent[] {
  return ORDER.filter((a) => actions.includes(a));
}

/** Steps that need the operator to fill something in first. */
export function needsForm(action: OrderEvent): boolean {
  return action === "pay" || action === "ship" || action === "refund" || action === "cancel";
}

export function isDestructive(action: OrderEvent): boolean {
  return action === "cancel" || action === "refund";
}

export const STATUSES: OrderStatus[] = ["created", "paid", "ready_to_ship", "on_hold", "shipped", "delivered", "cancelled", "refunded"];

/** One line of the new-order form. */
export interface DraftLine {
  sku: string;
  name: string;
  priceMinor: string;
  qty: number;
}

/** Adds a product to the draft, or one more of it. */
export function addToDraft(lines: DraftLine[], product: { sku: string; name: string; price_minor: string }): DraftLine[] {
  const existing = lines.find((l) => l.sku === product.sku);
  if (existing) return lines.map((l) => (l.sku === product.sku ? { ...l, qty: l.qty + 1 } : l));
  return [...lines, { sku: product.sku, name: product.name, priceMinor: product.price_minor, qty: 1 }];
}

/** The draft's total in minor units (BigInt: money never goes through floating point). */
export function draftTotal(lines: DraftLine[]): string {
  return lines.reduce((sum, l) => sum + BigInt(l.priceMinor) * BigInt(l.qty), 0n).toString();
}

/** The orders list's filters as the operator set them. */
export interface OrderFilters {
  status: OrderStatus | "";
  channel: SalesChannel | "";
  /** A till of the store (`T2`), or "" for all of them. */
  till: string;
  /** A staff code: the orders that person took a step in or approved; "" for everyone. */
  staff: string;
  /** `YYYY-MM-DD`, local dates, both inclusive. */
  from: string;
  to: string;
  search: string;
}

export const NO_FILTERS: OrderFilters = { status: "", channel: "", till: "", staff: "", from: "", to: "", search: "" };

/** Local midnight of a `YYYY-MM-DD` date, in Unix milliseconds; null when it is not a date. */
function localMidnight(date: string, addDays = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).getTime();
}

/** What the core is asked: the "to" date includes its whole day. */
export function toQuery(f: OrderFilters): OrderQuery {
  const search = f.search.trim();
  const till = f.till.trim().toUpperCase();
  return {
    status: f.status || null,
    channel: f.channel || null,
    till: till || null,
    staff: f.staff.trim().toUpperCase() || null,
    from_ms: localMidnight(f.from),
    to_ms: localMidnight(f.to, 1),
    search: search || null,
  };
}

/** The list is read in blocks of rows; the blocks that hold rows `first..=last`. */
export function blocksFor(first: number, last: number, blockSize: number): number[] {
  if (last < first) return [];
  const out: number[] = [];
  for (let b = Math.floor(first / blockSize); b <= Math.floor(last / blockSize); b++) out.push(b);
  return out;
}
