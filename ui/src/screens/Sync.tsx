/** Sync: online or not, what waits, what central refused (retry, discard), and the orders that
 *  need the operator's decision (attention items) with the actions that resolve them. */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands, type AttentionItem, type OutboxEvent } from "../bindings";
import { ActionForm } from "../components/ActionForm";
import { ErrorNote } from "../components/ErrorNote";
import { Modal } from "../components/Modal";
import { unwrap } from "../lib/api";
import { describeAttention } from "../lib/attention";
import { formatAge, formatDateTime } from "../lib/format";
import { isDestructive, offeredActions } from "../lib/orders";
import { useSyncStatus } from "../live";

export function Sync({ onOpenOrder }: { onOpenOrder: (number: string) => void }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const live = useSyncStatus();
  const polled = useQuery({ queryKey: ["sync-status"], queryFn: () => unwrap(commands.syncStatus()), enabled: !live });
  const status = live ?? polled.data;
  const dead = useQuery({ queryKey: ["outbox", "dead"], queryFn: () => unwrap(commands.outbox("dead")) });
  const attention = useQuery({ queryKey: ["attention"], queryFn: () => unwrap(commands.attentionItems()) });
  const now = useMutation({ mutationFn: () => unwrap(commands.syncNow()), onSettled: () => void queries.invalidateQueries() });

  return (
    <div data-testid="sync">
      <h1>{t("sync.title")}</h1>
      <ErrorNote error={polled.error} />
      {status && (
        <div className="card" data-testid="sync-status" data-online={status.online ? "yes" : "no"}>
          <div className="row" style={{ justifyContent: "space-between" }}>
            <div className="row">
              <span className={`dot ${status.configured ? (status.online ? "online" : "offline") : ""}`} />
              <strong>{status.configured ? (status.online ? t("status.online") : t("status.offline")) : t("status.notConfigured")}</strong>
              {status.central_url && <span className="muted">{t("sync.central")}: {status.central_url}</span>}
            </div>
            <button className="btn primary" data-testid="sync-now" disabled={!status.configured || now.isPending} onClick={() => now.mutate()}>{t("sync.syncNow")}</button>
          </div>
          <div className="grid cards" style={{ marginTop: 12 }}>
            <div>
              <div className="kpi-label">{t("sync.pendingEvents")}</div>
              <div className="kpi-value" data-testid="sync-pending">{status.pending}</div>
              {status.oldest_pending_age_s != null && <div className="muted">{t("sync.oldest", { age: formatAge(status.oldest_pending_age_s) })}</div>}
            </div>
            <div>
              <div className="kpi-label">{t("sync.lastSuccess")}</div>
              <div>{status.last_success_at ? formatDateTime(status.last_success_at, i18n.language) : t("status.never")}</div>
            </div>
            <div>
              <div className="kpi-label">{t("sync.lastError")}</div>
              <div>{status.last_error ? <span style={{ color: "var(--danger)" }}>{status.last_error}</span> : t("app.none")}</div>
              {status.last_error && status.last_error_at && <div className="muted">{formatDateTime(status.last_error_at, i18n.language)}</div>}
            </div>
            <div>
              <div className="kpi-label">{t("sync.cursor")}</div>
              <div>{status.cursor}</div>
            </div>
          </div>
          {now.data && <div className="notice">{t("sync.synced", { sent: now.data.sent, pulled: now.data.pulled })}</div>}
          <ErrorNote error={now.error} />
        </div>
      )}

      <div className="card" style={{ marginTop: 14 }} data-testid="attention">
        <h2>{t("sync.attention")}</h2>
        <ErrorNote error={attention.error} />
        {attention.data?.length === 0 && <p className="muted">{t("sync.noAttention")}</p>}
        {attention.data?.map((item) => <Attention key={item.id} item={item} onOpenOrder={onOpenOrder} />)}
      </div>

      <div className="card" style={{ marginTop: 14 }} data-testid="dead-events">
        <h2>{t("sync.deadEvents")}</h2>
        <ErrorNote error={dead.error} />
        {dead.data?.length === 0 ? <p className="muted">{t("sync.noDead")}</p> : (
          <table>
            <thead><tr><th>{t("sync.kind")}</th><th>{t("sync.aggregate")}</th><th>{t("sync.error")}</th><th /></tr></thead>
            <tbody>{dead.data?.map((e) => <DeadEvent key={e.event_id} event={e} />)}</tbody>
          </table>
        )}
      </div>
    </div>
  );
}

/** One attention item with its order's allowed actions (cancel, usually). */
function Attention({ item, onOpenOrder }: { item: AttentionItem; onOpenOrder: (number: string) => void }) {
  const { t, i18n } = useTranslation();
  const [cancelling, setCancelling] = useState(false);
  const number = item.order_number;
  const order = useQuery({ queryKey: ["order", number], queryFn: () => unwrap(commands.getOrder(number ?? "")), enabled: !!number });
  const actions = offeredActions(order.data?.actions ?? []).filter((a) => a === "cancel");
  return (
    <div className="row" data-testid="attention-item" data-order={number ?? ""} data-kind={item.kind} style={{ justifyContent: "space-between", padding: "8px 0", borderBottom: "1px solid var(--border)" }}>
      <div style={{ minWidth: 0, flex: 1 }}>
        <div><span className="pill on_hold">{t(`sync.kinds.${item.kind}`, { defaultValue: item.kind })}</span> <strong>{number}</strong></div>
        <div data-testid="attention-message">{describeAttention(item, t)}</div>
        <div className="muted" style={{ fontSize: 12 }}>{formatDateTime(item.created_at, i18n.language)}</div>
      </div>
      <div className="row">
        {number && <button className="btn" onClick={() => onOpenOrder(number)}>{t("sync.openOrder")}</button>}
        {number && actions.map((a) => (
          <button key={a} className={`btn ${isDestructive(a) ? "danger" : "primary"}`} data-action={a} onClick={() => setCancelling(true)}>{t("sync.cancelOrder")}</button>
        ))}
      </div>
      {cancelling && number && (
        <ActionForm number={number} event="cancel" onClose={() => setCancelling(false)} />
      )}
    </div>
  );
}

function DeadEvent({ event }: { event: OutboxEvent }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const done = () => void queries.invalidateQueries();
  const retry = useMutation({ mutationFn: () => unwrap(commands.retryEvent(event.event_id)), onSuccess: done });
  const discard = useMutation({ mutationFn: () => unwrap(commands.discardEvent(event.event_id)), onSuccess: done });
  return (
    <tr data-testid="dead-event">
      <td>{event.kind}</td>
      <td>{event.aggregate}</td>
      <td>
        {event.last_error}
        <ErrorNote error={retry.error ?? discard.error} />
      </td>
      <td className="row" style={{ justifyContent: "flex-end" }}>
        <button className="btn small" onClick={() => retry.mutate()} disabled={retry.isPending}>{t("sync.retry")}</button>
        <button className="btn small danger" onClick={() => setConfirming(true)}>{t("sync.discard")}</button>
        {confirming && (
          <Modal title={t("sync.discard")} onClose={() => setConfirming(false)}>
            <p>{t("sync.discardConfirm")}</p>
            <div className="row" style={{ justifyContent: "flex-end" }}>
              <button className="btn" onClick={() => setConfirming(false)}>{t("app.cancel")}</button>
              <button className="btn danger" onClick={() => { setConfirming(false); discard.mutate(); }}>{t("sync.discard")}</button>
            </div>
          </Modal>
        )}
      </td>
    </tr>
  );
}
