/** Orders today, revenue, orders per minute; stock; and live service latency. */
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { Chart } from "../components/Chart";
import { ErrorNote } from "../components/ErrorNote";
import { TillSelect } from "../components/TillSelect";
import { unwrap } from "../lib/api";
import { formatAge, formatCount, formatMicros, formatMoney } from "../lib/format";
import { errorRate, fromRollups, slowestTraced, type Series } from "../lib/latency";
import { STATUSES } from "../lib/orders";
import { useLiveLatency, useSpansDropped, useSyncStatus } from "../live";

type Range = "live" | "hour" | "day";

export function Dashboard() {
  const { t, i18n } = useTranslation();
  const [till, setTill] = useState("");
  const dashboard = useQuery({ queryKey: ["dashboard", till], queryFn: () => unwrap(commands.dashboard(till || null)), refetchInterval: 5_000 });
  const d = dashboard.data;
  const max = Math.max(1, ...(d?.today_by_status.map((s) => s.count) ?? [1]));
  return (
    <div data-testid="dashboard">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h1>{t("dashboard.title")}</h1>
        <TillSelect value={till} onChange={setTill} testId="dashboard-till" />
      </div>
      <ErrorNote error={dashboard.error} />
      {d && (
        <>
          <div className="grid cards">
            <div className="card"><div className="kpi-label">{t("dashboard.ordersToday")}</div><div className="kpi-value" data-testid="orders-today">{formatCount(d.orders_today, i18n.language)}</div></div>
            <div className="card"><div className="kpi-label">{t("dashboard.revenueToday")}</div><div className="kpi-value" data-testid="revenue-today">{formatMoney(d.revenue_today_minor, d.currency)}</div></div>
            <div className="card"><div className="kpi-label">{t("dashboard.available")}</div><div className="kpi-value">{formatCount(d.stock.available, i18n.language)}</div><div className="muted">{t("dashboard.reserved")}: {formatCount(d.stock.reserved, i18n.language)} · {t("dashboard.onHand")}: {formatCount(d.stock.on_hand, i18n.language)}</div></div>
            <div className="card"><div className="kpi-label">{t("dashboard.stockValue")}</div><div className="kpi-value">{formatMoney(d.stock.value_minor, d.currency)}</div></div>
          </div>
          <div className="grid two" style={{ marginTop: 14 }}>
            <div className="card">
              <h2>{t("dashboard.byStatus")}</h2>
              <div className="bar-list">
                {STATUSES.map((status) => {
                  const count = d.today_by_status.find((s) => s.status === status)?.count ?? 0;
                  return (
                    <div className="bar" key={status} data-status={status} data-count={count}>
                      <span>{t(`orderStatus.${status}`)}</span>
                      <div><div className="fill" style={{ width: `${(count / max) * 100}%`, minWidth: count ? 4 : 0 }} /></div>
                      <span className="num">{count}</span>
                    </div>
                  );
                })}
              </div>
            </div>
            <div className="card">
              <h2>{t("dashboard.perMinute")}</h2>
              <Chart
                x={d.orders_per_minute.map((m) => m.minute / 1000)}
                series={[{ label: t("dashboard.orders"), color: "#0f766e", values: d.orders_per_minute.map((m) => m.orders), bars: true }]}
                height={170}
                legend={false}
              />
            </div>
            <div className="card">
              <h2>{t("dashboard.lowStock", { threshold: d.low_stock_threshold })}</h2>
              {d.low_stock.length === 0 ? (
                <p className="muted">{t("dashboard.noLowStock")}</p>
              ) : (
                <table data-testid="low-stock">
                  <thead><tr><th>{t("orders.sku")}</th><th>{t("orders.name")}</th><th className="num">{t("dashboard.available")}</th><th className="num">{t("dashboard.reserved")}</th></tr></thead>
                  <tbody>{d.low_stock.map((r) => (
                    <tr key={r.sku}><td style={{ whiteSpace: "nowrap" }}>{r.sku}</td><td>{r.name}</td><td className="num"><span className="pill low">{r.available}</span></td><td className="num">{r.reserved}</td></tr>
                  ))}</tbody>
                </table>
              )}
            </div>
            <Latency />
          </div>
        </>
      )}
    </div>
  );
}

const COLORS = { p50: "#0f766e", p95: "#d97706", p99: "#dc2626" };

function Latency() {
  const { t } = useTranslation();
  const latency = useLiveLatency();
  const status = useSyncStatus();
  const dropped = useSpansDropped();
  const [range, setRange] = useState<Range>("live");
  const [chosen, setChosen] = useState<string | null>(null);
  const since = range === "hour" ? 3_600_000 : 86_400_000;
  const history = useQuery({
    queryKey: ["latency", range],
    queryFn: () => unwrap(commands.latencyHistory(Date.now() - since)),
    enabled: range !== "live",
    refetchInterval: 30_000,
  });
  const data: Map<string, Series> = useMemo(
    () => (range === "live" ? latency : fromRollups(history.data ?? [])),
    [range, latency, history.data],
  );
  const endpoints = [...data.keys()].sort((a, b) => Number(a.startsWith("local")) - Number(b.startsWith("local")) || a.localeCompare(b));
  const endpoint = chosen && data.has(chosen) ? chosen : endpoints[0];
  const series = endpoint ? data.get(endpoint) : undefined;
  return (
    <div className="card" data-testid="latency">
      <div className="row" style={{ justifyContent: "space-between", marginBottom: 8 }}>
        <h2 style={{ margin: 0 }}>{t("dashboard.latency")}</h2>
        <div className="segmented">
          {(["live", "hour", "day"] as Range[]).map((r) => (
            <button key={r} className={range === r ? "active" : ""} onClick={() => setRange(r)}>{t(`dashboard.range.${r}`)}</button>
          ))}
        </div>
      </div>
      <div className="row muted live-box live-stats">
        <span>{t("dashboard.outboxDepth")}: <strong data-testid="outbox-depth">{status?.pending ?? 0}</strong></span>
        <span>{t("dashboard.oldestPending")}: <strong>{status?.oldest_pending_age_s != null ? formatAge(status.oldest_pending_age_s) : "–"}</strong></span>
        <span>{t("dashboard.traces")}: <strong data-testid="traces">{dropped == null ? t("dashboard.tracesOff") : t("dashboard.tracesOn", { count: dropped })}</strong></span>
      </div>
      {endpoints.length === 0 ? (
        <p className="muted">{t("dashboard.noCalls")}</p>
      ) : (
        <>
          <select value={endpoint} onChange={(e) => setChosen(e.target.value)} aria-label={t("dashboard.endpoint")}>
            {endpoints.map((e) => <option key={e}>{e}</option>)}
          </select>
          {series && (
            <Chart
              x={series.x}
              series={[
                { label: "p50", color: COLORS.p50, values: series.p50 },
                { label: "p95", color: COLORS.p95, values: series.p95 },
                { label: "p99", color: COLORS.p99, values: series.p99 },
              ]}
              yLabel="ms"
              timeLabel={t("dashboard.time")}
              height={180}
            />
          )}
          <SlowestCall series={series} />
          <div className="live-box live-table-box">
            <table className="live-table">
              <thead><tr><th>{t("dashboard.endpoint")}</th><th className="num">{t("dashboard.calls")}</th><th className="num">{t("dashboard.errorRate")}</th><th className="num">p50</th><th className="num">p95</th><th className="num">p99</th></tr></thead>
              <tbody>
                {endpoints.map((e) => {
                  const s = data.get(e);
                  const { calls, rate } = errorRate(s);
                  const last = (a: (number | null)[] | undefined) => [...(a ?? [])].reverse().find((v) => v != null);
                  const fmt = (v: number | null | undefined) => (v == null ? "–" : formatMicros(v * 1000));
                  return (
                    <tr key={e} className={e === endpoint ? "selected" : ""}>
                      <td>{e}</td><td className="num">{calls}</td><td className="num">{(rate * 100).toFixed(1)}%</td>
                      <td className="num">{fmt(last(s?.p50))}</td><td className="num">{fmt(last(s?.p95))}</td><td className="num">{fmt(last(s?.p99))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

/** The chosen endpoint's slowest call with a trace id: its latency, the id (selectable, whole in
 *  its title) and a copy button. */
function SlowestCall({ series }: { series: Series | undefined }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const slowest = slowestTraced(series);
  if (!slowest) return null;
  const copy = () => {
    void navigator.clipboard.writeText(slowest.trace).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <div className="row muted small" style={{ gap: 6, marginTop: 4 }} data-testid="slowest">
      <span>{t("dashboard.slowest")}:</span>
      <strong className="num">{formatMicros(slowest.ms * 1000)}</strong>
      <code className="trace-id" title={slowest.trace} data-testid="slowest-trace">{slowest.trace}</code>
      <button className="btn small" onClick={copy} aria-label={t("dashboard.copyTrace", { trace: slowest.trace })}>
        {copied ? t("dashboard.copied") : t("dashboard.copy")}
      </button>
    </div>
  );
}
