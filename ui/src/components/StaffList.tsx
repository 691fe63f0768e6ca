/** Settings' staff card: the store's people and its staff policy; on a stand-alone store a
 *  manager adds and disables people here (a store that syncs manages them at central). */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands, type Role } from "../bindings";
import { unwrap } from "../lib/api";
import { formatMinor } from "../lib/format";
import { ErrorNote } from "./ErrorNote";

const ROLES: Role[] = ["cashier", "supervisor", "manager"];

export function StaffList({ currency }: { currency: string }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const status = useQuery({ queryKey: ["staff-status"], queryFn: () => unwrap(commands.staffStatus()) });
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("cashier");
  const [pin, setPin] = useState("");
  const changed = () => void queries.invalidateQueries({ queryKey: ["staff-status"] });
  const add = useMutation({
    mutationFn: () => unwrap(commands.addStaff(code, name, role, pin)),
    onSuccess: () => {
      setCode("");
      setName("");
      setPin("");
      changed();
    },
  });
  const disable = useMutation({ mutationFn: (who: string) => unwrap(commands.disableStaff(who)), onSuccess: changed });
  const data = status.data;
  if (!data) return <ErrorNote error={status.error} />;
  const policy = data.policy;
  return (
    <div className="card" data-testid="staff-list">
      <h2>{t("staff.title")}</h2>
      <p className="muted">
        {t("staff.policy", {
          refund: formatMinor(String(policy.limits.refund_max_minor), currency),
          discount: policy.limits.discount_max_percent,
          lockout: policy.lockout_minutes,
          idle: policy.idle_lock_minutes,
        })}
      </p>
      {data.managed_at_central && <p className="notice">{t("staff.atCentral")}</p>}
      <table>
        <tbody>
          {data.everyone.map((p) => (
            <tr key={p.code} data-staff-row={p.code}>
              <td><code>{p.code}</code></td>
              <td>{p.name}</td>
              <td>{t(`staff.role.${p.role}`)}</td>
              <td className="muted">{p.active ? (p.locked_until ? t("staff.lockedShort") : "") : t("staff.disabled")}</td>
              <td className="num">
                {!data.managed_at_central && p.active && p.code !== data.signed_in?.code && (
                  <button className="btn" onClick={() => disable.mutate(p.code)} data-testid={`disable-${p.code}`}>{t("staff.disable")}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={disable.error} />
      {!data.managed_at_central && (
        <form className="row" style={{ marginTop: 10 }} onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
          <input placeholder={t("staff.code")} value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} data-testid="staff-code" style={{ width: 120 }} />
          <input placeholder={t("staff.name")} value={name} onChange={(e) => setName(e.target.value)} data-testid="staff-name" />
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="staff-role" aria-label={t("staff.roleLabel")}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`staff.role.${r}`)}</option>)}
          </select>
          <input type="password" inputMode="numeric" placeholder={t("staff.newPin")} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="staff-pin" style={{ width: 160 }} />
          <button className="btn primary" type="submit" disabled={!code || !name || pin.length < 4 || add.isPending} data-testid="staff-add">{t("staff.add")}</button>
        </form>
      )}
      <ErrorNote error={add.error} />
    </div>
  );
}
