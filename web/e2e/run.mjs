// End-to-end test of the web app in Debian's Chromium, driven by Playwright.
// Usage: node e2e/run.mjs URL OUT_DIR [EXPECTED_EVENT_TYPE]
// Prints one JSON line of measurements; exits non-zero with the reason on failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [url, out = "e2e-artefacts", expected = "encounter"] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
const fail = async (why) => {
  await page.screenshot({ path: `${out}/failure.png` }).catch(() => {});
  console.error(`FAIL: ${why}\npage errors: ${errors.join("\n")}`);
  await browser.close();
  process.exit(1);
};
try {
  const t0 = Date.now();
  await page.goto(url);
  // The page loads and vessels appear.
  await page.waitForFunction(() => window.sealane?.ready && window.sealane.vessels() > 0, null, { timeout: 60000 });
  const firstRender = await page.evaluate(() => window.sealane.firstRender());
  const vessels = await page.evaluate(() => window.sealane.vessels());
  await page.screenshot({ path: `${out}/1-loaded.png` });
  // The injected behaviour appears in the event list and on the map.
  const listed = await page.locator(`#events li[data-type="${expected}"]`).count();
  if (listed === 0) await fail(`no ${expected} in the event list`);
  const onMap = await page.evaluate((t) => window.sealane.eventsOnMap().filter((x) => x === t).length, expected);
  if (onMap === 0) await fail(`no ${expected} marker on the map`);
  // Every listed event shows its marking.
  const unmarked = await page.locator("#events li:not(:has(.marking))").count();
  if (unmarked > 0) await fail(`${unmarked} events without a marking`);
  // Clicking a vessel on the map opens its dossier.
  await page.evaluate(() => window.sealane.fitVessels());
  await page.waitForTimeout(800);
  const mmsi = await page.evaluate(() => window.sealane.someVessel());
  const xy = await page.evaluate((m) => window.sealane.project(m), mmsi);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
  await page.waitForFunction((m) => document.querySelector("#dossier-title")?.textContent?.includes(String(m)), mmsi, { timeout: 15000 })
    .catch(() => fail(`clicking vessel ${mmsi} did not open its dossier`));
  if ((await page.locator("#panel-dossier .marking").count()) === 0) await fail("the dossier shows no marking");
  await page.screenshot({ path: `${out}/2-dossier.png` });
  // Keyboard: e focuses the event list, j moves, Enter opens.
  await page.keyboard.press("Escape");
  await page.keyboard.press("e");
  await page.keyboard.press("j");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#panel-dossier:not([hidden])", { timeout: 10000 }).catch(() => fail("keyboard did not open an event"));
  await page.screenshot({ path: `${out}/3-keyboard.png` });
  // A burst of live events: the list keeps the newest 5,000 and says how many more there are.
  const kept = await page.evaluate(() => {
    const items = Array.from({ length: 6000 }, (_, i) => ({ id: `burst-${i}`, type: "invalid_identity", lat: 35, lon: 129, mmsi: [10000000 + i], label: {}, marking: "UNCLASSIFIED" }));
    window.sealane.liveFrame({ type: "events", items, omitted: 100 });
    return window.sealane.events().length;
  });
  if (kept !== 5000) await fail(`after a burst of 6,000 events the list holds ${kept}, not 5,000`);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("more in /api/events"), null, { timeout: 10000 })
    .catch(() => fail("the status line does not say how many events are not listed"));
  if (errors.length) await fail("page errors");
  console.log(JSON.stringify({ ok: true, vessels, first_render_ms: Math.round(firstRender), wall_ms: Date.now() - t0, events_listed: listed }));
} catch (e) {
  await fail(String(e));
}
await browser.close();
