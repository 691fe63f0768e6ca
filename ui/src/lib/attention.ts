/** What an attention item says, in the operator's language: built from the item's figures (its
 *  `detail`) when the core recorded them, else the core's own message. */
import type { TFunction } from "i18next";
import type { AttentionItem } from "../bindings";

interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

function isShortage(value: unknown): value is Shortage {
  const v = value as Partial<Shortage> | null;
  return typeof v?.sku === "string" && typeof v.requested === "number" && typeof v.available === "number";
}

export function describeAttention(item: Pick<AttentionItem, "kind" | "message" | "detail">, t: TFunction): string {
  const detail = (item.detail ?? {}) as Record<string, unknown>;
  if (item.kind === "reservation_rejected" && Array.isArray(detail.shortages) && detail.shortages.length > 0 && detail.shortages.every(isShortage)) {
    const list = detail.shortages.map((s: Shortage) => t("sync.reasons.shortage", { ...s })).join(t("sync.reasons.separator"));
    return t("sync.reasons.reservation_rejected", { list });
  }
  if (item.kind === "conflict" && typeof detail.sku === "string" && typeof detail.shortfall === "number") {
    return t("sync.reasons.conflict", { sku: detail.sku, shortfall: detail.shortfall });
  }
  return item.message;
}
