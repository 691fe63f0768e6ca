/** The window: navigation, the screen, the status bar; keyboard shortcuts; theme and language. */
import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "./bindings";
import { PreparingProgress, StatusBar } from "./components/StatusBar";
import { ErrorNote } from "./components/ErrorNote";
import { unwrap } from "./lib/api";
import { knowCurrency } from "./lib/format";
import { useSyncStatus } from "./live";
import { Catalog } from "./screens/Catalog";
import { Dashboard } from "./screens/Dashboard";
import { Orders } from "./screens/Orders";
import { Reports } from "./screens/Reports";
import { Settings } from "./screens/Settings";
import { applyTheme, storedTheme } from "./lib/theme";
import { useIdleLock } from "./lib/idle";
import { Setup } from "./screens/Setup";
import { Stock } from "./screens/Stock";
import { Sync } from "./screens/Sync";
import { Audit } from "./screens/Audit";
import { FirstManager, SignIn } from "./screens/SignIn";
import { ApprovalProvider } from "./components/Approval";
import type { SignedIn } from "./bindings";

export type Screen = "dashboard" | "orders" | "stock" | "catalog" | "sync" | "reports" | "audit" | "settings";
const SCREENS: Screen[] = ["dashboard", "orders", "stock", "catalog", "sync", "reports", "audit", "settings"];

const mod = typeof navigator !== "undefined" && /Mac/.test(navigator.platform) ? "⌘" : "Ctrl+";

export function App() {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [screen, setScreen] = useState<Screen>("dashboard");
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState(0);
  const [openOrder, setOpenOrder] = useState<string | null>(null);
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => unwrap(commands.appInfo()) });
  const staff = useQuery({
    queryKey: ["staff-status"],
    queryFn: () => unwrap(commands.staffStatus()),
    enabled: !!info.data?.store,
    refetchInterval: (q) => (q.state.data?.waiting_for_central ? 1000 : false),
  });

  useEffect(() => applyTheme(storedTheme()), []);
  useEffect(() => {
    const language = info.data?.language;
    if (language && language !== i18n.language) void i18n.changeLanguage(language);
  }, [info.data?.language, i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  const refresh = useCallback(() => void queries.invalidateQueries(), [queries]);
  const goToOrder = useCallback((number: string) => {
    setOpenOrder(number);
    setScreen("orders");
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = e.ctrlKey || e.metaKey;
      if (command && e.key.toLowerCase() === "n") {
        e.preventDefault();
        setScreen("orders");
        setCreating(true);
      } else if (command && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setScreen("orders");
        setSearch((n) => n + 1);
      } else if (e.key === "F5" || (command && e.key.toLowerCase() === "r")) {
        e.preventDefault();
        refresh();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [refresh]);

  if (info.isLoading) return <main>{t("app.loading")}</main>;
  if (info.error) return <main><ErrorNote error={info.error} /></main>;
  if (!info.data?.store) return <Setup onDone={() => void info.refetch()} />;
  knowCurrency(info.data.store.currency, info.data.currency_decimals ?? 2);
  if (staff.isLoading) return <main>{t("app.loading")}</main>;
  if (staff.error) return <main><ErrorNote error={staff.error} /></main>;
  const signedOn = () => void staff.refetch();
  if (staff.data?.waiting_for_central) {
    return (
      <main className="sign-in" data-testid="staff-waiting">
        <p>{t("staff.waiting")}</p>
        <WaitingProgress />
      </main>
    );
  }
  if (staff.data && !staff.data.has_staff) return <FirstManager onDone={signedOn} />;
  if (staff.data && !staff.data.signed_in) return <SignIn status={staff.data} storeName={info.data.store.name} onDone={signedOn} />;

  return (
    <ApprovalProvider>
    <div className="layout">
      <nav className="sidebar" aria-label="main">
        <div className="brand">{t("app.name")}</div>
        {SCREENS.map((s) => (
          <button key={s} className={`nav-item ${screen === s ? "active" : ""}`} data-nav={s} onClick={() => setScreen(s)}>
            {t(`app.nav.${s}`)}
            {s === "sync" && <DeadBadge />}
          </button>
        ))}
        <div className="spacer" />
        {staff.data?.signed_in && (
          <Who person={staff.data.signed_in} idleMinutes={staff.data.policy.idle_lock_minutes} onLocked={signedOn} />
        )}
        <div className="shortcuts">{t("app.shortcuts", { newOrder: `${mod}N`, search: `${mod}K`, refresh: "F5" })}</div>
      </nav>
      <main data-screen={screen}>
        {screen === "dashboard" && <Dashboard />}
        {screen === "orders" && <Orders creating={creating} setCreating={setCreating} searchSignal={search} open={openOrder} onOpen={setOpenOrder} />}
        {screen === "stock" && <Stock />}
        {screen === "catalog" && <Catalog />}
        {screen === "sync" && <Sync onOpenOrder={goToOrder} />}
        {screen === "reports" && <Reports />}
        {screen === "audit" && <Audit />}
        {screen === "settings" && <Settings info={info.data} onChanged={() => void info.refetch()} />}
      </main>
      <StatusBar />
      <RefreshOnSync />
    </div>
    </ApprovalProvider>
  );
}

/** Who is signed in, the lock, and switching person (tap "Switch", then the next person); the
 *  till locks itself after the store's idle time without a key or a tap. */
function Who({ person, idleMinutes, onLocked }: { person: SignedIn; idleMinutes: number; onLocked: () => void }) {
  const { t } = useTranslation();
  const locked = useRef(onLocked);
  useEffect(() => {
    locked.current = onLocked;
  }, [onLocked]);
  const lock = useCallback(() => {
    void commands.signOut().then(() => locked.current());
  }, []);
  useIdleLock(idleMinutes, lock);
  return (
    <div className="who" data-testid="who">
      <span>{t("staff.signedInAs", { name: person.name, code: person.code })}</span>
      <span className="muted small">{t(`staff.role.${person.role}`)}</span>
      <button className="btn" onClick={lock} data-testid="switch-person">{t("staff.switch")}</button>
    </div>
  );
}

/** How far a new till is in reading central's snapshot, while it waits for the store's staff. */
function WaitingProgress() {
  const status = useSyncStatus();
  return status?.preparing ? <PreparingProgress preparing={status.preparing} /> : null;
}

/** Events central refused, on the Sync button. */
function DeadBadge() {
  const status = useSyncStatus();
  return status && status.dead > 0 ? <span className="nav-badge">{status.dead}</span> : null;
}

/** What sync changes (orders confirmed or held by central, events sent) shows without a click:
 *  the queries are refreshed when the feed cursor, the pending or dead counts or the connection
 *  change. (Its own component, so that the window does not re-render with every status.) */
function RefreshOnSync() {
  const status = useSyncStatus();
  const queries = useQueryClient();
  const key = status ? `${status.cursor}/${status.pending}/${status.dead}/${status.online}` : "";
  useEffect(() => {
    if (key) void queries.invalidateQueries();
  }, [key, queries]);
  return null;
}
