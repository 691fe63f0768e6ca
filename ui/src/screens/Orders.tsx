/** The orders list (read in blocks, so it stays fast with a million orders), one order's detail
 *  with exactly the actions its status allows, and the new-order form. */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { commands, type OrderEvent, type OrderSummary, type Product, type SalesChannel } from "../bindings";
import { ActionForm } from "../components/ActionForm";
import { ErrorNote } from "../components/ErrorNote";
import { TillSelect } from "../components/TillSelect";
import { StaffSelect } from "../components/StaffSelect";
import { Modal } from "../components/Modal";
import { VirtualTable } from "../components/VirtualTable";
import { unwrap } from "../lib/api";
import { describeAttention } from "../lib/attention";
import { formatCount, formatDateTime, formatMoney, formatMinor, formatShortDateTime } from "../lib/format";
import {
  addToDraft,
  blocksFor,
  draftTotal,
  isDestructive,
  needsForm,
  NO_FILTERS,
  offeredActions,
  STATUSES,
  toQuery,
  type DraftLine,
  type OrderFilters,
} from "../lib/orders";

const BLOCK = 100;
/** Rows per page: each page is one virtual list (a browser cannot scroll a million rows' height,
 *  and the virtualizer keeps a position for every row it is given). */
export const PAGE = 10_000;
const CHANNELS: SalesChannel[] = ["counter", "fulfilment"];
const column = createColumnHelper<OrderSummary>();

interface Props {
  /** The new-order form is open (the shell opens it for Ctrl+N too). */
  creating: boolean;
  setCreating: (open: boolean) => void;
  searchSignal: number;
  open: string | null;
  onOpen: (number: string | null) => void;
}

export function Orders({ creating, setCreating, searchSignal, open, onOpen }: Props) {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<OrderFilters>(NO_FILTERS);
  const [typed, setTyped] = useState("");
  const [range, setRange] = useState<[number, number]>([0, 40]);
  const [pageIndex, setPage] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);

  // Typing searches after a short pause; the other filters apply at once. Only a changed text
  // goes back to the first page (a timer on opening the screen would undo a quick jump).
  useEffect(() => {
    if (typed === filters.search) return;
    const timer = setTimeout(() => {
      setFilters((f) => ({ ...f, search: typed }));
      setPage(0);
    }, 200);
    return () => clearTimeout(timer);
  }, [typed, filters.search]);
  useEffect(() => {
    if (searchSignal > 0) searchBox.current?.focus();
  }, [searchSignal]);

  const query = useMemo(() => toQuery(filters), [filters]);
  const queryKey = JSON.stringify(query);
  const base = pageIndex * PAGE;
  const wanted = useMemo(() => {
    const blocks = blocksFor(base + range[0], base + range[1], BLOCK);
    return blocks.length ? blocks : [Math.floor(base / BLOCK)];
  }, [range, base]);
  const pages = useQueries({
    queries: wanted.map((block) => ({
      queryKey: ["orders", queryKey, block],
      queryFn: () => unwrap(commands.listOrders(query, block * BLOCK, BLOCK)),
      placeholderData: keepPreviousData,
    })),
  });
  const total = pages.find((p) => p.data)?.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / PAGE));
  const page = Math.min(pageIndex, pageCount - 1);
  const rowsOnPage = Math.max(0, Math.min(PAGE, total - page * PAGE));
  const error = pages.find((p) => p.error)?.error;
  const rowAt = useCallback(
    (onPage: number) => {
      const index = base + onPage;
      const block = Math.floor(index / BLOCK);
      const page = pages[wanted.indexOf(block)]?.data;
      return page && page.offset === block * BLOCK ? page.rows[index - page.offset] : undefined;
    },
    [pages, wanted, base],
  );
  const onRange = useCallback((first: number, last: number) => setRange([first, last]), []);

  const columns = useMemo(
    () => [
      column.accessor("number", { header: t("orders.number"), cell: (c) => <strong>{c.getValue()}</strong> }),
      column.accessor("till", { header: t("orders.till"), cell: (c) => <span data-testid="order-till" title={c.getValue() ?? t("orders.centralPlatform")}>{c.getValue() ?? "—"}</span> }),
      column.accessor("channel", { header: t("orders.channel"), cell: (c) => t(`channel.${c.getValue()}`) }),
      column.accessor("status", { header: t("orders.status"), cell: (c) => <span className={`pill ${c.getValue()}`}>{t(`orderStatus.${c.getValue()}`)}</span> }),
      column.accessor("customer", { header: t("orders.customer"), cell: (c) => c.getValue() ?? "" }),
      column.accessor("total_minor", { header: t("orders.total"), cell: (c) => formatMinor(c.getValue(), c.row.original.currency), meta: { num: true } }),
      column.accessor("created_at", { header: t("orders.created"), cell: (c) => formatShortDateTime(c.getValue(), i18n.language) }),
    ],
    [t, i18n.language],
  );

  const set = (patch: Partial<OrderFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(0);
  };
  return (
    <div data-testid="orders">
      <div className="row" style={{ justifyContent: "space-between", marginBottom: 12 }}>
        <h1 style={{ margin: 0 }}>{t("orders.title")}</h1>
        <button className="btn primary" data-testid="new-order" onClick={() => setCreating(true)}>{t("orders.newOrder")}</button>
      </div>
      <div className="row" style={{ marginBottom: 10 }}>
        <input ref={searchBox} data-testid="order-search" placeholder={t("orders.search")} value={typed} onChange={(e) => setTyped(e.target.value)} style={{ minWidth: 260 }} />
        <select data-testid="status-filter" value={filters.status} onChange={(e) => set({ status: e.target.value as OrderFilters["status"] })} aria-label={t("orders.allStatuses")}>
          <option value="">{t("orders.allStatuses")}</option>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`orderStatus.${s}`)}</option>)}
        </select>
        <select data-testid="channel-filter" value={filters.channel} onChange={(e) => set({ channel: e.target.value as OrderFilters["channel"] })} aria-label={t("orders.allChannels")}>
          <option value="">{t("orders.allChannels")}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(`channel.${c}`)}</option>)}
        </select>
        <TillSelect value={filters.till} onChange={(till) => set({ till })} />
        <StaffSelect value={filters.staff} onChange={(staff) => set({ staff })} />
        <label className="row" style={{ gap: 4 }}>{t("orders.from")}<input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} /></label>
        <label className="row" style={{ gap: 4 }}>{t("orders.to")}<input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} /></label>
        <span className="muted" data-testid="order-count" data-count={total}>{t("orders.count", { formatted: formatCount(total, i18n.language) })}</span>
      </div>
      <ErrorNote error={error} />
      <div className="split wide-list">
        <div className="list-pane">
          {total === 0 && !pages.some((p) => p.isLoading) ? (
            <p className="muted">{t("orders.empty")}</p>
          ) : (
            <VirtualTable
              columns={columns}
              template="200px 40px 88px 108px minmax(40px, 1fr) 72px 140px"
              count={rowsOnPage}
              rowAt={rowAt}
              rowKey={(o) => o.number}
              onRange={onRange}
              selected={open}
              onSelect={(o) => onOpen(o.number)}
              resetKey={`${queryKey}#${page}`}
              testId="order-list"
              label={t("orders.title")}
            />
          )}
          {pageCount > 1 && (
            <div className="row pager" data-testid="pager" data-page={page + 1} data-pages={pageCount}>
              <button className="btn small" onClick={() => setPage(0)} disabled={page === 0} aria-label={t("orders.firstPage")}>«</button>
              <button className="btn small" onClick={() => setPage(page - 1)} disabled={page === 0} aria-label={t("orders.prevPage")}>‹</button>
              <span className="muted">{t("orders.page", { page: formatCount(page + 1, i18n.language), pages: formatCount(pageCount, i18n.language) })}</span>
              <button className="btn small" onClick={() => setPage(page + 1)} disabled={page >= pageCount - 1} aria-label={t("orders.nextPage")}>›</button>
              <button className="btn small" data-testid="last-page" onClick={() => setPage(pageCount - 1)} disabled={page >= pageCount - 1} aria-label={t("orders.lastPage")}>»</button>
            </div>
          )}
        </div>
        <div className="detail-pane">{open && <OrderDetailPane number={open} />}</div>
      </div>
      {creating && <NewOrder onClose={() => setCreating(false)} onPlaced={(n) => { setCreating(false); onOpen(n); }} />}
    </div>
  );
}

function OrderDetailPane({ number }: { number: string }) {
  const { t, i18n } = useTranslation();
  const [acting, setActing] = useState<OrderEvent | null>(null);
  const queries = useQueryClient();
  const detail = useQuery({ queryKey: ["order", number], queryFn: () => unwrap(commands.getOrder(number)) });
  const onHold = detail.data?.status === "on_hold";
  // An order on hold has an attention item whose figures say why in the operator's language.
  const attention = useQuery({ queryKey: ["attention"], queryFn: () => unwrap(commands.attentionItems()), enabled: onHold });
  const holdItem = onHold ? attention.data?.find((a) => a.order_number === number && !a.resolved_at) : undefined;
  const act = useMutation({
    mutationFn: (event: OrderEvent) => unwrap(commands.orderAction(number, { event, method: null, amount: null, tracking: null, reason: null, restock: false })),
    onSettled: () => void queries.invalidateQueries(),
  });
  if (detail.error) return <ErrorNote error={detail.error} />;
  const o = detail.data;
  if (!o) return <p className="muted">{t("app.loading")}</p>;
  const actions = offeredActions(o.actions);
  return (
    <div className="card" data-testid="order-detail" data-number={o.number} data-status={o.status}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0 }}>{t("orders.detail", { number: o.number })}</h2>
        <span className={`pill ${o.status}`} data-testid="order-status">{t(`orderStatus.${o.status}`)}</span>
      </div>
      <p className="muted">
        <span data-testid="detail-till">{o.till ? t("status.till", { till: o.till }) : t("orders.centralPlatform")}</span>
        {" · "}{t(`channel.${o.channel}`)} · {formatDateTime(o.created_at, i18n.language)}
        {o.customer ? ` · ${o.customer}` : ""}
      </p>
      {o.hold_reason && (
        <div className="notice" data-testid="hold-reason">
          {t("orders.holdReason", { reason: holdItem ? describeAttention(holdItem, t) : o.hold_reason })}
        </div>
      )}
      {o.tracking && <p>{t("orders.tracking", { tracking: o.tracking })}</p>}
      <div className="row" data-testid="order-actions" style={{ margin: "10px 0" }}>
        {actions.length === 0 && <span className="muted">{t("orders.noActions")}</span>}
        {actions.map((a) => (
          <button
            key={a}
            data-action={a}
            className={`btn ${isDestructive(a) ? "danger" : "primary"}`}
            disabled={act.isPending}
            onClick={() => (needsForm(a) ? setActing(a) : act.mutate(a))}
          >
            {t(`action.${a}`)}
          </button>
        ))}
      </div>
      <ErrorNote error={act.error} />
      <h2>{t("orders.lines")}</h2>
      <table>
        <thead><tr><th>{t("orders.sku")}</th><th>{t("orders.name")}</th><th className="num">{t("orders.qty")}</th><th className="num">{t("orders.unitPrice")}</th></tr></thead>
        <tbody>{o.lines.map((l) => (
          <tr key={l.line_no}><td>{l.sku}</td><td>{l.name}</td><td className="num">{l.qty}</td><td className="num">{formatMinor(l.unit_price_minor, o.currency)}</td></tr>
        ))}</tbody>
        <tfoot><tr><td colSpan={3}><strong>{t("orders.total")}</strong></td><td className="num" data-testid="order-total"><strong>{formatMoney(o.total_minor, o.currency)}</strong></td></tr></tfoot>
      </table>
      <h2 style={{ marginTop: 14 }}>{t("orders.payments")}</h2>
      {o.payments.length === 0 ? <p className="muted">{t("app.none")}</p> : (
        <table>
          <tbody>{o.payments.map((p, i) => (
            <tr key={i}><td>{p.kind === "refund" ? t("orders.refund") : t("orders.payment")}</td><td>{t(`method.${p.method}`, { defaultValue: p.method })}</td><td className="num">{formatMoney(p.amount_minor, o.currency)}</td><td>{formatDateTime(p.at, i18n.language)}</td></tr>
          ))}</tbody>
        </table>
      )}
      <h2 style={{ marginTop: 14 }}>{t("orders.timeline")}</h2>
      <ul className="timeline" data-testid="timeline">
        {o.timeline.map((e, i) => (
          <li key={i}>
            <strong>{e.event ? t(`action.${e.event}`) : e.from_central && e.from ? t("orders.centralStep") : t("orders.placed")}</strong> → {t(`orderStatus.${e.to}`)}
            <span className="muted"> · {formatDateTime(e.at, i18n.language)} · <span data-testid="timeline-by">{e.approved_by ? t("orders.byApproved", { actor: e.actor, approver: e.approved_by }) : t("orders.by", { actor: e.actor })}</span></span>
            {e.reason && <div className="muted">{e.reason}</div>}
            {e.from_central && <div className="muted">{t("orders.asCentralHolds")}</div>}
          </li>
        ))}
      </ul>
      {acting && <ActionForm number={o.number} event={acting} currency={o.currency} total={o.total_minor} onClose={() => setActing(null)} />}
    </div>
  );
}

/** The new-order form: SKU search from the catalog cache, quantities, customer, channel. */
function NewOrder({ onClose, onPlaced }: { onClose: () => void; onPlaced: (number: string) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [channel, setChannel] = useState<SalesChannel>("counter");
  const [customer, setCustomer] = useState("");
  const [text, setText] = useState("");
  const [lines, setLines] = useState<DraftLine[]>([]);
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => unwrap(commands.appInfo()) });
  const currency = info.data?.store?.currency ?? "";
  const found = useQuery({
    queryKey: ["catalog-search", text],
    queryFn: () => unwrap(commands.searchCatalog(text)),
    enabled: text.trim().length > 0,
    placeholderData: keepPreviousData,
  });
  const place = useMutation({
    mutationFn: () => unwrap(commands.placeOrder(channel, lines.map((l) => ({ sku: l.sku, qty: l.qty })), customer.trim() || null)),
    onSuccess: (order) => {
      void queries.invalidateQueries();
      onPlaced(order.number);
    },
  });
  const add = (p: Product) => {
    setLines((ls) => addToDraft(ls, p));
    setText("");
  };
  const setQty = (sku: string, qty: number) => setLines((ls) => ls.map((l) => (l.sku === sku ? { ...l, qty } : l)).filter((l) => l.qty > 0));
  return (
    <Modal title={t("orders.newOrder")} onClose={onClose}>
      <div className="grid" data-testid="new-order-form">
        <div className="row">
          <label className="field">{t("orders.channel")}
            <select data-testid="new-order-channel" value={channel} onChange={(e) => setChannel(e.target.value as SalesChannel)}>
              {CHANNELS.map((c) => <option key={c} value={c}>{t(`channel.${c}`)}</option>)}
            </select>
          </label>
          <label className="field" style={{ flex: 1 }}>{t("orders.customer")}<input value={customer} onChange={(e) => setCustomer(e.target.value)} /></label>
        </div>
        <label className="field">{t("orders.addProduct")}
          <input
            data-testid="sku-search"
            value={text}
            autoFocus
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              const top = found.data?.[0];
              if (e.key === "Enter" && top) {
                e.preventDefault();
                add(top);
              }
            }}
          />
        </label>
        {text.trim() && (
          <div className="suggestions" data-testid="suggestions">
            {found.data?.length === 0 && <div className="muted" style={{ padding: 8 }}>{t("orders.noProducts")}</div>}
            {found.data?.map((p) => (
              <button key={p.sku} data-sku={p.sku} onClick={() => add(p)}>
                <span><strong>{p.sku}</strong> {p.name}</span>
                <span className="num">{formatMinor(p.price_minor, currency)}</span>
              </button>
            ))}
          </div>
        )}
        {lines.length === 0 ? <p className="muted">{t("orders.emptyDraft")}</p> : (
          <table data-testid="draft">
            <thead><tr><th>{t("orders.sku")}</th><th>{t("orders.name")}</th><th className="num">{t("orders.qty")}</th><th className="num">{t("orders.unitPrice")}</th></tr></thead>
            <tbody>{lines.map((l) => (
              <tr key={l.sku} data-sku={l.sku}>
                <td>{l.sku}</td><td>{l.name}</td>
                <td className="num"><input type="number" min={0} value={l.qty} style={{ width: 70 }} aria-label={t("orders.qty")} onChange={(e) => setQty(l.sku, Math.max(0, Math.floor(Number(e.target.value) || 0)))} /></td>
                <td className="num">{formatMinor(l.priceMinor, currency)}</td>
              </tr>
            ))}</tbody>
            <tfoot><tr><td colSpan={3}><strong>{t("orders.total")}</strong></td><td className="num"><strong>{formatMoney(draftTotal(lines), currency)}</strong></td></tr></tfoot>
          </table>
        )}
        <ErrorNote error={place.error} />
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button className="btn" onClick={onClose}>{t("app.cancel")}</button>
          <button className="btn primary" data-testid="place-order" disabled={lines.length === 0 || place.isPending} onClick={() => place.mutate()}>{t("orders.place")}</button>
        </div>
      </div>
    </Modal>
  );
}
