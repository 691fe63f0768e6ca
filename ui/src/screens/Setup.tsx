import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { unwrap } from "../lib/api";

/** First run: the store's code, name and currency. */
export function Setup({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("CNY");
  const setup = useMutation({ mutationFn: () => unwrap(commands.setupStore(code, name || null, currency)), onSuccess: onDone });
  return (
    <main style={{ maxWidth: 520, margin: "60px auto" }}>
      <h1>{t("setup.title")}</h1>
      <p className="muted">{t("setup.intro")}</p>
      <div className="grid">
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
    </main>
  );
}
