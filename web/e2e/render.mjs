// Time from page load to the first complete render (every vessel drawn), in
// Debian's Chromium. Usage: node e2e/render.mjs URL [RUNS]
// Prints one JSON line: vessels, each run's milliseconds, and the median.
import { chromium } from "playwright-core";

const [url, runs = "5"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
const times = [];
let vessels = 0;
for (let i = 0; i < Number(runs); i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => window.sealane?.firstRender() > 0, null, { timeout: 300000 });
  times.push(Math.round(await page.evaluate(() => window.sealane.firstRender())));
  vessels = await page.evaluate(() => window.sealane.vessels());
  await page.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({ vessels, runs_ms: times, median_ms: sorted[Math.floor(sorted.length / 2)] }));
