// @vitest-environment jsdom
import { renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useIdleLock } from "./idle";

describe("the idle lock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("locks after the store's idle minutes without input, and input starts the wait again", () => {
    const lock = vi.fn();
    renderHook(() => useIdleLock(5, lock));
    vi.advanceTimersByTime(4 * 60_000);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "1" }));
    vi.advanceTimersByTime(4 * 60_000);
    expect(lock).not.toHaveBeenCalled();
    window.dispatchEvent(new Event("pointerdown"));
    vi.advanceTimersByTime(5 * 60_000 - 1);
    expect(lock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(lock).toHaveBeenCalledTimes(1);
  });

  it("stops waiting once the window no longer shows the till (signed out)", () => {
    const lock = vi.fn();
    const { unmount } = renderHook(() => useIdleLock(1, lock));
    unmount();
    vi.advanceTimersByTime(10 * 60_000);
    expect(lock).not.toHaveBeenCalled();
  });
});
