// Opens HTML reports in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// and checks what a person would see (issue 14):
//   - the page loads with no console error and no uncaught exception;
//   - it makes no network request (everything inline: the only request is the file itself);
//   - every expected chart is in the DOM as a drawn SVG (non-zero size);
//   - a PNG screenshot of the page's first chart with its table is saved.
// Usage: node browser_check.mjs SHOTS_DIR REPORT.html=chart1,chart2 [...]
// Exit 1 on the first report that fails a check (every failure is printed).
import { chromium } from "playwright-core";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [shots, ...reports] = process.argv.slice(2);
if (!shots || reports.length === 0) {
  console.error("usage: node browser_check.mjs SHOTS_DIR REPORT.html=chart1,chart2 ...");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The machine has no network: without these Chromium keeps trying to reach Google's hosts.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
for (const spec of reports) {
  const [file, charts] = spec.split("=");
  const url = pathToFileURL(path.resolve(file)).href;
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e}`));
  page.on("request", (r) => { if (r.url() !== url) problems.push(`network request: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  const wanted = (charts || "").split(",").filter(Boolean);
  for (const name of wanted) {
    const svg = page.locator(`figure[data-chart="${name}"] svg`);
    if ((await svg.count()) !== 1) { problems.push(`chart ${name}: not in the page`); continue; }
    const box = await svg.boundingBox();
    if (!box || box.width < 100 || box.height < 100) problems.push(`chart ${name}: not drawn (${JSON.stringify(box)})`);
  }
  const figures = await page.locator("figure[data-chart]").count();
  const base = path.basename(file, ".html");
  if (figures > 0) {
    await page.locator("figure[data-chart]").first().screenshot({ path: path.join(shots, `${base}.png`) });
  }
  await page.close();
  if (problems.length) {
    failed++;
    console.log(`FAIL ${file}`);
    for (const p of problems) console.log(`  ${p}`);
  } else {
    console.log(`ok   ${file}: ${figures} charts, ${wanted.length} expected ones drawn, no console error, no request`);
  }
}
await browser.close();
process.exit(failed ? 1 : 0);
