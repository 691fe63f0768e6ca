/** What the shell pushes every second (sync status, latency), shared by every screen. */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { events, type SyncStatus } from "./bindings";
import { addTick, type Series } from "./lib/latency";
import { inTauri } from "./lib/tauri";

interface Live {
  status: SyncStatus | null;
  latency: Map<string, Series>;
}

const LiveContext = createContext<Live>({ status: null, latency: new Map() });

export function LiveProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [latency, setLatency] = useState<Map<string, Series>>(new Map());
  useEffect(() => {
    if (!inTauri()) return;
    const stops = [
      events.syncStatusChanged.listen((e) => setStatus(e.payload)),
      events.latencyTick.listen((e) => setLatency((live) => addTick(live, e.payload))),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, []);
  return <LiveContext.Provider value={{ status, latency }}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}
