/** The till's idle lock: `onIdle` runs once no key, tap or wheel has come for `minutes`. */
import { useEffect } from "react";

const ACTIVITY = ["keydown", "pointerdown", "wheel"] as const;

export function useIdleLock(minutes: number, onIdle: () => void, target: Window = window): void {
  useEffect(() => {
    const wait = Math.max(1, minutes) * 60_000;
    let timer = target.setTimeout(onIdle, wait);
    const active = () => {
      target.clearTimeout(timer);
      timer = target.setTimeout(onIdle, wait);
    };
    ACTIVITY.forEach((e) => target.addEventListener(e, active));
    return () => {
      target.clearTimeout(timer);
      ACTIVITY.forEach((e) => target.removeEventListener(e, active));
    };
  }, [minutes, onIdle, target]);
}
