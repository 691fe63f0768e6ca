/** The store, central's URL and token, language, theme, the low-stock default, and where data and
 *  logs live. */
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { commands, type AppInfo } from "../bindings";
import { ErrorNote } from "../components/ErrorNote";
import { StaffList } from "../components/StaffList";
import { unwrap } from "../lib/api";
import { parseThreshold } from "../lib/stock";
import { applyTheme, storedTheme, type Theme } from "../lib/theme";
import { LANGUAGES, type Language } from "../i18n";

const LANGUAGE_NAMES: Record<Language, string> = { en: "English", "zh-CN": "简体中文" };

export function Settings({ info, onChanged }: { info: AppInfo; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [url, setUrl] = useState(info.central_url ?? "");
  const [token, setToken] = useState("");
  const [threshold, setThreshold] = useState(String(info.low_stock_threshold));
  const [theme, setTheme] = useState<Theme>(storedTheme());
  const parsedThreshold = parseThreshold(threshold);

  const connect = useMutation({
    mutationFn: () => unwrap(commands.configureCentral(url.trim(), token.trim() || null)),
    onSuccess: () => {
      setToken("");
      onChanged();
      void queries.invalidateQueries();
    },
  });
  const language = useMutation({
    mutationFn: async (lang: Language) => {
      await unwrap(commands.setLanguage(lang));
      await i18n.changeLanguage(lang);
    },
    onSuccess: onChanged,
  });
  const saveThreshold = useMutation({
    mutationFn: () => unwrap(commands.setLowStockThreshold(parsedThreshold.value ?? 0)),
    onSuccess: () => {
      onChanged();
      void queries.invalidateQueries();
    },
  });
  const store = info.store;
  return (
    <div data-testid="settings" className="grid" style={{ maxWidth: 720 }}>
      <h1>{t("settings.title")}</h1>
      {store && (
        <div className="card">
          <h2>{t("settings.store")}</h2>
          <table>
            <tbody>
              <tr><th>{t("settings.code")}</th><td>{store.code}</td></tr>
              <tr><th>{t("settings.name")}</th><td>{store.name}</td></tr>
              <tr><th>{t("settings.currency")}</th><td>{store.currency}</td></tr>
              <tr><th>{t("settings.timeZone")}</th><td>{store.time_zone}</td></tr>
            </tbody>
          </table>
        </div>
      )}
      <form className="card grid" onSubmit={(e) => { e.preventDefault(); connect.mutate(); }}>
        <h2>{t("settings.central")}</h2>
        <label className="field">{t("settings.centralUrl")}<input data-testid="central-url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://central.example.com" /></label>
        <label className="field">{t("settings.token")}{info.has_token ? ` (${t("settings.tokenKeep")})` : ""}
          <input data-testid="central-token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
        </label>
        <p className="muted" data-testid="token-storage">
          {info.token_storage === "keychain" ? t("settings.tokenInKeychain") : t("settings.tokenInFile", { dir: info.data_dir })}
        </p>
        <ErrorNote error={connect.error} />
        {connect.isSuccess && <div className="notice">{t("app.saved")}</div>}
        <div><button className="btn primary" type="submit" disabled={!url.trim() || connect.isPending}>{t("settings.connect")}</button></div>
      </form>
      <div className="card grid">
        <label className="field">{t("settings.language")}
          <select data-testid="language" value={i18n.language} onChange={(e) => language.mutate(e.target.value as Language)}>
            {LANGUAGES.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
          </select>
        </label>
        <ErrorNote error={language.error} />
        <label className="field">{t("settings.theme")}
          <select data-testid="theme" value={theme} onChange={(e) => { const v = e.target.value as Theme; setTheme(v); applyTheme(v, true); }}>
            {(["system", "light", "dark"] as Theme[]).map((v) => <option key={v} value={v}>{t(`settings.themes.${v}`)}</option>)}
          </select>
        </label>
        <form className="row" style={{ alignItems: "flex-end" }} onSubmit={(e) => { e.preventDefault(); if (parsedThreshold.ok && parsedThreshold.value !== null) saveThreshold.mutate(); }}>
          <label className="field">{t("settings.lowStock")}<input data-testid="threshold" value={threshold} onChange={(e) => setThreshold(e.target.value)} inputMode="numeric" /></label>
          <button className="btn" type="submit" disabled={!parsedThreshold.ok || parsedThreshold.value === null || saveThreshold.isPending}>{t("app.save")}</button>
          {saveThreshold.isSuccess && <span className="muted">{t("app.saved")}</span>}
        </form>
        <ErrorNote error={saveThreshold.error} />
      </div>
      {store && <StaffList currency={store.currency} />}
      <div className="card">
        <table>
          <tbody>
            <tr><th>{t("settings.data")}</th><td><code>{info.data_dir}</code></td></tr>
            <tr><th>{t("settings.logs")}</th><td><code>{info.log_dir}</code></td></tr>
            <tr><th>{t("settings.version")}</th><td>{info.version}</td></tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
