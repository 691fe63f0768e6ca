/** Keeping the live latency view: one-second snapshots per endpoint, the last five minutes. */
import type { Rollup, SecondSnapshot } from "../bindings";

export const LIVE_SECONDS = 300;

export interface Series {
  /** Seconds since the epoch (uPlot's x axis). */
  x: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  count: number[];
  errors: number[];
  /** Each second's slowest call that has a trace id: its latency (ms) and trace id. */
  slowest: (number | null)[];
  traces: (string | null)[];
}

export function emptySeries(): Series {
  return { x: [], p50: [], p95: [], p99: [], count: [], errors: [], slowest: [], traces: [] };
}

/** Adds one tick of snapshots; keeps at most `LIVE_SECONDS` points per endpoint. Returns a new map. */
export function addTick(live: Map<string, Series>, tick: SecondSnapshot[]): Map<string, Series> {
  const next = new Map(live);
  for (const s of tick) {
    const prev = next.get(s.endpoint) ?? emptySeries();
    const x = s.second / 1000;
    if (prev.x.length && (prev.x[prev.x.length - 1] ?? 0) >= x) continue;
    const keep = <T,>(a: T[]): T[] => a.slice(Math.max(0, a.length - LIVE_SECONDS + 1));
    const ms = (us: number) => (s.count > 0 ? us / 1000 : null);
    next.set(s.endpoint, {
      x: [...keep(prev.x), x],
      p50: [...keep(prev.p50), ms(s.p50_us)],
      p95: [...keep(prev.p95), ms(s.p95_us)],
      p99: [...keep(prev.p99), ms(s.p99_us)],
      count: [...keep(prev.count), s.count],
      errors: [...keep(prev.errors), s.errors],
      slowest: [...keep(prev.slowest), s.slowest_trace ? s.slowest_us / 1000 : null],
      traces: [...keep(prev.traces), s.slowest_trace],
    });
  }
  return next;
}

/** Stored minute rollups as series per endpoint (the 1 h and 24 h ranges). */
export function fromRollups(rollups: Rollup[]): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const r of rollups) {
    const s = out.get(r.endpoint) ?? emptySeries();
    s.x.push(r.minute / 1000);
    s.p50.push(r.p50_us / 1000);
    s.p95.push(r.p95_us / 1000);
    s.p99.push(r.p99_us / 1000);
    s.count.push(r.count);
    s.errors.push(r.errors);
    s.slowest.push(null);
    s.traces.push(null);
    out.set(r.endpoint, s);
  }
  return out;
}

/** The slowest call in a series that has a trace id (to find it in a collector or in central's
 *  logs), or null: stored minutes keep none. */
export function slowestTraced(series: Series | undefined): { ms: number; trace: string } | null {
  let best: { ms: number; trace: string } | null = null;
  series?.traces.forEach((trace, i) => {
    const ms = series.slowest[i];
    if (trace && ms != null && (best === null || ms > best.ms)) best = { ms, trace };
  });
  return best;
}

/** Calls and the share that failed, over a series. */
export function errorRate(series: Series | undefined): { calls: number; rate: number } {
  if (!series) return { calls: 0, rate: 0 };
  const calls = series.count.reduce((a, b) => a + b, 0);
  const errors = series.errors.reduce((a, b) => a + b, 0);
  return { calls, rate: calls ? errors / calls : 0 };
}
