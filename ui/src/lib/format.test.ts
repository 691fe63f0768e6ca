import { describe, expect, it } from "vitest";
import { formatAge, formatCount, formatDateTime, formatMicros, formatMinor, formatMoney, formatShortDateTime, formatTime, isoDate, knowCurrency } from "./format";

describe("money", () => {
  it("formats minor units with the decimals the core gave for the currency, and grouping", () => {
    knowCurrency("CNY", 2);
    knowCurrency("JPY", 0);
    knowCurrency("KWD", 3);
    knowCurrency("CLF", 4);
    expect(formatMinor("123450", "CNY")).toBe("1,234.50");
    expect(formatMinor("7", "CNY")).toBe("0.07");
    expect(formatMinor("0", "CNY")).toBe("0.00");
    expect(formatMinor("-250", "CNY")).toBe("-2.50");
    expect(formatMinor("1234567", "JPY")).toBe("1,234,567");
    expect(formatMinor("1234", "KWD")).toBe("1.234");
    expect(formatMinor("12345", "CLF")).toBe("1.2345");
    expect(formatMinor("9007199254740993", "CNY", false)).toBe("90071992547409.93");
    expect(formatMoney("43800", "CNY")).toBe("438.00 CNY");
  });

});

describe("durations and dates", () => {
  it("reads latencies and ages at a glance", () => {
    expect(formatMicros(850)).toBe("850 µs");
    expect(formatMicros(1234)).toBe("1.2 ms");
    expect(formatMicros(45_000)).toBe("45 ms");
    expect(formatMicros(1_250_000)).toBe("1.25 s");
    expect(formatAge(42)).toBe("42 s");
    expect(formatAge(720)).toBe("12 min");
    expect(formatAge(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
  });

  it("writes local calendar dates", () => {
    expect(isoDate(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });
});

describe("dates and counts", () => {
  // The formatters are kept per locale and style: each call must still use its own locale.
  const iso = "2026-11-27T05:48:00Z";
  const local = new Date(iso);
  it("format in the locale asked for, each style its own way", () => {
    const en = formatShortDateTime(iso, "en");
    const zh = formatShortDateTime(iso, "zh-CN");
    expect(en).toBe(new Intl.DateTimeFormat("en", { dateStyle: "short", timeStyle: "short" }).format(local));
    expect(zh).toBe(new Intl.DateTimeFormat("zh-CN", { dateStyle: "short", timeStyle: "short" }).format(local));
    expect(zh).not.toBe(en);
    expect(formatShortDateTime(iso, "en")).toBe(en);
    expect(formatDateTime(iso, "en")).toBe(new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" }).format(local));
    expect(formatTime(local.getTime(), "zh-CN")).toBe(new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit" }).format(local));
    expect(formatDateTime("not a date", "en")).toBe("not a date");
  });

  it("group counts by the locale's rules", () => {
    expect(formatCount(1000003, "en")).toBe("1,000,003");
    expect(formatCount(1000003, "de")).toBe("1.000.003");
    expect(formatCount(12, "en")).toBe("12");
  });
});
