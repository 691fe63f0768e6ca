import { describe, expect, it } from "vitest";
import { addToDraft, blocksFor, draftTotal, isDestructive, NO_FILTERS, offeredActions, toQuery } from "./orders";

describe("order actions", () => {
  it("offers exactly what the core allows, in a stable order", () => {
    expect(offeredActions(["cancel", "pay"])).toEqual(["pay", "cancel"]);
    expect(offeredActions(["cancel", "hand_over"])).toEqual(["hand_over", "cancel"]);
    expect(offeredActions([])).toEqual([]);
    // Steps central takes are never buttons.
    expect(offeredActions(["confirm_stock", "hold"])).toEqual([]);
    expect(isDestructive("cancel")).toBe(true);
    expect(isDestructive("ship")).toBe(false);
  });
});

describe("the new-order draft", () => {
  it("adds products, counts repeats, and totals in exact minor units", () => {
    let lines = addToDraft([], { sku: "TEA", name: "Tea", price_minor: "12850" });
    lines = addToDraft(lines, { sku: "CUP", name: "Cup", price_minor: "4550" });
    lines = addToDraft(lines, { sku: "TEA", name: "Tea", price_minor: "12850" });
    expect(lines.map((l) => [l.sku, l.qty])).toEqual([["TEA", 2], ["CUP", 1]]);
    expect(draftTotal(lines)).toBe("30250");
    expect(draftTotal([{ sku: "X", name: "X", priceMinor: "9007199254740993", qty: 3 }])).toBe("27021597764222979");
  });
});

describe("the list's query", () => {
  it("turns the filters into the core's query, the end date inclusive", () => {
    expect(toQuery(NO_FILTERS)).toEqual({ status: null, channel: null, till: null, staff: null, from_ms: null, to_ms: null, search: null });
    expect(toQuery({ ...NO_FILTERS, staff: " ann " }).staff).toBe("ANN");
    const q = toQuery({ status: "paid", channel: "counter", till: " t2 ", staff: "", from: "2026-03-01", to: "2026-03-01", search: "  SKU-1 " });
    expect(q.till).toBe("T2");
    expect(q.status).toBe("paid");
    expect(q.channel).toBe("counter");
    expect(q.search).toBe("SKU-1");
    expect(q.from_ms).toBe(new Date(2026, 2, 1).getTime());
    expect(q.to_ms).toBe(new Date(2026, 2, 2).getTime());
    expect(toQuery({ ...NO_FILTERS, from: "2026-3-1", search: "   " })).toMatchObject({ from_ms: null, search: null });
  });

  it("reads only the blocks that hold the visible rows", () => {
    expect(blocksFor(0, 30, 100)).toEqual([0]);
    expect(blocksFor(95, 130, 100)).toEqual([0, 1]);
    expect(blocksFor(999_990, 999_999, 100)).toEqual([9999]);
    expect(blocksFor(5, 4, 100)).toEqual([]);
  });
});
