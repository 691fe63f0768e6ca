/** The catalog central sends: products with price, version and a per-product low-stock threshold. */
import { useCallback, useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { commands, type Product } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { Modal } from "../components/Modal";
import { VirtualTable } from "../components/VirtualTable";
import { unwrap } from "../lib/api";
import { formatCount, formatMinor } from "../lib/format";
import { matchesText, parseThreshold } from "../lib/stock";

const column = createColumnHelper<Product>();

export function Catalog() {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<Product | null>(null);
  const catalog = useQuery({ queryKey: ["catalog"], queryFn: () => unwrap(commands.catalog()) });
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => unwrap(commands.appInfo()) });
  const currency = info.data?.store?.currency ?? "";
  const rows = useMemo(() => (catalog.data ?? []).filter((p) => matchesText(p, text)), [catalog.data, text]);
  const rowAt = useCallback((i: number) => rows[i], [rows]);
  const columns = useMemo(
    () => [
      column.accessor("sku", { header: t("orders.sku"), cell: (c) => <strong>{c.getValue()}</strong> }),
      column.accessor("name", { header: t("orders.name") }),
      column.accessor("price_minor", { header: t("catalog.price"), meta: { num: true }, cell: (c) => formatMinor(c.getValue(), currency) }),
      column.accessor("version", { header: t("catalog.version"), meta: { num: true } }),
      column.accessor("active", { header: t("catalog.active"), cell: (c) => (c.getValue() ? t("app.yes") : t("app.no")) }),
      column.accessor("low_stock_threshold", {
        header: t("catalog.threshold"),
        meta: { num: true },
        cell: (c) => c.getValue() ?? <span className="muted">{t("catalog.storeDefault")}</span>,
      }),
    ],
    [t, currency],
  );
  return (
    <div data-testid="catalog">
      <h1>{t("catalog.title")}</h1>
      <div className="row" style={{ marginBottom: 10 }}>
        <input placeholder={t("stock.filter")} value={text} onChange={(e) => setText(e.target.value)} style={{ minWidth: 260 }} />
        <span className="muted">{t("catalog.count", { formatted: formatCount(rows.length, i18n.language) })}</span>
        <span className="muted">{t("catalog.hint")}</span>
      </div>
      <ErrorNote error={catalog.error} />
      <div className="list-pane" style={{ height: "calc(100vh - 150px)" }}>
        <VirtualTable
          columns={columns}
          template="150px 1fr 110px 80px 80px 150px"
          count={rows.length}
          rowAt={rowAt}
          rowKey={(p) => p.sku}
          onSelect={setEditing}
          testId="catalog-list"
          label={t("catalog.title")}
        />
      </div>
      {editing && <Threshold product={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

function Threshold({ product, onClose }: { product: Product; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [value, setValue] = useState(product.low_stock_threshold?.toString() ?? "");
  const parsed = parseThreshold(value);
  const save = useMutation({
    mutationFn: () => unwrap(commands.setProductThreshold(product.sku, parsed.value)),
    onSuccess: () => {
      void queries.invalidateQueries();
      onClose();
    },
  });
  return (
    <Modal title={`${product.sku} · ${product.name}`} onClose={onClose}>
      <form className="grid" onSubmit={(e) => { e.preventDefault(); if (parsed.ok) save.mutate(); }}>
        <label className="field">{t("catalog.threshold")} ({t("catalog.emptyForDefault")})
          <input value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric" autoFocus />
        </label>
        {!parsed.ok && <div className="error" role="alert">{t("catalog.badThreshold")}</div>}
        <ErrorNote error={save.error} />
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn" onClick={onClose}>{t("app.cancel")}</button>
          <button type="submit" className="btn primary" disabled={!parsed.ok || save.isPending}>{t("app.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
