import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { unwrap } from "../lib/api";

/** Narrows a screen to one till of the store ("" = all tills): every till that has taken an
 *  order here, and this one. Orders, the dashboard and reports share it. */
export function TillSelect({ value, onChange, testId = "till-filter" }: { value: string; onChange: (till: string) => void; testId?: string }) {
  const { t } = useTranslation();
  const tills = useQuery({ queryKey: ["store-tills"], queryFn: () => unwrap(commands.storeTills()), refetchInterval: 15_000 });
  const known = tills.data ?? [];
  // A chosen till stays listed even before its first order has arrived here.
  const options = value && !known.includes(value) ? [...known, value] : known;
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} aria-label={t("orders.till")}>
      <option value="">{t("orders.allTills")}</option>
      {options.map((till) => <option key={till} value={till}>{t("status.till", { till })}</option>)}
    </select>
  );
}
