/** Formatting money, counts, times and durations for display. Money arrives as a string of
 *  minor units; it is never turned into a float. */

// Each currency's decimals as the core says them (ISO 4217, `app_info`): 2 for CNY, 0 for JPY, 3
// for KWD. A store has one currency, made known before any screen shows money.
const decimalsByCurrency = new Map<string, number>();

/** Makes `currency`'s number of decimals known (the core's, from `app_info`). */
export function knowCurrency(currency: string, decimals: number): void {
  decimalsByCurrency.set(currency, decimals);
}

/** The decimals of a currency the core described; 2 for one it has not (none, in a set-up store). */
export function currencyDecimals(currency: string): number {
  return decimalsByCurrency.get(currency) ?? 2;
}

/** "123450" CNY -> "1,234.50" */
export function formatMinor(minor: string, currency: string, grouping = true): string {
  const negative = minor.startsWith("-");
  const digits = (negative ? minor.slice(1) : minor).replace(/^0+(?=\d)/, "");
  const decimals = currencyDecimals(currency);
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals);
  const fraction = decimals > 0 ? padded.slice(padded.length - decimals) : "";
  const grouped = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : whole;
  return `${negative ? "-" : ""}${grouped}${fraction ? "." + fraction : ""}`;
}

export function formatMoney(minor: string, currency: string): string {
  return `${formatMinor(minor, currency)} ${currency}`;
}

// Building an Intl formatter costs far more than using one (ICU loads the locale's data); the
// lists and the live panel format on every render, so each locale and style gets one, kept.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string, style: "medium" | "short" | "time"): Intl.DateTimeFormat {
  const key = `${locale}|${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      style === "time" ? { hour: "2-digit", minute: "2-digit" } : { dateStyle: style, timeStyle: "short" };
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

export function formatCount(n: number, locale: string): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format.format(n);
}

export function formatDateTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFormat(locale, "medium").format(d);
}

/** Compact, for list rows: "11/27/26, 5:48 AM" / "2026/11/27 05:48". */
export function formatShortDateTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFormat(locale, "short").format(d);
}

export function formatTime(ms: number, locale: string): string {
  return dateFormat(locale, "time").format(new Date(ms));
}

/** Microseconds as "850 µs", "12.3 ms", "1.25 s". */
export function formatMicros(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Seconds as "45 s", "12 min", "3 h 5 min". */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** `YYYY-MM-DD` of a date in local time. */
export function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
