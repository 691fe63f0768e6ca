import { describe, expect, it } from "vitest";
import { isValidLocale } from "./locale-shim";

describe("locale shim", () => {
  it("tells real language tags from POSIX locale names", () => {
    expect(isValidLocale("zh-CN")).toBe(true);
    expect(isValidLocale("en-US")).toBe(true);
    expect(isValidLocale("C")).toBe(false);
    expect(isValidLocale("")).toBe(false);
    expect(isValidLocale(undefined)).toBe(false);
  });
});
