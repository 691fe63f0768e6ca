/** Calling the Rust side: the generated bindings return `{status, data | error}`; these helpers
 *  turn an error result into a thrown `CoreError` so React Query can show it. */
import type { AppError } from "../bindings";

export class CoreError extends Error {
  readonly code: string;
  readonly detail: string;
  constructor(error: AppError) {
    super(error.message);
    this.code = error.code;
    this.detail = error.message;
  }
}

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

export async function unwrap<T>(result: Promise<Result<T>>): Promise<T> {
  const r = await result;
  if (r.status === "error") throw new CoreError(r.error);
  return r.data;
}

/** A failure of any kind as `{code, detail}` (a thrown non-core error counts as `internal`). */
export function asCoreError(error: unknown): { code: string; detail: string } {
  if (error instanceof CoreError) return { code: error.code, detail: error.detail };
  if (typeof error === "string") return { code: "internal", detail: error };
  if (error instanceof Error) return { code: "internal", detail: error.message };
  return { code: "internal", detail: String(error) };
}
