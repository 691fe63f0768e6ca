/** End-to-end harness: a real storedesk-central on a loopback port (SQLite in a temp folder), a
 *  device store prepared with the storedesk CLI, and the real app binary driven in its real
 *  webview through tauri-driver and WebKitWebDriver. */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { remote } from "webdriverio";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = process.env.STOREDESK_BIN ?? path.join(ROOT, "target/debug");
export const SHOTS = process.env.STOREDESK_SCREENSHOTS ?? path.join(ROOT, "target/e2e-screenshots");
/** The fonts of a fresh machine (DejaVu only): what the app draws must not depend on the fonts the
 *  machine running the tests happens to have. */
export const FONTCONFIG_FILE = path.join(import.meta.dirname, "fonts.conf");

export type Browser = WebdriverIO.Browser;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value that is not false/undefined; fails with `what` after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | false | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

/** Reads again when React replaced the element between WebDriver finding it and reading it (the
 *  status bar re-renders every second): "stale element" is a race of the test, not an answer. */
async function fresh<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 5 || !String(err).toLowerCase().includes("stale element")) throw err;
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(path.join(BIN, bin), args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${bin} ${args.join(" ")} failed: ${err.stderr || err.message}`, { cause: e });
  }
}

/** storedesk-central on SQLite; stop and start it on the same port and database. */
export class Central {
  private proc: ChildProcess | null = null;
  readonly url: string;
  private constructor(readonly dir: string, readonly port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async create(dir: string): Promise<Central> {
    const central = new Central(dir, await freePort());
    await central.start();
    return central;
  }

  /** An admin command on central's database (works whether or not the server runs). */
  admin(args: string[], env: NodeJS.ProcessEnv = {}): string {
    return run("storedesk-central", ["--database-url", `sqlite://${this.dir}/central.db`, ...args], env);
  }

  async start(): Promise<void> {
    this.proc = spawn(
      path.join(BIN, "storedesk-central"),
      ["--database-url", `sqlite://${this.dir}/central.db`, "serve", "--listen", `127.0.0.1:${this.port}`, "--admin-token-file", `${this.dir}/admin-token`],
      { stdio: "ignore" },
    );
    await waitFor("central to answer /healthz", async () => (await fetch(`${this.url}/healthz`)).ok, 20_000);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }
}

/** A store at central with a small catalog and stock; returns its first till's token and
 *  one-time join code. */
/** The e2e store's staff at central: code, name, role, PIN. */
export const STAFF: [string, string, string, string][] = [
  ["ANN", "Ann Cashier", "cashier", "1234"],
  ["MAY", "May Manager", "manager", "2468"],
  ["E2E", "E2E manager", "manager", "2468"],
];

export function seedCentral(central: Central, code: string, products: [string, string, string, number][]): { token: string; joinCode: string } {
  const out = central.admin(["store", "add", code, "--name", "E2E Store", "--currency", "CNY", "--json"]);
  const added = JSON.parse(out) as { token: string; join_code: string };
  const csv = path.join(central.dir, "catalog.csv");
  writeFileSync(csv, ["sku,name,price", ...products.map(([sku, name, price]) => `${sku},${name},${price}`)].join("\n") + "\n");
  central.admin(["catalog", "import", csv, "--currency", "CNY"]);
  for (const [sku, , , qty] of products) central.admin(["stock", "receive", "--store", code, sku, String(qty)]);
  // The store's staff, managed at central; its tills get them (PIN hashes only) when they sync.
  for (const [who, name, role, pin] of STAFF) central.admin(["staff", "add", "--store", code, "--code", who, "--name", name, "--role", role], { STOREDESK_PIN: pin });
  // A long idle lock: WebDriver's waits are not an operator's input (the lock has its own test).
  central.admin(["staff", "policy", "--store", code, "--idle-lock-minutes", "120"]);
  return { token: added.token, joinCode: added.join_code };
}

/** A till run with the storedesk CLI in its own data folder. */
export class CliTill {
  private constructor(readonly dir: string) {}

  /** A new till of store `code` at central, joined with its one-time code as an operator would. */
  static join(central: Central, code: string): CliTill {
    const added = JSON.parse(central.admin(["device", "add", "--store", code, "--json"])) as { join_code: string };
    const till = new CliTill(tempDir("cli-till"));
    till.run(["join", "--central", central.url, "--code", added.join_code]);
    // The store's staff come from central with the first sync; every later command signs in as
    // its manager E2E.
    till.run(["sync", "run", "--once"]);
    return till;
  }

  static readonly STAFF = "E2E";

  run(args: string[]): string {
    return run("storedesk", args, { STOREDESK_DATA_DIR: this.dir, STOREDESK_STAFF: CliTill.STAFF, STOREDESK_PIN: "2468" });
  }
}

export function tempDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `storedesk-e2e-${name}-`));
}

/** Answers the native save dialog (GTK's file chooser, a separate X window WebDriver cannot reach)
 *  the way an operator would: waits for it, types `file` into its name field and presses Enter. */
export async function answerSaveDialog(file: string): Promise<void> {
  const windows = await waitFor("the native save dialog", async () => {
    try {
      const out = execFileSync("xdotool", ["search", "--onlyvisible", "--name", "^Save"], { encoding: "utf8" }).trim();
      return out ? out.split("\n") : false;
    } catch {
      return false; // xdotool exits 1 while nothing matches
    }
  });
  const dialog = windows[windows.length - 1] ?? "";
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  execFileSync("xdotool", ["key", "--window", dialog, "--clearmodifiers", "ctrl+a"]);
  execFileSync("xdotool", ["type", "--window", dialog, "--delay", "5", file]);
  await sleep(200);
  execFileSync("xdotool", ["key", "--window", dialog, "Return"]);
}

/** The app, started by tauri-driver with its data in `dataDir`; returns the WebDriver session. */
export async function launchApp(
  dataDir: string,
  application = path.join(BIN, "storedesk-app"),
): Promise<{ browser: Browser; quit: () => Promise<void>; driverPid: number }> {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(process.env.TAURI_DRIVER ?? path.join(os.homedir(), ".cargo/bin/tauri-driver"), ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, STOREDESK_DATA_DIR: dataDir, STOREDESK_NO_KEYCHAIN: "1", FONTCONFIG_FILE },
    stdio: "ignore",
  });
  await waitFor("tauri-driver to listen", () => new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
    socket.on("error", () => resolve(false));
  }), 20_000);
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: { "tauri:options": { application } } as WebdriverIO.Capabilities,
  });
  const quit = async () => {
    await browser.deleteSession().catch(() => undefined);
    driver.kill("SIGTERM");
  };
  return { browser, quit, driverPid: driver.pid ?? 0 };
}

/** A character as the webview drew it: grey levels (0 white .. 255 black) of its box. */
export type Drawn = { char: string; weight: number; width: number; height: number; ink: Uint8Array };

/** How many pixels of `a` and `b` differ by more than a quarter of full ink. */
export function differingPixels(a: Drawn, b: Drawn): number {
  let n = 0;
  for (let i = 0; i < Math.min(a.ink.length, b.ink.length); i++) if (Math.abs((a.ink[i] ?? 0) - (b.ink[i] ?? 0)) > 64) n++;
  return n + Math.abs(a.ink.length - b.ink.length);
}

/** How many pixels carry ink at all. */
export function inkedPixels(d: Drawn): number {
  return d.ink.reduce((n, v) => n + (v > 64 ? 1 : 0), 0);
}

/** The UI, as an operator uses it. */
export class Ui {
  constructor(readonly browser: Browser) {}

  $(selector: string) {
    return this.browser.$(selector);
  }

  async attr(selector: string, name: string): Promise<string | null> {
    return fresh(async () => (await this.browser.$(selector)).getAttribute(name));
  }

  async text(selector: string): Promise<string> {
    return fresh(async () => (await this.browser.$(selector)).getText());
  }

  /** Clicks what `selector` finds once it is clickable; looks it up afresh on every try, since
   *  React may have replaced the element (a list re-rendering as a search settles). */
  async click(selector: string): Promise<void> {
    await waitFor(`${selector} to be clickable`, async () => (await this.browser.$(selector)).isClickable(), 15_000);
    await (await this.browser.$(selector)).click();
  }

  /** Types `text` into the orders search and waits until the list shows exactly `count` orders. */
  async searchOrders(text: string, count: number): Promise<void> {
    await (await this.browser.$('[data-testid="order-search"]')).setValue(text);
    await waitFor(`${count} orders for "${text}"`, async () => Number(await this.attr('[data-testid="order-count"]', "data-count")) === count);
  }

  /** Empties the orders search as a person would (WebDriver's clearValue bypasses React). */
  async clearSearch(): Promise<void> {
    await this.click('[data-testid="order-search"]');
    await this.browser.keys(["Control", "a"]);
    await this.browser.keys(["Backspace"]);
    await waitFor("an empty search", async () => (await (await this.browser.$('[data-testid="order-search"]')).getValue()) === "");
  }

  async go(screen: string): Promise<void> {
    await this.click(`[data-nav="${screen}"]`);
    await waitFor(`the ${screen} screen`, async () => (await this.attr("main", "data-screen")) === screen);
  }

  async online(): Promise<boolean> {
    return (await this.attr('[data-testid="online"]', "data-online")) === "yes";
  }

  async pending(): Promise<number> {
    return Number(await this.attr('[data-testid="pending"]', "data-count"));
  }

  /** Places an order in the new-order form (opened with the keyboard shortcut); returns its number. */
  async takeOrder(channel: "counter" | "fulfilment", lines: [string, number][]): Promise<string> {
    await this.browser.keys(["Control", "n"]);
    await (await this.$('[data-testid="new-order-form"]')).waitForDisplayed({ timeout: 10_000 });
    await (await this.$('[data-testid="new-order-channel"]')).selectByAttribute("value", channel);
    for (const [sku, qty] of lines) {
      for (let i = 0; i < qty; i++) {
        await (await this.$('[data-testid="sku-search"]')).setValue(sku);
        await this.click(`[data-testid="suggestions"] [data-sku="${sku}"]`);
      }
    }
    await this.click('[data-testid="place-order"]');
    await (await this.$('[data-testid="new-order-form"]')).waitForDisplayed({ reverse: true, timeout: 10_000 });
    return waitFor("the new order's detail", async () => (await this.attr('[data-testid="order-detail"]', "data-number")) ?? undefined);
  }

  async orderStatus(): Promise<string | null> {
    return this.attr('[data-testid="order-detail"]', "data-status");
  }

  async offeredActions(): Promise<string[]> {
    const buttons = await this.browser.$$('[data-testid="order-actions"] [data-action]');
    const out: string[] = [];
    for (const b of buttons) out.push((await b.getAttribute("data-action")) ?? "");
    return out;
  }

  /** Clicks an order action; fills the form (amount for `pay`) when the step has one. */
  /** Signs in at the PIN pad: taps the person, types the PIN on the keyboard, presses Enter. */
  async signIn(code: string, pin: string): Promise<void> {
    await this.click(`[data-staff="${code}"]`);
    await (await this.$(".pin-entry")).waitForDisplayed({ timeout: 10_000 });
    await this.browser.keys([...pin.split(""), "Enter"]);
  }

  /** Signs in (or approves) at the PIN pad by touch: taps the person, the digits, then OK. */
  async tapPin(code: string, pin: string): Promise<void> {
    await this.click(`[data-staff="${code}"]`);
    await (await this.$(".pin-entry")).waitForDisplayed({ timeout: 10_000 });
    for (const digit of pin) await this.click(`[data-key="${digit}"]`);
    await this.click('[data-key="ok"]');
  }

  async act(action: string, amount?: string): Promise<void> {
    await this.click(`[data-testid="order-actions"] [data-action="${action}"]`);
    if (["pay", "ship", "refund", "cancel"].includes(action)) {
      await (await this.$('[data-testid="action-form"]')).waitForDisplayed({ timeout: 10_000 });
      if (amount !== undefined) await (await this.$('[data-testid="pay-amount"]')).setValue(amount);
      await this.click('[data-testid="action-submit"]');
    }
  }

  async waitStatus(status: string, ms = 30_000): Promise<void> {
    await waitFor(`the order to be ${status}`, async () => (await this.orderStatus()) === status, ms);
  }

  /** WebKitWebDriver's screenshots and clicks wait for WebKit's next painted frame; without
   *  compositing (how the app runs on Linux) a still page paints nothing, and they wait until
   *  something changes (a minute, on the Sync screen). A 1-pixel dot that changes colour ten times
   *  a second keeps frames coming; the app itself does not need it. */
  async keepPainting(): Promise<void> {
    await this.browser.execute(() => {
      const dot = document.createElement("div");
      dot.style.cssText = "position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:9999";
      document.body.appendChild(dot);
      let on = false;
      setInterval(() => {
        on = !on;
        dot.style.background = on ? "rgba(0,0,0,0.02)" : "rgba(0,0,0,0.01)";
      }, 100);
    });
  }

  /** Draws each character in the page, black on white in a box of its own, in the font the UI's
   *  text uses (the body's), and returns the pixels the webview painted (WebDriver's element
   *  screenshots): what an operator sees, not what the DOM says. Waits for the page's web fonts to
   *  finish loading first, since a character can start a font's load. */
  async drawn(chars: string[], weight = 400): Promise<Drawn[]> {
    await this.browser.execute((list: string[], w: number) => {
      document.getElementById("glyph-probe")?.remove();
      const probe = document.createElement("div");
      probe.id = "glyph-probe";
      probe.style.cssText = "position:fixed;left:0;top:0;z-index:10000;display:flex;background:#fff;padding:4px";
      list.forEach((c, i) => {
        const span = document.createElement("span");
        span.dataset.glyph = String(i);
        span.textContent = c;
        span.style.cssText = `display:block;width:44px;height:44px;font-size:36px;line-height:44px;text-align:center;color:#000;background:#fff;font-weight:${w};overflow:hidden`;
        probe.appendChild(span);
      });
      document.body.appendChild(probe);
    }, chars, weight);
    await waitFor("the probe's fonts to load", () => this.browser.execute(() => document.fonts.ready.then(() => document.fonts.status === "loaded")), 15_000);
    await sleep(300);
    const out: Drawn[] = [];
    for (const [i, char] of chars.entries()) {
      const el = await this.browser.$(`#glyph-probe [data-glyph="${i}"]`);
      const png = PNG.sync.read(Buffer.from(await this.browser.takeElementScreenshot(await el.elementId), "base64"));
      const ink = new Uint8Array(png.width * png.height);
      for (let p = 0; p < ink.length; p++) {
        const [r, g, b] = [png.data[p * 4] ?? 255, png.data[p * 4 + 1] ?? 255, png.data[p * 4 + 2] ?? 255];
        ink[p] = 255 - Math.round((r + g + b) / 3);
      }
      out.push({ char, weight, width: png.width, height: png.height, ink });
    }
    await this.browser.execute(() => document.getElementById("glyph-probe")?.remove());
    return out;
  }

  /** Every element on screen whose own text holds CJK characters but whose font stack does not
   *  reach the app's font ("Storedesk Han"): a stylesheet of its own (a library's, say) would draw
   *  it as boxes on a machine without a CJK font. */
  async cjkOutsideAppFont(): Promise<string[]> {
    return this.browser.execute(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !/[\u3000-\u9fff\uff00-\uffef]/.test(node.textContent ?? "")) continue;
        const family = getComputedStyle(el).fontFamily;
        if (!family.includes("Storedesk Han")) out.push(`<${el.tagName.toLowerCase()} class="${el.className}">${node.textContent ?? ""}: ${family}`);
      }
      for (const input of document.querySelectorAll<HTMLInputElement>("input[placeholder]")) {
        if (/[\u3000-\u9fff]/.test(input.placeholder) && !getComputedStyle(input).fontFamily.includes("Storedesk Han")) out.push(`<input placeholder="${input.placeholder}">`);
      }
      return out;
    });
  }

  async theme(theme: "light" | "dark"): Promise<void> {
    await this.browser.execute((t) => document.documentElement.setAttribute("data-theme", t), theme);
  }

  async shoot(name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await sleep(400);
    await this.browser.saveScreenshot(path.join(SHOTS, `${name}.png`));
  }
}
