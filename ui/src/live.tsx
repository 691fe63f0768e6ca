/** What the shell pushes every second, shared by every screen: the sync status (its own context,
 *  changed only when a value changes, so the window does not re-render every second) and the
 *  live latency series (read by the dashboard's latency panel only). */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { events, type SyncStatus } from "./bindings";
import { addTick, type Series } from "./lib/latency";
import { inTauri } from "./lib/tauri";

const StatusContext = createContext<SyncStatus | null>(null);
const LatencyContext = createContext<Map<string, Series>>(new Map());
/** Spans the collector did not take; null when traces are not exported. */
const DroppedContext = createContext<number | null>(null);

function sameStatus(a: SyncStatus | null, b: SyncStatus): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [latency, setLatency] = useState<Map<string, Series>>(new Map());
  const [dropped, setDropped] = useState<number | null>(null);
  useEffect(() => {
    if (!inTauri()) return;
    const stops = [
      events.syncStatusChanged.listen((e) => setStatus((prev) => (sameStatus(prev, e.payload) ? prev : e.payload))),
      events.latencyTick.listen((e) => {
        setLatency((live) => addTick(live, e.payload.seconds));
        setDropped(e.payload.spans_dropped);
      }),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, []);
  return (
    <StatusContext.Provider value={status}>
      <LatencyContext.Provider value={latency}>
        <DroppedContext.Provider value={dropped}>{children}</DroppedContext.Provider>
      </LatencyContext.Provider>
    </StatusContext.Provider>
  );
}

/** The sync status (null until the shell's first report). */
export function useSyncStatus(): SyncStatus | null {
  return useContext(StatusContext);
}

/** The last five minutes of latency per endpoint, one point a second. */
export function useLiveLatency(): Map<string, Series> {
  return useContext(LatencyContext);
}

/** Spans this till dropped because the collector did not take them (null: traces not exported). */
export function useSpansDropped(): number | null {
  return useContext(DroppedContext);
}
