import { describe, expect, it } from "vitest";
import { en } from "./en";
import { zhCN } from "./zh-CN";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function leaves(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [String(value)];
  return Object.values(value).flatMap(leaves);
}

describe("translations", () => {
  it("have the same keys in both languages", () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it("translate every string (nothing left in English in Chinese)", () => {
    const english = new Set(leaves(en));
    const untranslated = leaves(zhCN).filter((s) => english.has(s) && /[a-z]{3,}/i.test(s) && !s.includes("Storedesk"));
    expect(untranslated).toEqual([]);
  });

  it("keep the same placeholders", () => {
    const flat = (o: unknown): Record<string, string> =>
      Object.fromEntries(keys(o).map((k) => [k, k.split(".").reduce<unknown>((a, p) => (a as Record<string, unknown>)[p], o) as string]));
    const e = flat(en);
    const z = flat(zhCN);
    for (const k of Object.keys(e)) {
      const vars = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect(vars(z[k] ?? ""), k).toEqual(vars(e[k] ?? ""));
    }
  });
});
