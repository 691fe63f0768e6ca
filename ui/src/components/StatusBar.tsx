import { useTranslation } from "react-i18next";
import { formatCount, formatDateTime } from "../lib/format";
import type { Preparing } from "../bindings";
import { useSyncStatus } from "../live";

/** "Preparing this till: 42,000 of 100,000 items from central" while a till reads central's
 *  snapshot (in the status bar, and on the setup screen while a till joins). */
export function PreparingProgress({ preparing }: { preparing: Preparing }) {
  const { t, i18n } = useTranslation();
  return (
    <span data-testid="preparing">
      {t("status.preparing", {
        done: formatCount(preparing.done, i18n.language),
        total: formatCount(preparing.total, i18n.language),
      })}
    </span>
  );
}

/** Online/offline, pending events and the last sync, on every screen. */
export function StatusBar() {
  const { t, i18n } = useTranslation();
  const status = useSyncStatus();
  if (!status) return <footer className="statusbar">{t("app.loading")}</footer>;
  return (
    <footer className="statusbar" data-testid="statusbar">
      {status.till && <strong data-testid="till">{t("status.till", { till: status.till })}</strong>}
      {status.configured ? (
        <span data-testid="online" data-online={status.online ? "yes" : "no"}>
          <span className={`dot ${status.online ? "online" : "offline"}`} />
          {status.online ? t("status.online") : t("status.offline")}
        </span>
      ) : (
        <span>
          <span className="dot" />
          {t("status.notConfigured")}
        </span>
      )}
      <span data-testid="pending" data-count={status.pending}>
        {t("status.pending", { count: status.pending })}
      </span>
      {status.dead > 0 && <span style={{ color: "var(--danger)" }}>{t("status.dead", { count: status.dead })}</span>}
      {status.preparing && <PreparingProgress preparing={status.preparing} />}
      <span>
        {t("status.lastSync", {
          when: status.last_success_at ? formatDateTime(status.last_success_at, i18n.language) : t("status.never"),
        })}
      </span>
    </footer>
  );
}
