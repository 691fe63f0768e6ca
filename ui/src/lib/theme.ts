/** The colour theme: the system's unless the operator chose one (kept in localStorage). */
export type Theme = "system" | "light" | "dark";
const KEY = "storedesk.theme";

export function storedTheme(): Theme {
  const value = typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null;
  return value === "light" || value === "dark" ? value : "system";
}

/** Sets `data-theme` on <html> ("system" removes it, so the CSS media query decides). */
export function applyTheme(theme: Theme, save = false): void {
  const root = document.documentElement;
  if (theme === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
  if (save) localStorage.setItem(KEY, theme);
}
