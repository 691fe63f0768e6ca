import { useTranslation } from "react-i18next";
import { explain } from "../lib/errors";

/** An error where the operator is: what happened, what to do, and the core's detail. */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const shown = explain(error, t);
  return (
    <div className="error" role="alert" data-testid="error">
      <strong>{shown.title}</strong>
      <span>{shown.hint}</span>
      <div className="detail">{shown.detail}</div>
    </div>
  );
}
