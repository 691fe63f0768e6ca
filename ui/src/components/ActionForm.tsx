/** The fields an order step needs (payment method and amount, tracking number, reason, restock),
 *  then the step itself; the core's refusal is shown in the form. */
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands, type OrderEvent, type PaymentMethod } from "../bindings";
import { unwrap } from "../lib/api";
import { formatMinor } from "../lib/format";
import { isDestructive } from "../lib/orders";
import { ErrorNote } from "./ErrorNote";
import { Modal } from "./Modal";
import { useWithApproval } from "./Approval";

export function ActionForm({ number, event, currency = "", total = "0", onClose }: { number: string; event: OrderEvent; currency?: string; total?: string; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [method, setMethod] = useState<PaymentMethod>("card");
  const [amount, setAmount] = useState("");
  const [tracking, setTracking] = useState("");
  const [reason, setReason] = useState("");
  const [restock, setRestock] = useState(true);
  const withApproval = useWithApproval();
  const act = useMutation({
    mutationFn: () =>
      withApproval(() => unwrap(
        commands.orderAction(number, {
          event,
          method: event === "pay" ? method : null,
          amount: event === "pay" && amount.trim() ? amount.trim() : null,
          tracking: event === "ship" && tracking.trim() ? tracking.trim() : null,
          reason: (event === "cancel" || event === "refund") && reason.trim() ? reason.trim() : null,
          restock: event === "refund" && restock,
        }),
      )),
    onSuccess: () => {
      void queries.invalidateQueries();
      onClose();
    },
  });
  return (
    <Modal title={`${t(`action.${event}`)} · ${number}`} onClose={onClose}>
      <form className="grid" data-testid="action-form" onSubmit={(e) => { e.preventDefault(); act.mutate(); }}>
        {event === "pay" && (
          <>
            <label className="field">{t("orders.method")}
              <select value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)} data-testid="pay-method">
                {(["card", "cash", "other"] as PaymentMethod[]).map((m) => <option key={m} value={m}>{t(`method.${m}`)}</option>)}
              </select>
            </label>
            <label className="field">{t("orders.amount")}
              <input data-testid="pay-amount" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder={formatMinor(total, currency, false)} inputMode="decimal" autoFocus />
            </label>
          </>
        )}
        {event === "ship" && (
          <label className="field">{t("orders.trackingNumber")}<input value={tracking} onChange={(e) => setTracking(e.target.value)} autoFocus /></label>
        )}
        {(event === "cancel" || event === "refund") && (
          <label className="field">{t("orders.reason")}<input data-testid="action-reason" value={reason} onChange={(e) => setReason(e.target.value)} autoFocus /></label>
        )}
        {event === "refund" && (
          <label className="check"><input type="checkbox" checked={restock} onChange={(e) => setRestock(e.target.checked)} />{t("orders.restock")}</label>
        )}
        <ErrorNote error={act.error} />
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn" onClick={onClose}>{t("app.close")}</button>
          <button type="submit" className={`btn ${isDestructive(event) ? "danger" : "primary"}`} data-testid="action-submit" disabled={act.isPending}>{t(`action.${event}`)}</button>
        </div>
      </form>
    </Modal>
  );
}

