/** A PIN pad: pick a person, then type the PIN with the keyboard or tap the digits. The PIN is
 *  shown only as dots; Enter or OK sends it, Backspace or ⌫ takes the last digit back. */
import { useLayoutEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { StaffMember } from "../bindings";
import { ErrorNote } from "./ErrorNote";

const MAX_PIN = 8;
const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

export function PinPad({ people, busy, error, onSubmit, initial }: {
  people: StaffMember[];
  busy: boolean;
  error: unknown;
  onSubmit: (code: string, pin: string) => void;
  initial?: string | null;
}) {
  const { t } = useTranslation();
  const [who, setWho] = useState<string | null>(initial ?? (people.length === 1 ? (people[0]?.code ?? null) : null));
  const [pin, setPin] = useState("");

  const choose = (code: string) => {
    setWho(code);
    setPin("");
  };
  const send = () => {
    if (!who || pin.length < 4 || busy) return;
    onSubmit(who, pin);
    setPin("");
  };
  // Before the pad is painted, so a key typed as soon as it shows is not lost.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!who) return;
      if (/^[0-9]$/.test(e.key)) setPin((p) => (p.length < MAX_PIN ? p + e.key : p));
      else if (e.key === "Backspace") setPin((p) => p.slice(0, -1));
      else if (e.key === "Enter") {
        if (pin.length < 4 || busy) return;
        onSubmit(who, pin);
        setPin("");
      } else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [who, pin, busy, onSubmit]);

  return (
    <div className="pin-pad">
      <div className="pin-people" role="listbox" aria-label={t("staff.who")}>
        {people.map((p) => (
          <button key={p.code} role="option" aria-selected={who === p.code} className={`pin-person ${who === p.code ? "active" : ""}`} data-staff={p.code} onClick={() => choose(p.code)}>
            <span className="pin-name">{p.name}</span>
            <span className="pin-role">{t(`staff.role.${p.role}`)}</span>
            {p.locked_until && <span className="pin-locked">{t("staff.lockedShort")}</span>}
          </button>
        ))}
      </div>
      {who && (
        <div className="pin-entry">
          <div className="pin-dots" aria-label={t("staff.pinTyped", { count: pin.length })} data-pin-length={pin.length}>
            {Array.from({ length: Math.max(4, pin.length) }, (_, i) => (
              <span key={i} className={`pin-dot ${i < pin.length ? "filled" : ""}`} />
            ))}
          </div>
          <div className="pin-keys">
            {DIGITS.map((d) => (
              <button key={d} className="pin-key" data-key={d} onClick={() => setPin((p) => (p.length < MAX_PIN ? p + d : p))}>{d}</button>
            ))}
            <button className="pin-key" data-key="back" aria-label={t("staff.back")} onClick={() => setPin((p) => p.slice(0, -1))}>⌫</button>
            <button className="pin-key" data-key="0" onClick={() => setPin((p) => (p.length < MAX_PIN ? p + "0" : p))}>0</button>
            <button className="pin-key primary" data-key="ok" disabled={pin.length < 4 || busy} onClick={send}>{t("staff.ok")}</button>
          </div>
        </div>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </div>
  );
}
