import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { PreparingProgress } from "../components/StatusBar";
import { useSyncStatus } from "../live";
import { unwrap } from "../lib/api";

type Mode = "new" | "join";

/** First run: set up a stand-alone store (its code, name and currency), or join an existing
 *  store as a till with central's URL and a one-time join code. */
export function Setup({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>("new");
  return (
    <main style={{ maxWidth: 520, margin: "60px auto" }} data-testid="setup">
      <h1>{t("setup.title")}</h1>
      <div className="tabs" role="tablist">
        {(["new", "join"] as const).map((m) => (
          <button
            key={m}
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? "btn primary" : "btn"}
            data-testid={`setup-${m}`}
            onClick={() => setMode(m)}
          >
            {t(m === "new" ? "setup.newStore" : "setup.joinStore")}
          </button>
        ))}
      </div>
      {mode === "new" ? <NewStore onDone={onDone} /> : <JoinStore onDone={onDone} />}
    </main>
  );
}

function NewStore({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("CNY");
  const setup = useMutation({ mutationFn: () => unwrap(commands.setupStore(code, name || null, currency)), onSuccess: onDone });
  return (
    <div className="grid">
      <p className="muted">{t("setup.intro")}</p>
      <label className="field">{t("setup.code")}<input value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} autoFocus /></label>
      <label className="field">{t("setup.name")}<input value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label className="field">{t("setup.currency")}
        <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
          {["CNY", "USD", "EUR", "JPY", "HKD", "GBP"].map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <ErrorNote error={setup.error} />
      <button className="btn primary" onClick={() => setup.mutate()} disabled={!code || setup.isPending}>{t("setup.start")}</button>
    </div>
  );
}

/** A join link (what the QR code of `device add --url` holds, typed by a scanner into the code
 *  field) carries central's URL too, so the URL may stay empty; the core reads the link. */
function JoinStore({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [central, setCentral] = useState("");
  const [code, setCode] = useState("");
  const join = useMutation({ mutationFn: () => unwrap(commands.joinStore(central.trim() || null, code)), onSuccess: onDone });
  const status = useSyncStatus();
  const submit = () => { if (code.trim() && !join.isPending) join.mutate(); };
  return (
    <div className="grid">
      <p className="muted">{t("setup.joinIntro")}</p>
      <label className="field">{t("setup.centralUrl")}
        <input data-testid="join-central" value={central} placeholder="https://central.example.com" onChange={(e) => setCentral(e.target.value)} />
      </label>
      <label className="field">{t("setup.joinCode")}
        <input
          data-testid="join-code"
          value={code}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => { if (e.key === "Enter") submit(); }}
        />
      </label>
      <p className="muted small">{t("setup.joinHint")}</p>
      <ErrorNote error={join.error} />
      {join.isPending && (
        <p className="muted" data-testid="join-progress">
          {status?.preparing ? <PreparingProgress preparing={status.preparing} /> : t("setup.joining")}
        </p>
      )}
      <button className="btn primary" data-testid="join-submit" onClick={submit} disabled={!code.trim() || join.isPending}>{t("setup.join")}</button>
    </div>
  );
}
