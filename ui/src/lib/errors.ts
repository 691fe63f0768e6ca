/** Errors from the core, said in the operator's language with what to do. */
import type { TFunction } from "i18next";
import { asCoreError } from "./api";

export interface ShownError {
  title: string;
  hint: string;
  detail: string;
}

export function explain(error: unknown, t: TFunction): ShownError {
  const { code, detail } = asCoreError(error);
  const known = t(`errors.${code}.title`, { defaultValue: "" });
  return {
    title: known || t("errors.internal.title"),
    hint: t(`errors.${code}.hint`, { defaultValue: t("errors.internal.hint") }),
    detail,
  };
}
