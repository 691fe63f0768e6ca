/** The real app in its real webview against a real central: the operator's scenarios, in order
 *  (they share one store, as an operator's day would), then a screenshot of every screen. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { zhCN } from "../src/i18n/zh-CN";
import { answerSaveDialog, Central, CliTill, differingPixels, inkedPixels, launchApp, seedCentral, tempDir, Ui, waitFor, type Browser } from "./harness";

const STORE = "E2E";

let central: Central;
let ui: Ui;
let quit: () => Promise<void>;

beforeAll(async () => {
  central = await Central.create(tempDir("central"));
  const { joinCode } = seedCentral(central, STORE, [
    ["TEA-1", "Longjing tea 龙井茶", "12.50", 50],
    ["CUP-1", "Tea cup 茶杯", "3.00", 20],
    ["POT-1", "Teapot 茶壶", "99.00", 10],
    ["OVR-1", "Vase 花瓶", "50.00", 5],
  ]);
  // A new machine: the app starts on its first screen and joins the store as its first till.
  const app = await launchApp(tempDir("device"));
  ui = new Ui(app.browser);
  quit = app.quit;
  await ui.keepPainting();
  await joinThroughFirstScreen(joinCode);
  await signInAtThePinPad();
  await waitFor("the dashboard", async () => (await ui.$('[data-testid="dashboard"] [data-testid="orders-today"]')).isDisplayed());
  await waitFor("the app to be online", () => ui.online());
});

/** The first screen offers a new store or joining one; a wrong code is refused in words, and the
 *  join link a scanner types (it carries central's URL) joins. */
async function joinThroughFirstScreen(joinCode: string): Promise<void> {
  await (await ui.$('[data-testid="setup"]')).waitForDisplayed({ timeout: 30_000 });
  await ui.shoot("setup-new");
  await ui.click('[data-testid="setup-join"]');
  await (await ui.$('[data-testid="join-central"]')).setValue(central.url);
  await (await ui.$('[data-testid="join-code"]')).setValue("WRONG-CODE");
  await ui.click('[data-testid="join-submit"]');
  const error = await ui.$('[data-testid="setup"] [data-testid="error"]');
  await error.waitForDisplayed({ timeout: 15_000 });
  expect(await error.getText()).toContain("join_refused");
  await ui.shoot("setup-join-refused");
  await (await ui.$('[data-testid="join-central"]')).clearValue();
  await (await ui.$('[data-testid="join-code"]')).setValue(`storedesk://join?central=${central.url}&code=${joinCode}`);
  await ui.click('[data-testid="join-submit"]');
}

/** The store's staff came from central: the app opens on the PIN pad. A wrong PIN tapped on the
 *  pad is refused in words (and counted); the cashier ANN signs in with the keyboard. */
async function signInAtThePinPad(): Promise<void> {
  await (await ui.$('[data-testid="sign-in"]')).waitForDisplayed({ timeout: 60_000 });
  expect(await ui.text('[data-testid="sign-in"] .pin-people')).toContain("Ann Cashier");
  await ui.shoot("sign-in-light");
  // A wrong PIN tapped on the pad (touch), then the right one typed (keyboard).
  await ui.click('[data-staff="ANN"]');
  for (const k of ["0", "0", "0", "0"]) await ui.click(`[data-key="${k}"]`);
  expect(await ui.attr(".pin-dots", "data-pin-length")).toBe("4");
  await ui.click('[data-key="ok"]');
  const error = await ui.$('[data-testid="sign-in"] [data-testid="error"]');
  await error.waitForDisplayed({ timeout: 15_000 });
  expect(await error.getText()).toContain(en.errors.wrong_pin.title);
  await ui.shoot("sign-in-wrong-pin");
  await ui.browser.keys(["1", "2", "3", "4", "Enter"]);
  await waitFor("ANN signed in", async () => (await ui.text('[data-testid="who"]').catch(() => "")).includes("ANN"));
}

afterAll(async () => {
  await quit?.();
  await central?.stop();
});

const dashboardFigures = async (browser: Browser) => ({
  orders: Number((await (await browser.$('[data-testid="orders-today"]')).getText()).replace(/\D/g, "")),
  revenue: await (await browser.$('[data-testid="revenue-today"]')).getText(),
  delivered: Number(await (await browser.$('[data-status="delivered"]')).getAttribute("data-count")),
});

describe("the operator's day", () => {
  it("(1) takes a counter order and hands it over; the dashboard's numbers follow", async () => {
    const before = await dashboardFigures(ui.browser);
    expect(before).toEqual({ orders: 0, revenue: "0.00 CNY", delivered: 0 });

    const number = await ui.takeOrder("counter", [["TEA-1", 2]]);
    expect(await ui.text('[data-testid="order-total"]')).toBe("25.00 CNY");
    expect(await ui.offeredActions()).toEqual(["pay", "cancel"]);
    await ui.act("pay");
    await ui.waitStatus("paid");
    expect(await ui.offeredActions()).toEqual(["hand_over", "cancel"]);
    await ui.act("hand_over");
    await ui.waitStatus("delivered");
    expect(await ui.offeredActions()).toEqual(["refund"]);
    await ui.shoot("orders-light");

    await ui.go("dashboard");
    const after = await waitFor("the dashboard to count the sale", async () => {
      const figures = await dashboardFigures(ui.browser);
      return figures.orders === 1 ? figures : undefined;
    });
    expect(after).toEqual({ orders: 1, revenue: "25.00 CNY", delivered: 1 });
    // Numbers carry the till; a stand-alone store's device (and this one, joined with T1's
    // token) is till T1, as the status bar says.
    expect(number).toMatch(new RegExp(`^${STORE}-T1-\\d{8}-0001$`));
    expect(await ui.text('[data-testid="till"]')).toBe(en.status.till.replace("{{till}}", "T1"));
  });

  it("(2) offline: a fulfilment order waits, then syncs and becomes ready to ship without a click", async () => {
    // The counter sale's last event (the hand-over) may still be on its way; let it arrive first.
    await waitFor("the counter sale to sync", async () => (await ui.pending()) === 0 && (await ui.online()));
    await central.stop();
    await waitFor("the status bar to say offline", async () => !(await ui.online()));
    expect(await ui.text('[data-testid="online"]')).toBe(en.status.offline);

    await ui.go("orders");
    const number = await ui.takeOrder("fulfilment", [["POT-1", 1]]);
    // The order taken offline: its placement waits as one event.
    await waitFor("one pending event to show", async () => (await ui.pending()) === 1);
    expect(await ui.online()).toBe(false);
    await ui.shoot("offline-pending");
    // Paid offline too (only a paid order becomes ready to ship): the payment is a second event.
    await ui.act("pay");
    await ui.waitStatus("paid");
    await waitFor("the payment to wait too", async () => (await ui.pending()) === 2);

    await central.start();
    await ui.waitStatus("ready_to_ship", 45_000);
    expect(await ui.attr('[data-testid="order-detail"]', "data-number")).toBe(number);
    await waitFor("nothing pending", async () => (await ui.pending()) === 0 && (await ui.online()));
  });

  it("(3) the oversell lands on the Sync screen as an attention item, resolved by cancelling", async () => {
    // The store has 5 vases. Offline, it sells 2 at the counter and takes a fulfilment order
    // for 2; meanwhile central's platform sells 3 of them for this store.
    await central.stop();
    await waitFor("offline", async () => !(await ui.online()));
    const sale = await ui.takeOrder("counter", [["OVR-1", 2]]);
    await ui.act("pay");
    await ui.waitStatus("paid");
    await ui.act("hand_over");
    await ui.waitStatus("delivered");
    const parcel = await ui.takeOrder("fulfilment", [["OVR-1", 2]]);
    await ui.act("pay");
    await ui.waitStatus("paid");
    central.admin(["order", "place", "--store", STORE, "--line", "OVR-1=3", "--customer", "web"]);
    await central.start();

    await ui.go("sync");
    const item = `[data-testid="attention-item"][data-order="${parcel}"]`;
    await waitFor("the attention item", async () => (await ui.$(item)).isDisplayed(), 45_000);
    expect(await ui.attr(item, "data-kind")).toBe("reservation_rejected");
    expect(await ui.text(item)).toContain(en.sync.kinds.reservation_rejected);
    // Said from central's figures: it had reserved 3 for its own order and the counter sold 2.
    expect(await ui.text(`${item} [data-testid="attention-message"]`)).toBe(
      "Central could not reserve the stock: OVR-1: 2 requested, 0 available",
    );
    await ui.shoot("sync-attention-light");
    await ui.theme("dark");
    await ui.shoot("sync-attention-dark");
    await ui.theme("light");

    await ui.click(`${item} [data-action="cancel"]`);
    await (await ui.$('[data-testid="action-form"]')).waitForDisplayed({ timeout: 10_000 });
    await (await ui.$('[data-testid="action-reason"]')).setValue("central sold the last vases");
    await ui.click('[data-testid="action-submit"]');
    // ANN is a cashier: cancelling needs a supervisor's or manager's approval, on the spot.
    const approval = await ui.$('[data-testid="approval"]');
    await approval.waitForDisplayed({ timeout: 10_000 });
    expect(await ui.text('[data-testid="approval"]')).toContain("cancel");
    expect(await (await ui.$('[data-testid="approval"] [data-staff="ANN"]')).isExisting()).toBe(false);
    await ui.shoot("approval-light");
    await ui.signIn("MAY", "2468");
    await waitFor("the attention item to go", async () => !(await (await ui.$(item)).isExisting()));

    await ui.go("orders");
    await ui.searchOrders(parcel, 1);
    await ui.click(`[data-testid="order-list"] [data-row="${parcel}"]`);
    await ui.waitStatus("cancelled");
    // Both names on the timeline: ANN cancelled it, MAY approved.
    const by = await ui.browser.$$('[data-testid="timeline"] [data-testid="timeline-by"]');
    const said: string[] = [];
    for (const b of by) said.push(await b.getText());
    expect(said).toContain(en.orders.byApproved.replace("{{actor}}", "ANN").replace("{{approver}}", "MAY"));
    await ui.searchOrders(sale, 1);
    await ui.click(`[data-testid="order-list"] [data-row="${sale}"]`);
    await ui.waitStatus("delivered");
    await ui.clearSearch();
  });

  it("(4) an unpaid order offers no shipping, and the core's refusal reads clearly", async () => {
    await ui.go("orders");
    await ui.takeOrder("fulfilment", [["CUP-1", 1]]);
    expect(await ui.orderStatus()).toBe("created");
    const actions = await ui.offeredActions();
    expect(actions).toEqual(["pay", "cancel"]);
    expect(actions).not.toContain("ship");

    await ui.act("pay", "1.00");
    const error = await ui.$('[data-testid="action-form"] [data-testid="error"]');
    await error.waitForDisplayed({ timeout: 10_000 });
    const shown = await error.getText();
    expect(shown).toContain(en.errors.payment_mismatch.title);
    expect(shown).toContain(en.errors.payment_mismatch.hint);
    expect(shown).toContain("3.00");
    await ui.shoot("core-error");
    await ui.browser.keys(["Escape"]);
    expect(await ui.orderStatus()).toBe("created");
  });

  it("(4b) a CLI till's order shows on Orders with its till, and the till filter narrows the list", async () => {
    const till = CliTill.join(central, STORE);
    const placed = JSON.parse(till.run(["order", "create", "--channel", "counter", "--line", "CUP-1=2", "--json"])) as { number: string };
    till.run(["order", "pay", placed.number, "--method", "cash"]);
    // A counter sale reaches central when the goods are handed over.
    till.run(["order", "hand-over", placed.number]);
    till.run(["sync", "run", "--once"]);
    expect(placed.number).toMatch(new RegExp(`^${STORE}-T2-\\d{8}-0001$`));

    await ui.go("orders");
    await ui.clearSearch();
    const row = `[data-testid="order-list"] [data-row="${placed.number}"]`;
    await waitFor("T2's order on this till", async () => (await ui.$(row)).isExisting(), 45_000);
    expect(await ui.text(`${row} [data-testid="order-till"]`)).toBe("T2");
    await ui.click(row);
    await waitFor("T2's order in the detail", async () => (await ui.attr('[data-testid="order-detail"]', "data-number")) === placed.number);
    expect(await ui.text('[data-testid="detail-till"]')).toBe(en.status.till.replace("{{till}}", "T2"));
    const all = Number(await ui.attr('[data-testid="order-count"]', "data-count"));
    await waitFor("T2 among the tills", async () => (await (await ui.$('[data-testid="till-filter"] option[value="T2"]')).isExisting()));
    await (await ui.$('[data-testid="till-filter"]')).selectByAttribute("value", "T2");
    await waitFor("only T2's order", async () => Number(await ui.attr('[data-testid="order-count"]', "data-count")) === 1);
    expect(await (await ui.$(row)).isExisting()).toBe(true);
    await ui.shoot("orders-till-filter");
    await (await ui.$('[data-testid="till-filter"]')).selectByAttribute("value", "T1");
    // Neither T2's order nor the central platform's (test 3) is T1's.
    await waitFor("T1's orders only", async () => Number(await ui.attr('[data-testid="order-count"]', "data-count")) === all - 2);
    expect(await (await ui.$(row)).isExisting()).toBe(false);
    const shown: string[] = [];
    for (const cell of await ui.browser.$$('[data-testid="order-list"] [data-testid="order-till"]')) shown.push(await cell.getText());
    expect(shown.length).toBeGreaterThan(0);
    expect(new Set(shown)).toEqual(new Set(["T1"]));
    await (await ui.$('[data-testid="till-filter"]')).selectByAttribute("value", "");
    await waitFor("every order again", async () => Number(await ui.attr('[data-testid="order-count"]', "data-count")) === all);

    // The dashboard narrows the same way: T2 took one order today, paid 6.00.
    await ui.go("dashboard");
    await (await ui.$('[data-testid="dashboard-till"]')).selectByAttribute("value", "T2");
    await waitFor("T2's figures", async () => (await dashboardFigures(ui.browser)).orders === 1 && (await ui.text('[data-testid="revenue-today"]')) === "6.00 CNY");
    await ui.shoot("dashboard-till");
    await (await ui.$('[data-testid="dashboard-till"]')).selectByAttribute("value", "");
  });

  it("(5) switching to 简体中文 translates the screen", async () => {
    await ui.go("settings");
    await (await ui.$('[data-testid="language"]')).selectByAttribute("value", "zh-CN");
    await waitFor("Chinese navigation", async () => (await ui.text('[data-nav="dashboard"]')) === zhCN.app.nav.dashboard);
    expect(await ui.text('[data-testid="settings"] h1')).toBe(zhCN.settings.title);
    await ui.go("dashboard");
    expect(await ui.text('[data-testid="dashboard"] h1')).toBe(zhCN.dashboard.title);
    expect(await ui.text('[data-testid="online"]')).toBe(zhCN.status.online);
    const body = await ui.text("body");
    for (const english of [en.dashboard.revenueToday, en.dashboard.latency, en.app.nav.orders]) expect(body).not.toContain(english);
    await ui.shoot("dashboard-zh-light");
    await ui.theme("dark");
    await ui.shoot("dashboard-zh-dark");
    await ui.theme("light");
    // Every screen in Chinese: no text is left to a font stack without the app's CJK font.
    for (const screen of ["dashboard", "orders", "stock", "catalog", "sync", "reports", "audit", "settings"]) {
      await ui.go(screen);
      if (screen === "dashboard") await waitFor("the latency chart", async () => (await ui.$('[data-testid="latency"] .u-legend')).isExisting());
      if (screen === "orders") await ui.click('[data-testid="order-list"] [data-row]');
      expect(await ui.cjkOutsideAppFont(), `the ${screen} screen`).toEqual([]);
      if (screen === "orders" || screen === "stock" || screen === "audit") await ui.shoot(`${screen}-zh-light`);
    }
    // The lock screen in Chinese, light and dark: "switch person", then sign in again.
    await ui.click('[data-testid="switch-person"]');
    await (await ui.$('[data-testid="sign-in"]')).waitForDisplayed({ timeout: 10_000 });
    expect(await ui.text('[data-testid="sign-in"]')).toContain(zhCN.staff.signInIntro);
    await ui.shoot("sign-in-zh-light");
    await ui.theme("dark");
    await ui.shoot("sign-in-zh-dark");
    await ui.theme("light");
    await ui.signIn("ANN", "1234");
    await waitFor("ANN again", async () => (await ui.text('[data-testid="who"]').catch(() => "")).includes("ANN"));

    await ui.go("settings");
    await (await ui.$('[data-testid="language"]')).selectByAttribute("value", "en");
    await waitFor("English navigation", async () => (await ui.text('[data-nav="dashboard"]')) === en.app.nav.dashboard);
  });

  it("(6) draws hanzi as hanzi on a machine without a CJK font, in both weights", async () => {
    // The app runs with a font configuration of DejaVu only (harness: FONTCONFIG_FILE), so only
    // the app's own font can draw these. What is compared is what the webview painted: without a
    // font, every hanzi is the same missing-glyph box. 花 and 瓶 are common; 喆 and 堃 are name
    // characters outside GB 2312; U+FFFF has no glyph in any font.
    for (const weight of [400, 700]) {
      const drawn = await ui.drawn(["花", "瓶", "喆", "堃", "\uFFFF"], weight);
      const box = drawn[4]!;
      const hanzi = drawn.slice(0, 4);
      for (const [i, a] of hanzi.entries()) {
        expect(inkedPixels(a), `${a.char} (weight ${weight}) is drawn at all`).toBeGreaterThan(60);
        expect(differingPixels(a, box), `${a.char} (weight ${weight}) is not the missing-glyph box`).toBeGreaterThan(60);
        for (const b of hanzi.slice(i + 1)) {
          expect(differingPixels(a, b), `${a.char} and ${b.char} (weight ${weight}) look different`).toBeGreaterThan(60);
        }
      }
    }
  });

  it("(7) the audit trail shows who did what, filters by person, checks its chain and exports CSV", async () => {
    await ui.go("audit");
    await waitFor("the chain checked", async () => (await ui.text('[data-testid="audit-check"]').catch(() => "")).length > 0);
    expect(await ui.text('[data-testid="audit-check"]')).toMatch(/intact/);
    const actions = async () => {
      const rows = await ui.browser.$$('[data-testid="audit-table"] tbody tr');
      const out: string[] = [];
      for (const r of rows) out.push((await r.getAttribute("data-action")) ?? "");
      return out;
    };
    const all = await actions();
    for (const a of ["staff.sign_in", "staff.refused", "staff.approve", "order.cancel"]) expect(all).toContain(a);
    await (await ui.$('[data-testid="audit-person"]')).selectByAttribute("value", "MAY");
    await waitFor("MAY's records only", async () => {
      const mine = await actions();
      return mine.length > 0 && mine.length < all.length && mine.includes("staff.approve");
    });
    await ui.shoot("audit-light");
    await ui.theme("dark");
    await ui.shoot("audit-dark");
    await ui.theme("light");

    const target = path.join(tempDir("audit"), "audit.csv");
    await ui.click('[data-testid="audit-export"]');
    await answerSaveDialog(target);
    await waitFor("the CSV written", async () => readdirSync(path.dirname(target)).includes("audit.csv"), 15_000);
    const csv = readFileSync(target, "utf8").trim().split("\n");
    expect(csv[0]).toBe("seq,at,staff,approved_by,action,subject,detail,hash");
    expect(csv.slice(1).some((line) => line.includes(",ANN,MAY,order.cancel,"))).toBe(true);
    await (await ui.$('[data-testid="audit-person"]')).selectByAttribute("value", "");

    // What the window is told about staff and the trail carries no PIN and no PIN hash.
    const answers = await ui.browser.executeAsync((finish: (text: string) => void) => {
      const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a?: object) => Promise<unknown> } }).__TAURI_INTERNALS__;
      void Promise.all([internals.invoke("staff_status"), internals.invoke("audit_records", { staff: null, action: null, from: null, to: null })]).then((r) => finish(JSON.stringify(r)));
    });
    const [status, trail] = JSON.parse(answers) as [unknown, unknown];
    expect(JSON.stringify(status)).toContain("ANN");
    for (const secret of ["$argon2", "pin_hash", "1234", "2468"]) expect(JSON.stringify(status)).not.toContain(secret);
    for (const secret of ["$argon2", "pin_hash"]) expect(JSON.stringify(trail)).not.toContain(secret);
  });

  it("(8) Settings lists the staff from central, says they are managed there, and offers no local changes", async () => {
    await ui.go("settings");
    const card = await ui.$('[data-testid="staff-list"]');
    await card.waitForDisplayed({ timeout: 10_000 });
    await card.scrollIntoView();
    for (const who of ["ANN", "MAY", "E2E"]) expect(await (await ui.$(`[data-staff-row="${who}"]`)).isExisting()).toBe(true);
    expect(await card.getText()).toContain(en.staff.atCentral.slice(0, 30));
    expect(await (await ui.$('[data-testid="staff-add"]')).isExisting()).toBe(false);
    await ui.shoot("settings-staff-light");
    await (await ui.$('[data-testid="settings"] h1')).scrollIntoView();
  });

  it("exports a report through the Reports screen", async () => {
    const target = path.join(tempDir("export"), "sales.xlsx");
    await ui.go("reports");
    await (await ui.$('[data-testid="report-format"]')).selectByAttribute("value", "xlsx");
    await ui.click('[data-testid="export"]');
    await answerSaveDialog(target);
    // ANN is a cashier: reports are a manager's, approved on the spot.
    await (await ui.$('[data-testid="approval"]')).waitForDisplayed({ timeout: 10_000 });
    expect(await ui.text('[data-testid="approval"]')).toContain("view_reports");
    await ui.tapPin("MAY", "2468");
    const done = await ui.$('[data-testid="export-done"]');
    await done.waitForDisplayed({ timeout: 30_000 });
    expect(await done.getText()).toContain(target);
    const bytes = readFileSync(target);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    expect(readdirSync(path.dirname(target))).toEqual(["sales.xlsx"]);
  });

  it("shows every screen, light and dark", async () => {
    for (const theme of ["light", "dark"] as const) {
      await ui.theme(theme);
      for (const screen of ["dashboard", "orders", "stock", "catalog", "sync", "reports", "audit", "settings"]) {
        await ui.go(screen);
        if (screen === "orders") await ui.click('[data-testid="order-list"] [data-row]');
        if (screen === "stock") await ui.click('[data-testid="stock-list"] [data-row]');
        if (screen === "dashboard") await waitFor("the latency chart", async () => (await ui.$('[data-testid="latency"] .chart')).isExisting());
        if (screen === "dashboard" && theme === "light") {
          // Central calls carry a trace id (sent as traceparent, in central's logs) even with no
          // collector: the slowest one is shown, whole in its title, to copy.
          const trace = await waitFor("a central call's trace id", async () => {
            const shown = await ui.$('[data-testid="slowest-trace"]');
            return (await shown.isExisting()) && (await shown.getAttribute("title"));
          });
          expect(trace).toMatch(/^[0-9a-f]{32}$/);
          expect(await ui.text('[data-testid="traces"]')).toBe(en.dashboard.tracesOff);
        }
        await ui.shoot(`${screen}-${theme}`);
      }
    }
    await ui.theme("light");
  });
});
