import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { unwrap } from "../lib/api";

/** Narrows a screen to one person of the store's staff ("" = everyone): Orders, the stock ledger
 *  and the Audit screen share it. */
export function StaffSelect({ value, onChange, testId = "staff-filter" }: { value: string; onChange: (staff: string) => void; testId?: string }) {
  const { t } = useTranslation();
  const status = useQuery({ queryKey: ["staff-status"], queryFn: () => unwrap(commands.staffStatus()) });
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} aria-label={t("audit.person")}>
      <option value="">{t("audit.everyone")}</option>
      {(status.data?.everyone ?? []).map((p) => <option key={p.code} value={p.code}>{p.code} · {p.name}</option>)}
    </select>
  );
}
