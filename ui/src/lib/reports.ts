/** The Reports screen's choices: the period presets and the file's suggested name. */
import type { Format, ReportKind } from "../bindings";
import { isoDate } from "./format";

export type Preset = "today" | "week" | "month" | "custom";

/** The period a preset stands for, as local `YYYY-MM-DD` dates (weeks start on Monday). */
export function presetPeriod(preset: Exclude<Preset, "custom">, today: Date): { from: string; to: string } {
  const to = isoDate(today);
  if (preset === "today") return { from: to, to };
  if (preset === "week") {
    const sinceMonday = (today.getDay() + 6) % 7;
    return { from: isoDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - sinceMonday)), to };
  }
  return { from: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), to };
}

export const EXTENSIONS: Record<Format, string> = { csv: "csv", xlsx: "xlsx", pdf: "pdf" };

/** `sales-2026-11-01-2026-11-27.xlsx`; the stock report is "as of now", so it names one day. */
export function suggestedName(kind: ReportKind, format: Format, from: string, to: string, today: Date): string {
  const period = kind === "stock" ? isoDate(today) : from === to ? from : `${from}-${to}`;
  return `${kind}-${period}.${EXTENSIONS[format]}`;
}
