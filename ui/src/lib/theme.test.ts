// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";
import { applyTheme, storedTheme } from "./theme";

describe("theme", () => {
  beforeEach(() => localStorage.clear());

  it("follows the system until the operator chooses, and remembers the choice", () => {
    expect(storedTheme()).toBe("system");
    applyTheme("dark", true);
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    expect(storedTheme()).toBe("dark");
    applyTheme("system", true);
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
    expect(storedTheme()).toBe("system");
    localStorage.setItem("storedesk.theme", "purple");
    expect(storedTheme()).toBe("system");
  });
});
