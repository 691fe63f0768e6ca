import i18next from "i18next";
import { describe, expect, it } from "vitest";
import { en } from "../i18n/en";
import { zhCN } from "../i18n/zh-CN";
import { describeAttention } from "./attention";

const i18n = i18next.createInstance();
await i18n.init({
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  lng: "en",
  interpolation: { escapeValue: false },
});

const rejected = {
  kind: "reservation_rejected",
  message: "central could not reserve the stock: not enough stock: TEA: 3 requested, 1 available",
  detail: { code: "insufficient_stock", shortages: [{ sku: "TEA", requested: 3, available: 1 }, { sku: "CUP", requested: 2, available: 0 }] },
};

describe("attention items", () => {
  it("say what central could not reserve from the figures, in the chosen language", () => {
    expect(describeAttention(rejected, i18n.getFixedT("en"))).toBe(
      "Central could not reserve the stock: TEA: 3 requested, 1 available; CUP: 2 requested, 0 available",
    );
    expect(describeAttention(rejected, i18n.getFixedT("zh-CN"))).toBe("总部无法预留库存：TEA：需要 3，可用 1；CUP：需要 2，可用 0");
  });

  it("say what a conflict took", () => {
    const conflict = { kind: "conflict", message: "stock gone", detail: { conflict_id: 4, sku: "POT", shortfall: 2 } };
    expect(describeAttention(conflict, i18n.getFixedT("zh-CN"))).toBe("门店销售占用了总部为此订单预留的库存：POT 缺 2 件");
  });

  it("fall back to the core's message when the figures are missing or malformed", () => {
    const old = { ...rejected, detail: { code: "insufficient_stock" } };
    expect(describeAttention(old, i18n.getFixedT("zh-CN"))).toBe(rejected.message);
    const bad = { ...rejected, detail: { shortages: [{ sku: "TEA", requested: "3" }] } };
    expect(describeAttention(bad, i18n.getFixedT("en"))).toBe(rejected.message);
    expect(describeAttention({ kind: "other", message: "m", detail: null }, i18n.getFixedT("en"))).toBe("m");
  });
});
