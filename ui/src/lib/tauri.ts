/** Whether the page runs inside the Tauri shell (not in a plain browser or a unit test). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
