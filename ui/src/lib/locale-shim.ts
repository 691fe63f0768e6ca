/** Some systems report a locale that is not a BCP 47 tag (`LANG=C` makes WebKitGTK say "C"), and
 *  libraries that pass `navigator.language` to `Intl` at load time (uPlot) then throw, leaving an
 *  empty window. Imported first by main.tsx: an invalid tag reads as "en-US". */
export function isValidLocale(tag: string | undefined): boolean {
  if (!tag) return false;
  try {
    return Intl.getCanonicalLocales(tag).length > 0;
  } catch {
    return false;
  }
}

if (typeof navigator !== "undefined" && !isValidLocale(navigator.language)) {
  Object.defineProperty(navigator, "language", { get: () => "en-US", configurable: true });
  Object.defineProperty(navigator, "languages", { get: () => ["en-US"], configurable: true });
}
