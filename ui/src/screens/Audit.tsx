/** The audit trail: every step, sign-in, approval and refusal at this till, newest first;
 *  filtered by person, action and period; the hash chain checked; exported as CSV. */
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { save } from "@tauri-apps/plugin-dialog";
import { commands } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { StaffSelect } from "../components/StaffSelect";
import { unwrap } from "../lib/api";
import { formatShortDateTime } from "../lib/format";

/** A date input's day as the start of that day in UTC (RFC 3339), or null. */
function dayStart(day: string, plus = 0): string | null {
  if (!day) return null;
  const at = new Date(`${day}T00:00:00`);
  at.setDate(at.getDate() + plus);
  return at.toISOString();
}

export function Audit() {
  const { t, i18n } = useTranslation();
  const [staff, setStaff] = useState("");
  const [action, setAction] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const args = [staff || null, action || null, dayStart(from), dayStart(to, 1)] as const;
  const records = useQuery({ queryKey: ["audit", ...args], queryFn: () => unwrap(commands.auditRecords(...args)) });
  const check = useQuery({ queryKey: ["audit-check"], queryFn: () => unwrap(commands.verifyAudit()) });
  const exported = useMutation({
    mutationFn: async () => {
      const path = await save({ defaultPath: "audit.csv", filters: [{ name: "CSV", extensions: ["csv"] }] });
      if (!path) return null;
      return { path, count: await unwrap(commands.exportAudit(path, ...args)) };
    },
  });
  const bad = check.data?.first_bad;
  return (
    <section data-testid="audit">
      <h1>{t("audit.title")}</h1>
      {check.data && (
        <div className={bad ? "error" : "notice"} role={bad ? "alert" : "status"} data-testid="audit-check">
          {bad ? t("audit.broken", { seq: bad.seq, problem: bad.problem }) : t("audit.intact", { count: check.data.records })}
        </div>
      )}
      <div className="row" style={{ margin: "10px 0" }}>
        <label className="field">{t("audit.person")}
          <StaffSelect value={staff} onChange={setStaff} testId="audit-person" />
        </label>
        <label className="field">{t("audit.action")}
          <select value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action">
            <option value="">{t("audit.anyAction")}</option>
            {["order.", "stock.", "catalog.", "staff.sign_in", "staff.approve", "staff.refused", "staff.locked_out", "step.refused", "staff."].map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label className="field">{t("audit.from")}<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label className="field">{t("audit.to")}<input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
        <button className="btn" onClick={() => exported.mutate()} disabled={exported.isPending} data-testid="audit-export">{t("audit.export")}</button>
      </div>
      {exported.data && <div className="notice" role="status">{t("audit.exported", { count: exported.data.count, path: exported.data.path })}</div>}
      <ErrorNote error={records.error ?? exported.error ?? check.error} />
      <table data-testid="audit-table">
        <thead>
          <tr><th>#</th><th>{t("audit.at")}</th><th>{t("audit.person")}</th><th>{t("audit.approvedBy")}</th><th>{t("audit.action")}</th><th>{t("audit.subject")}</th><th>{t("audit.detail")}</th></tr>
        </thead>
        <tbody>
          {(records.data ?? []).slice(0, 500).map((r) => (
            <tr key={r.seq} data-action={r.action}>
              <td className="num">{r.seq}</td>
              <td>{formatShortDateTime(r.at, i18n.language)}</td>
              <td>{r.staff}</td>
              <td>{r.approved_by ?? ""}</td>
              <td><code>{r.action}</code></td>
              <td>{r.subject ?? ""}</td>
              <td className="muted">{r.detail ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {records.data && records.data.length === 0 && <p className="muted">{t("audit.none")}</p>}
    </section>
  );
}
