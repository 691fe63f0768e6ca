/** Another person's approval on the spot: a step refused for the signed-in person's role opens a
 *  PIN pad for a supervisor or manager; their PIN approves that one step, which is then taken
 *  again (both names are recorded). */
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { CoreError, unwrap } from "../lib/api";
import { Modal } from "./Modal";
import { PinPad } from "./PinPad";

type Ask = (detail: string) => Promise<boolean>;
const ApprovalContext = createContext<Ask>(() => Promise.resolve(false));

/** Runs `step`; when the core refuses it for the person's role, asks for an approval and runs it
 *  once more with it. */
export function useWithApproval() {
  const ask = useContext(ApprovalContext);
  return useCallback(
    async <T,>(step: () => Promise<T>): Promise<T> => {
      try {
        return await step();
      } catch (e) {
        if (e instanceof CoreError && e.code === "not_permitted" && (await ask(e.detail))) return await step();
        throw e;
      }
    },
    [ask],
  );
}

export function ApprovalProvider({ children }: { children: ReactNode }) {
  const [asking, setAsking] = useState<string | null>(null);
  const answer = useRef<(ok: boolean) => void>(() => {});
  const ask = useCallback<Ask>((detail) => {
    setAsking(detail);
    return new Promise<boolean>((resolve) => {
      answer.current = resolve;
    });
  }, []);
  const done = (ok: boolean) => {
    setAsking(null);
    answer.current(ok);
  };
  return (
    <ApprovalContext.Provider value={ask}>
      {children}
      {asking !== null && <ApprovalDialog detail={asking} onDone={done} />}
    </ApprovalContext.Provider>
  );
}

function ApprovalDialog({ detail, onDone }: { detail: string; onDone: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const status = useQuery({ queryKey: ["staff-status"], queryFn: () => unwrap(commands.staffStatus()) });
  const me = status.data?.signed_in?.code;
  const approvers = (status.data?.people ?? []).filter((p) => p.code !== me && p.role !== "cashier");
  const approve = useMutation({
    mutationFn: ({ code, pin }: { code: string; pin: string }) => unwrap(commands.approve(code, pin)),
    onSuccess: () => onDone(true),
  });
  return (
    <Modal title={t("staff.approvalTitle")} onClose={() => onDone(false)}>
      <div data-testid="approval">
        <p>{t("staff.approvalIntro")}</p>
        <p className="muted detail">{detail}</p>
        <PinPad people={approvers} busy={approve.isPending} error={approve.error} onSubmit={(code, pin) => approve.mutate({ code, pin })} />
        <div className="actions">
          <button className="btn" onClick={() => onDone(false)}>{t("app.cancel")}</button>
        </div>
      </div>
    </Modal>
  );
}
