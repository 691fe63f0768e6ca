import { describe, expect, it } from "vitest";
import { presetPeriod, suggestedName } from "./reports";

describe("report periods", () => {
  // Friday 27 November 2026.
  const friday = new Date(2026, 10, 27, 15, 30);

  it("turns presets into whole local days", () => {
    expect(presetPeriod("today", friday)).toEqual({ from: "2026-11-27", to: "2026-11-27" });
    expect(presetPeriod("week", friday)).toEqual({ from: "2026-11-23", to: "2026-11-27" });
    expect(presetPeriod("month", friday)).toEqual({ from: "2026-11-01", to: "2026-11-27" });
    // A Sunday belongs to the week that started the Monday before; a week may span two months.
    expect(presetPeriod("week", new Date(2026, 10, 1))).toEqual({ from: "2026-10-26", to: "2026-11-01" });
  });

  it("names the file after the report and its period", () => {
    expect(suggestedName("sales", "xlsx", "2026-11-01", "2026-11-27", friday)).toBe("sales-2026-11-01-2026-11-27.xlsx");
    expect(suggestedName("orders", "csv", "2026-11-27", "2026-11-27", friday)).toBe("orders-2026-11-27.csv");
    expect(suggestedName("stock", "pdf", "2026-01-01", "2026-11-27", friday)).toBe("stock-2026-11-27.pdf");
  });
});
