/** Stock levels, an adjustment with a reason, and one SKU's ledger. */
import { useCallback, useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { commands, type AdjustReason, type StockRow } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { Modal } from "../components/Modal";
import { useWithApproval } from "../components/Approval";
import { StaffSelect } from "../components/StaffSelect";
import { VirtualTable } from "../components/VirtualTable";
import { unwrap } from "../lib/api";
import { formatCount, formatShortDateTime } from "../lib/format";
import { isLow, matchesText, parseDelta } from "../lib/stock";

const column = createColumnHelper<StockRow>();
const REASONS: AdjustReason[] = ["receipt", "count", "damage"];

export function Stock() {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [adjusting, setAdjusting] = useState<StockRow | null>(null);
  const levels = useQuery({ queryKey: ["stock"], queryFn: () => unwrap(commands.stockLevels()) });
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => unwrap(commands.appInfo()) });
  const storeDefault = info.data?.low_stock_threshold ?? 0;
  const rows = useMemo(() => (levels.data ?? []).filter((r) => matchesText(r, text)), [levels.data, text]);
  const rowAt = useCallback((i: number) => rows[i], [rows]);
  const columns = useMemo(
    () => [
      column.accessor("sku", { header: t("orders.sku"), cell: (c) => <strong>{c.getValue()}</strong> }),
      column.accessor("name", { header: t("orders.name") }),
      column.accessor("on_hand", { header: t("dashboard.onHand"), meta: { num: true } }),
      column.accessor("reserved", { header: t("dashboard.reserved"), meta: { num: true } }),
      column.accessor("available", {
        header: t("dashboard.available"),
        meta: { num: true },
        cell: (c) => (isLow(c.row.original, storeDefault) ? <span className="pill low">{c.getValue()}</span> : c.getValue()),
      }),
      column.display({
        id: "adjust",
        header: "",
        cell: (c) => (
          <button className="btn small" data-adjust={c.row.original.sku} onClick={(e) => { e.stopPropagation(); setAdjusting(c.row.original); }}>
            {t("stock.adjust")}
          </button>
        ),
      }),
    ],
    [t, storeDefault],
  );
  return (
    <div data-testid="stock">
      <h1>{t("stock.title")}</h1>
      <div className="row" style={{ marginBottom: 10 }}>
        <input placeholder={t("stock.filter")} value={text} onChange={(e) => setText(e.target.value)} style={{ minWidth: 260 }} />
        <span className="muted">{t("catalog.count", { formatted: formatCount(rows.length, i18n.language) })}</span>
      </div>
      <ErrorNote error={levels.error} />
      <div className="split">
        <div className="list-pane">
          <VirtualTable
            columns={columns}
            template="110px minmax(140px, 1fr) 72px 72px 76px 64px"
            count={rows.length}
            rowAt={rowAt}
            rowKey={(r) => r.sku}
            selected={selected}
            onSelect={(r) => setSelected(r.sku)}
            testId="stock-list"
            label={t("stock.title")}
          />
        </div>
        <div className="detail-pane">{selected && <Ledger sku={selected} />}</div>
      </div>
      {adjusting && <Adjust row={adjusting} onClose={() => setAdjusting(null)} />}
      {levels.isFetched && !levels.error && (levels.data?.length ?? 0) === 0 && <p className="muted">{t("app.none")}</p>}
    </div>
  );
}

function Ledger({ sku }: { sku: string }) {
  const { t, i18n } = useTranslation();
  const ledger = useQuery({ queryKey: ["ledger", sku], queryFn: () => unwrap(commands.stockLedger(sku)) });
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  const [staff, setStaff] = useState("");
  const rows = (ledger.data ?? []).filter((e) => !staff || e.staff === staff);
  return (
    <div className="card" data-testid="ledger">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>{t("stock.ledger", { sku })}</h2>
        <StaffSelect value={staff} onChange={setStaff} testId="ledger-staff" />
      </div>
      <ErrorNote error={ledger.error} />
      {ledger.data && rows.length === 0 && <p className="muted">{t("app.none")}</p>}
      <table>
        <thead><tr><th>{t("stock.reason")}</th><th className="num">{t("stock.change")}</th></tr></thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td>
                {t(`ledgerReason.${e.reason}`, { defaultValue: e.reason })}
                <div className="muted small">
                  {formatShortDateTime(e.at, i18n.language)}
                  {e.order_number && <span data-testid="ledger-order" style={{ whiteSpace: "nowrap" }}> · {e.order_number}</span>}
                  {e.staff && <span data-testid="ledger-staff-code"> · {t("orders.by", { actor: e.staff })}</span>}
                </div>
                {e.note && e.reason !== "sync" ? <div className="muted small">{e.note}</div> : null}
              </td>
              <td className="num" style={{ whiteSpace: "nowrap" }}>{signed(e.delta_on_hand)} / {signed(e.delta_reserved)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Adjust({ row, onClose }: { row: StockRow; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<AdjustReason>("receipt");
  const [note, setNote] = useState("");
  const parsed = parseDelta(delta);
  const withApproval = useWithApproval();
  const adjust = useMutation({
    mutationFn: () => withApproval(() => unwrap(commands.adjustStock(row.sku, parsed ?? 0, reason, note.trim() || null))),
    onSuccess: () => {
      void queries.invalidateQueries();
      onClose();
    },
  });
  return (
    <Modal title={t("stock.adjustTitle", { sku: row.sku })} onClose={onClose}>
      <form className="grid" onSubmit={(e) => { e.preventDefault(); if (parsed !== null) adjust.mutate(); }}>
        <p className="muted">{row.name} · {t("dashboard.onHand")} {row.on_hand} · {t("dashboard.reserved")} {row.reserved}</p>
        <label className="field">{t("stock.delta")}<input data-testid="adjust-delta" value={delta} onChange={(e) => setDelta(e.target.value)} inputMode="numeric" autoFocus /></label>
        <label className="field">{t("stock.reason")}
          <select value={reason} onChange={(e) => setReason(e.target.value as AdjustReason)}>
            {REASONS.map((r) => <option key={r} value={r}>{t(`adjustReason.${r}`)}</option>)}
          </select>
        </label>
        <label className="field">{t("stock.note")}<input value={note} onChange={(e) => setNote(e.target.value)} /></label>
        {delta.trim() !== "" && parsed === null && <div className="error" role="alert">{t("stock.badDelta")}</div>}
        <ErrorNote error={adjust.error} />
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn" onClick={onClose}>{t("app.cancel")}</button>
          <button type="submit" className="btn primary" data-testid="adjust-submit" disabled={parsed === null || adjust.isPending}>{t("app.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
