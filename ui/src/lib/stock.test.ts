import { describe, expect, it } from "vitest";
import { isLow, matchesText, parseDelta, parseThreshold } from "./stock";

describe("stock", () => {
  it("uses the product's threshold, else the store default", () => {
    expect(isLow({ available: 5, low_stock_threshold: null }, 5)).toBe(true);
    expect(isLow({ available: 6, low_stock_threshold: null }, 5)).toBe(false);
    expect(isLow({ available: 6, low_stock_threshold: 10 }, 5)).toBe(true);
    expect(isLow({ available: 1, low_stock_threshold: 0 }, 5)).toBe(false);
  });

  it("filters by SKU or name, any case, including Chinese names", () => {
    const row = { sku: "TEA-LJ-250", name: "龙井茶 Longjing 250g" };
    expect(matchesText(row, "tea-lj")).toBe(true);
    expect(matchesText(row, "龙井")).toBe(true);
    expect(matchesText(row, "  ")).toBe(true);
    expect(matchesText(row, "cup")).toBe(false);
  });

  it("accepts a signed whole number of units and nothing else", () => {
    expect(parseDelta("+12")).toBe(12);
    expect(parseDelta(" -3 ")).toBe(-3);
    expect(parseDelta("7")).toBe(7);
    expect(parseDelta("0")).toBeNull();
    expect(parseDelta("1.5")).toBeNull();
    expect(parseDelta("ten")).toBeNull();
    expect(parseDelta("")).toBeNull();
  });
});

describe("thresholds", () => {
  it("reads empty as the store default and refuses what is not a count", () => {
    expect(parseThreshold("")).toEqual({ ok: true, value: null });
    expect(parseThreshold(" 12 ")).toEqual({ ok: true, value: 12 });
    expect(parseThreshold("0")).toEqual({ ok: true, value: 0 });
    expect(parseThreshold("-1").ok).toBe(false);
    expect(parseThreshold("a lot").ok).toBe(false);
  });
});
