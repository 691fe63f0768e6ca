/** The till's first screen once a store has staff: the PIN pad (the lock screen too). A store
 *  without staff asks for its first manager instead. */
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands, type StaffStatus } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { PinPad } from "../components/PinPad";
import { unwrap } from "../lib/api";

export function SignIn({ status, storeName, onDone }: { status: StaffStatus; storeName: string; onDone: () => void }) {
  const { t } = useTranslation();
  const signIn = useMutation({
    mutationFn: ({ code, pin }: { code: string; pin: string }) => unwrap(commands.signIn(code, pin)),
    onSuccess: onDone,
  });
  return (
    <main className="sign-in" data-testid="sign-in">
      <h1>{storeName}</h1>
      <p className="muted">{t("staff.signInIntro")}</p>
      <PinPad people={status.people} busy={signIn.isPending} error={signIn.error} onSubmit={(code, pin) => signIn.mutate({ code, pin })} />
    </main>
  );
}

export function FirstManager({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const add = useMutation({ mutationFn: () => unwrap(commands.addFirstManager(code, name, pin)), onSuccess: onDone });
  const mismatch = again.length > 0 && again !== pin;
  return (
    <main className="sign-in" data-testid="first-manager">
      <h1>{t("staff.firstTitle")}</h1>
      <p className="muted">{t("staff.firstIntro")}</p>
      <div className="grid" style={{ maxWidth: 420 }}>
        <label className="field">{t("staff.code")}<input value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} autoFocus data-testid="first-code" /></label>
        <label className="field">{t("staff.name")}<input value={name} onChange={(e) => setName(e.target.value)} data-testid="first-name" /></label>
        <label className="field">{t("staff.newPin")}<input type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} data-testid="first-pin" /></label>
        <label className="field">{t("staff.pinAgain")}<input type="password" inputMode="numeric" value={again} onChange={(e) => setAgain(e.target.value)} data-testid="first-pin-again" /></label>
        {mismatch && <div className="error" role="alert">{t("staff.pinMismatch")}</div>}
        <button className="btn primary" disabled={!code || !name || pin.length < 4 || again !== pin || add.isPending} onClick={() => add.mutate()} data-testid="first-save">
          {t("staff.firstSave")}
        </button>
        <ErrorNote error={add.error} />
      </div>
    </main>
  );
}
