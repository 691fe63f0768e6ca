/** What the shell pushes every second, shared by every screen: the sync status (its own context,
 *  changed only when a value changes, so the window does not re-render every second) and the
 *  live latency series (read by the dashboard's latency panel only). */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { events, type SyncStatus } from "./bindings";
import { addTick, type Series } from "./lib/latency";
import { inTauri } from "./lib/tauri";

const StatusContext = createContext<SyncStatus | null>(null);
const LatencyContext = createContext<Map<string, Series>>(new Map());

function sameStatus(a: SyncStatus | null, b: SyncStatus): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [latency, setLatency] = useState<Map<string, Series>>(new Map());
  useEffect(() => {
    if (!inTauri()) return;
    const stops = [
      events.syncStatusChanged.listen((e) => setStatus((prev) => (sameStatus(prev, e.payload) ? prev : e.payload))),
      events.latencyTick.listen((e) => setLatency((live) => addTick(live, e.payload))),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, []);
  return (
    <StatusContext.Provider value={status}>
      <LatencyContext.Provider value={latency}>{children}</LatencyContext.Provider>
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
