import { remote } from "webdriverio";
const browser = await remote({ hostname: "127.0.0.1", port: 4444, logLevel: "warn",
  capabilities: { "tauri:options": { application: "/work/main/target/debug/storedesk-app" } } });
await new Promise(r => setTimeout(r, 3000));
for (const s of ["orders", "stock", "catalog", "sync", "reports", "settings"]) {
  await (await browser.$(`[data-nav="${s}"]`)).click();
  await new Promise(r => setTimeout(r, 1500));
  if (s === "orders") { const row = await browser.$('[data-testid="order-list"] [data-row]'); await row.click(); await new Promise(r => setTimeout(r, 800)); }
  if (s === "stock") { const row = await browser.$('[data-testid="stock-list"] [data-row]'); await row.click(); await new Promise(r => setTimeout(r, 800)); }
  await browser.saveScreenshot(`/tmp/shot-${s}.png`);
}
await browser.deleteSession();
