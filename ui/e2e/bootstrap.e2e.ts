/** A new till of a store with a big catalog: while it reads central's snapshot, the status bar
 *  says how far it is ("Preparing this till: 12,000 of 150,004 items"), then the till works. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { Central, launchApp, SHOTS, tempDir, Ui, waitFor } from "./harness";

const PRODUCTS = 150_000;

let central: Central | undefined;
let quit: (() => Promise<void>) | undefined;

afterAll(async () => {
  await quit?.();
  await central?.stop();
});

describe("a new till of a big store", () => {
  it("shows its preparation's progress, then opens the dashboard", async () => {
    central = await Central.create(tempDir("central-big"));
    const added = JSON.parse(central.admin(["store", "add", "BIG", "--name", "Big Store", "--currency", "CNY", "--json"])) as { join_code: string };
    const csv = path.join(central.dir, "catalog.csv");
    const rows = Array.from({ length: PRODUCTS }, (_, i) => `BIG-${i},Item ${i},1.00`);
    writeFileSync(csv, ["sku,name,price", ...rows].join("\n") + "\n");
    central.admin(["catalog", "import", csv, "--currency", "CNY"]);

    const app = await launchApp(tempDir("device-big"));
    quit = app.quit;
    const ui = new Ui(app.browser);
    await ui.keepPainting();
    await (await ui.$('[data-testid="setup"]')).waitForDisplayed({ timeout: 30_000 });
    await ui.click('[data-testid="setup-join"]');
    await (await ui.$('[data-testid="join-central"]')).setValue(central.url);
    await (await ui.$('[data-testid="join-code"]')).setValue(added.join_code);
    await ui.click('[data-testid="join-submit"]');

    const progress = await waitFor("the preparation's progress", () => ui.text('[data-testid="preparing"]').catch(() => undefined), 60_000);
    await app.browser.saveScreenshot(path.join(SHOTS, "preparing-till.png"));
    // Still shown after the shot, so the screenshot has it (the setup screen shows it while the
    // till joins, the status bar once the till is open).
    expect(await ui.text('[data-testid="preparing"]')).toMatch(/Preparing this till/);
    const figures = /Preparing this till: ([\d,]+) of ([\d,]+)/.exec(progress);
    expect(figures, progress).not.toBeNull();
    const count = (i: number) => Number((figures?.[i] ?? "").replace(/,/g, ""));
    const [done, total] = [count(1), count(2)];
    expect(total).toBeGreaterThanOrEqual(PRODUCTS);
    expect(done).toBeLessThanOrEqual(total);

    await waitFor("the preparation to end", async () => !(await (await ui.$('[data-testid="preparing"]')).isExisting()), 120_000);
    // The store has no staff at central: once the till has synced, it asks for its first manager.
    await (await ui.$('[data-testid="first-manager"]')).waitForDisplayed({ timeout: 60_000 });
    await (await ui.$('[data-testid="first-code"]')).setValue("boss");
    await (await ui.$('[data-testid="first-name"]')).setValue("Big Boss 老板");
    await (await ui.$('[data-testid="first-pin"]')).setValue("4321");
    await (await ui.$('[data-testid="first-pin-again"]')).setValue("4312");
    expect(await ui.text('[data-testid="first-manager"] [role="alert"]')).toBe(en.staff.pinMismatch);
    await (await ui.$('[data-testid="first-pin-again"]')).setValue("4321");
    await ui.shoot("first-manager-light");
    await ui.click('[data-testid="first-save"]');
    await waitFor("the manager signed in", async () => (await ui.text('[data-testid="who"]').catch(() => "")).includes("BOSS"));
    await waitFor("the dashboard", async () => (await ui.$('[data-testid="dashboard"] [data-testid="orders-today"]')).isDisplayed());
    await waitFor("the app to be online", () => ui.online());
  });
});
