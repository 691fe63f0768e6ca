/** Report export: choose the report, period, format and language; save through the native
 *  dialog; follow the progress; cancel; open the folder when done. */
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { save } from "@tauri-apps/plugin-dialog";
import { revealItemInDir } from "@tauri-apps/plugin-opener";
import { commands, events, type ExportProgress, type Format, type Lang, type ReportKind } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { TillSelect } from "../components/TillSelect";
import { StaffSelect } from "../components/StaffSelect";
import { useWithApproval } from "../components/Approval";
import { CoreError, unwrap } from "../lib/api";
import { formatCount, isoDate } from "../lib/format";
import { presetPeriod, suggestedName, EXTENSIONS, type Preset } from "../lib/reports";

const KINDS: ReportKind[] = ["sales", "stock", "orders"];
const FORMATS: Format[] = ["xlsx", "csv", "pdf"];
const PRESETS: Preset[] = ["today", "week", "month", "custom"];

export function Reports() {
  const { t, i18n } = useTranslation();
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => unwrap(commands.appInfo()) });
  const [kind, setKind] = useState<ReportKind>("sales");
  const [format, setFormat] = useState<Format>("xlsx");
  const [lang, setLang] = useState<Lang>(i18n.language === "zh-CN" ? "zh-CN" : "en");
  const [bom, setBom] = useState(false);
  const [till, setTill] = useState("");
  const [staff, setStaff] = useState("");
  const [preset, setPreset] = useState<Preset>("month");
  const [custom, setCustom] = useState(() => presetPeriod("month", new Date()));
  const [running, setRunning] = useState<number | null>(null);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const period = preset === "custom" ? custom : presetPeriod(preset, new Date());

  // Exports that have already said they are done: a small export can finish before the command
  // that started it has answered.
  const finished = useRef(new Set<number>());
  useEffect(() => {
    const stop = events.exportProgress.listen((e) => {
      setProgress((p) => (p && p.id !== e.payload.id ? p : e.payload));
      if (e.payload.done) {
        finished.current.add(e.payload.id);
        setRunning(null);
        if (e.payload.error) setError(new CoreError(e.payload.error));
      }
    });
    return () => void stop.then((unlisten) => unlisten());
  }, []);

  const withApproval = useWithApproval();
  const start = async () => {
    setError(null);
    setProgress(null);
    try {
      const path = await save({
        defaultPath: suggestedName(kind, format, period.from, period.to, new Date()),
        filters: [{ name: format.toUpperCase(), extensions: [EXTENSIONS[format]] }],
      });
      if (!path) return;
      const narrow = { till: kind === "stock" ? null : till || null, staff: kind === "stock" ? null : staff || null };
      // Reports are a manager's: anyone else's export asks for a manager's approval.
      const id = await withApproval(() => unwrap(commands.startExport(kind, format, period.from, period.to, lang, format === "csv" && bom, path, narrow)));
      if (!finished.current.has(id)) setRunning(id);
      setProgress((p) => (p && p.id === id ? p : { id, rows: 0, done: false, path: null, error: null }));
    } catch (e) {
      setError(e);
    }
  };
  const cancel = async () => {
    if (running === null) return;
    try {
      await unwrap(commands.cancelExport(running));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div data-testid="reports">
      <h1>{t("reports.title")}</h1>
      <div className="card grid" style={{ maxWidth: 640 }}>
        <label className="field">{t("reports.kind")}
          <select value={kind} onChange={(e) => setKind(e.target.value as ReportKind)} data-testid="report-kind">
            {KINDS.map((k) => <option key={k} value={k}>{t(`reports.kinds.${k}`)}</option>)}
          </select>
        </label>
        {kind === "stock" ? <p className="muted">{t("reports.stockNote")}</p> : (
          <div className="grid">
            <div className="segmented" role="group" aria-label={t("reports.range")}>
              {PRESETS.map((p) => (
                <button key={p} className={preset === p ? "active" : ""} onClick={() => setPreset(p)}>{t(`reports.presets.${p}`)}</button>
              ))}
            </div>
            <label className="field">{t("orders.till")}
              <TillSelect value={till} onChange={setTill} testId="report-till" />
            </label>
            <label className="field">{t("audit.person")}
              <StaffSelect value={staff} onChange={setStaff} testId="report-staff" />
            </label>
            <div className="row">
              <label className="field">{t("orders.from")}
                <input type="date" value={period.from} disabled={preset !== "custom"} onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))} />
              </label>
              <label className="field">{t("orders.to")}
                <input type="date" value={period.to} max={isoDate(new Date())} disabled={preset !== "custom"} onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))} />
              </label>
            </div>
          </div>
        )}
        <div className="row">
          <label className="field">{t("reports.format")}
            <select value={format} onChange={(e) => setFormat(e.target.value as Format)} data-testid="report-format">
              {FORMATS.map((f) => <option key={f} value={f}>{f.toUpperCase()}</option>)}
            </select>
          </label>
          <label className="field">{t("reports.language")}
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
              <option value="en">English</option>
              <option value="zh-CN">简体中文</option>
            </select>
          </label>
          {format === "csv" && <label className="check"><input type="checkbox" checked={bom} onChange={(e) => setBom(e.target.checked)} />{t("reports.bom")}</label>}
        </div>
        <div className="row">
          <button className="btn primary" data-testid="export" disabled={running !== null || !info.data?.store} onClick={() => void start()}>{t("reports.export")}</button>
          {running !== null && <button className="btn danger" onClick={() => void cancel()}>{t("app.cancel")}</button>}
        </div>
        {running !== null && progress && (
          <div className="notice" data-testid="export-progress">{t("reports.exporting", { rows: formatCount(progress.rows, i18n.language) })}</div>
        )}
        {progress?.done && progress.path && (
          <div className="notice row" data-testid="export-done" style={{ justifyContent: "space-between" }}>
            <span>{t("reports.done", { path: progress.path })}</span>
            <button className="btn small" onClick={() => progress.path && void revealItemInDir(progress.path).catch(setError)}>{t("reports.openFolder")}</button>
          </div>
        )}
        <ErrorNote error={error} />
      </div>
    </div>
  );
}
