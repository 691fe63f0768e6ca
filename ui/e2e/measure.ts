/** The app's benchmark (scripts/bench-app.sh): start time, memory and idle CPU next to a
 *  hello-world Tauri app built the same way, and the Orders list on a million orders. Writes
 *  target/bench-app.json; the script prints it. Figures, not assertions: the machine is shared. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { BIN, launchApp, ROOT, sleep, waitFor, type Browser } from "./harness";

const IDLE_S = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const CPU_S = Number(process.env.BENCH_CPU_SECONDS ?? 30);
const DATA = process.env.BENCH_DATA_DIR ?? "";
const HELLO = process.env.BENCH_HELLO ?? path.join(BIN, "hello-tauri");
const TICK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

const results: Record<string, unknown> = {};

/** Every process below `root` (tauri-driver): WebKitWebDriver, the app and WebKit's processes. */
function tree(root: number): { pid: number; name: string }[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const out: { pid: number; name: string }[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        out.push({ pid: child, name: names.get(child) ?? "?" });
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** The app's own processes: everything under the driver except the drivers themselves. */
function appProcesses(driverPid: number) {
  return tree(driverPid).filter((p) => !/WebKitWebDriver|tauri-driver/.test(p.name));
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function idleFigures(driverPid: number) {
  await sleep(IDLE_S * 1000);
  const procs = appProcesses(driverPid);
  const before = procs.map((p) => cpuTicks(p.pid));
  const t0 = Date.now();
  await sleep(CPU_S * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const processes = procs.map((p, i) => ({
    name: p.name,
    pss_mb: pssKb(p.pid) / 1024,
    cpu_percent: ((cpuTicks(p.pid) - (before[i] ?? 0)) / TICK / seconds) * 100,
  }));
  return {
    pss_mb: processes.reduce((s, m) => s + m.pss_mb, 0),
    processes,
    cpu_percent_of_one_core: processes.reduce((s, m) => s + m.cpu_percent, 0),
  };
}

/** What to do in the page, and what to wait for (data, not code: the app's CSP forbids eval). */
type Start = { click: string } | { select: [string, string] } | { type: [string, string] };
type Done = { exists: string } | { onlyPill: string } | { countBetween: [number, number] } | { lastPageAfter: string };

/** In the page: runs `start`, then waits frame by frame until `done` holds and the frame after
 *  is painted; milliseconds. */
async function timeInPage(browser: Browser, start: Start, done: Done): Promise<number> {
  return browser.executeAsync(
    (startAction: Start, doneWhen: Done, finish: (ms: number) => void) => {
      const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      const t0 = performance.now();
      if ("click" in startAction) (document.querySelector(startAction.click) as HTMLElement).click();
      else if ("select" in startAction) {
        const el = byTestId(startAction.select[0]) as HTMLSelectElement;
        Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value")?.set?.call(el, startAction.select[1]);
        el.dispatchEvent(new Event("change", { bubbles: true }));
      } else {
        const el = byTestId(startAction.type[0]) as HTMLInputElement;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(el, startAction.type[1]);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
      const holds = () => {
        if ("exists" in doneWhen) return !!document.querySelector(doneWhen.exists);
        if ("lastPageAfter" in doneWhen) {
          const pager = byTestId("pager");
          const first = document.querySelector('[data-testid="order-list"] [data-row]')?.getAttribute("data-row");
          return !!pager && pager.getAttribute("data-page") === pager.getAttribute("data-pages") && !!first && first !== doneWhen.lastPageAfter;
        }
        if ("onlyPill" in doneWhen) {
          const rows = [...document.querySelectorAll('[data-testid="order-list"] [data-row]')];
          return rows.length > 0 && rows.every((r) => r.querySelector(`.pill.${doneWhen.onlyPill}`));
        }
        const n = Number(byTestId("order-count")?.getAttribute("data-count"));
        return n >= doneWhen.countBetween[0] && n <= doneWhen.countBetween[1] && !!document.querySelector('[data-testid="order-list"] [data-row]');
      };
      const check = () => (holds() ? requestAnimationFrame(() => finish(performance.now() - t0)) : requestAnimationFrame(check));
      check();
    },
    start,
    done,
  );
}

/** The app's own web fonts ("Storedesk Han", fonts/han.css) the page has loaded so far, and their
 *  size. WebKit keeps no resource timing for the app's own scheme, so a loaded face is matched to
 *  its file by weight and unicode-range. */
async function fontsLoaded(browser: Browser): Promise<{ files: string[]; bytes: number }> {
  const loaded = await browser.execute(() =>
    [...document.fonts].filter((f) => f.family.includes("Storedesk Han") && f.status === "loaded").map((f) => `${f.weight} ${f.unicodeRange}`),
  );
  const first = (range: string) => range.split(",")[0]?.trim().toUpperCase() ?? "";
  const faces = readFileSync(path.join(ROOT, "fonts/han.css"), "utf8").split("@font-face").slice(1).map((face) => ({
    weight: /font-weight: (\d+)/.exec(face)?.[1] ?? "",
    file: /url\("\.\/([^"]+)"\)/.exec(face)?.[1] ?? "",
    range: first(/unicode-range: ([^;]+);/.exec(face)?.[1] ?? ""),
  }));
  const files = loaded.map((l) => {
    const [weight = "", ...range] = l.split(" ");
    return faces.find((f) => f.weight === weight && f.range === first(range.join(" ")))?.file ?? `unknown face ${l}`;
  });
  const bytes = files.reduce((sum, f) => sum + (statSync(path.join(ROOT, "fonts", f), { throwIfNoEntry: false })?.size ?? 0), 0);
  return { files, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

afterAll(() => {
  writeFileSync(path.join(ROOT, "target/bench-app.json"), JSON.stringify(results, null, 2));
});

it("hello-world baseline", async () => {
  const t0 = Date.now();
  const { browser, quit, driverPid } = await launchApp(DATA, HELLO);
  await waitFor("hello", async () => (await browser.$("#hello")).isDisplayed(), 60_000);
  results.hello = { start_ms: Date.now() - t0, ...(await idleFigures(driverPid)) };
  await quit();
});

it("storedesk", async () => {
  expect(DATA).not.toBe("");
  const t0 = Date.now();
  const { browser, quit, driverPid } = await launchApp(DATA);
  // The demo store's manager signs in (scripts/demo.sh): MGR, PIN 1234.
  await waitFor("the PIN pad", async () => (await browser.$('[data-staff="MGR"]')).isDisplayed(), 60_000);
  await (await browser.$('[data-staff="MGR"]')).click();
  await browser.keys(["1", "2", "3", "4", "Enter"]);
  await waitFor("the dashboard with data", async () => {
    const orders = await browser.$('[data-testid="orders-today"]');
    return (await orders.isDisplayed()) && (await browser.$('[data-testid="low-stock"]').isExisting());
  }, 60_000);
  const start = Date.now() - t0;
  await waitFor("the live latency panel", async () => (await browser.$('[data-testid="latency"] .chart')).isExisting(), 30_000);
  const idle = await idleFigures(driverPid);
  const fontsAtLaunch = await fontsLoaded(browser);

  const ipc: number[] = [];
  for (let i = 0; i < 20; i++) {
    ipc.push(await browser.executeAsync((finish: (ms: number) => void) => {
      const t = performance.now();
      const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string) => Promise<unknown> } }).__TAURI_INTERNALS__;
      void internals.invoke("app_info").then(() => finish(performance.now() - t));
    }));
  }

  const firstRows = await timeInPage(browser, { click: '[data-nav="orders"]' }, { exists: '[data-testid="order-list"] [data-row]' });
  const total = Number(await browser.$('[data-testid="order-count"]').getAttribute("data-count"));
  const first = (await browser.$('[data-testid="order-list"] [data-row]').getAttribute("data-row")) ?? "";
  const lastPage = await timeInPage(browser, { click: '[data-testid="last-page"]' }, { lastPageAfter: first });
  const lastPageFirstRow = (await browser.$('[data-testid="order-list"] [data-row]').getAttribute("data-row")) ?? "";
  // The figure is only worth something if the list stays on the last page.
  await sleep(500);
  const pager = await browser.$('[data-testid="pager"]');
  expect(await pager.getAttribute("data-page")).toBe(await pager.getAttribute("data-pages"));
  await browser.$('[data-testid="pager"] button').click();

  const filters: Record<string, number> = {};
  for (const status of ["refunded", "cancelled", "shipped", "delivered"]) {
    filters[`status=${status}`] = await timeInPage(browser, { select: ["status-filter", status] }, { onlyPill: status });
  }
  await timeInPage(browser, { select: ["status-filter", ""] }, { countBetween: [total, total] });
  filters["channel=fulfilment"] = await timeInPage(browser, { select: ["channel-filter", "fulfilment"] }, { countBetween: [1, total - 1] });
  await timeInPage(browser, { select: ["channel-filter", ""] }, { countBetween: [total, total] });

  const searches: Record<string, number> = {};
  for (const text of ["Customer 42", "SH01-S00012", "TEA-004"]) {
    searches[text] = await timeInPage(browser, { type: ["order-search", text] }, { countBetween: [1, total - 1] });
    await timeInPage(browser, { type: ["order-search", ""] }, { countBetween: [total, total] });
  }
  results.storedesk = {
    start_ms: start,
    ...idle,
    fonts_at_launch: fontsAtLaunch,
    orders: total,
    ipc_round_trip_ms: median(ipc),
    orders_first_rows_ms: firstRows,
    orders_last_page_ms: lastPage,
    last_page_first_row: lastPageFirstRow,
    filter_ms: filters,
    filter_median_ms: median(Object.values(filters)),
    search_ms_including_200ms_typing_pause: searches,
  };
  await quit();
});
