import { describe, expect, it } from "vitest";
import { addTick, emptySeries, errorRate, fromRollups, LIVE_SECONDS, slowestTraced, type Series } from "./latency";

const snap = (endpoint: string, second: number, count = 1, p50 = 1000, trace: string | null = null) => ({
  endpoint,
  second: second * 1000,
  count,
  errors: count > 1 ? 1 : 0,
  p50_us: p50,
  p95_us: p50 * 2,
  p99_us: p50 * 3,
  slowest_us: p50 * 4,
  slowest_trace: trace,
});

describe("live latency", () => {
  it("keeps five minutes per endpoint, in order, ignoring repeats", () => {
    let live = new Map<string, Series>();
    for (let s = 0; s < LIVE_SECONDS + 20; s++) live = addTick(live, [snap("POST /v1/events", s)]);
    live = addTick(live, [snap("POST /v1/events", 5)]);
    const series = live.get("POST /v1/events") ?? emptySeries();
    expect(series.x.length).toBe(LIVE_SECONDS);
    expect(series.x[0]).toBe(20);
    expect(series.x[series.x.length - 1]).toBe(LIVE_SECONDS + 19);
    expect(series.p99[0]).toBe(3);
  });

  it("points at the slowest call with a trace id", () => {
    let live = new Map<string, Series>();
    live = addTick(live, [snap("POST /v1/events", 1, 1, 1000, "a".repeat(32))]);
    live = addTick(live, [snap("POST /v1/events", 2, 1, 9000)]);
    live = addTick(live, [snap("POST /v1/events", 3, 1, 3000, "c".repeat(32))]);
    live = addTick(live, [snap("POST /v1/events", 4, 1, 2000, "d".repeat(32))]);
    expect(slowestTraced(live.get("POST /v1/events"))).toEqual({ ms: 12, trace: "c".repeat(32) });
    expect(slowestTraced(addTick(new Map(), [snap("local x", 1)]).get("local x"))).toBeNull();
    expect(slowestTraced(fromRollups([]).get("none"))).toBeNull();
  });

  it("shows quiet seconds as gaps, not zeros", () => {
    const live = addTick(new Map(), [snap("local dashboard", 1, 0)]);
    expect(live.get("local dashboard")?.p50).toEqual([null]);
  });

  it("reads stored minutes and computes the error rate", () => {
    const rollups = [
      { minute: 60_000, endpoint: "GET /v1/changes", count: 10, errors: 1, p50_us: 2000, p95_us: 4000, p99_us: 9000, max_us: 12000 },
      { minute: 120_000, endpoint: "GET /v1/changes", count: 30, errors: 0, p50_us: 1000, p95_us: 2000, p99_us: 3000, max_us: 5000 },
    ];
    const series = fromRollups(rollups).get("GET /v1/changes");
    expect(series?.x).toEqual([60, 120]);
    expect(series?.p99).toEqual([9, 3]);
    expect(errorRate(series)).toEqual({ calls: 40, rate: 0.025 });
    expect(errorRate(undefined)).toEqual({ calls: 0, rate: 0 });
  });
});
