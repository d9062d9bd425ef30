// Screenshots for looking at the site (not a test): every kind of page of the example (and
// the French fixture), at 1440, 1280 and 390 px wide, light and dark, and printed to PDF.
//   node tests/browser/shots.mjs [SITE_DIR] [OUT_DIR]
// SITE_DIR defaults to tests/artifacts/site (built by the browser tests).
import fs from "node:fs";
import path from "node:path";
import { launch, serveStatic, ARTIFACTS } from "./lib.mjs";

const site = path.resolve(process.argv[2] || path.join(ARTIFACTS, "site"));
const out = path.resolve(process.argv[3] || path.join(ARTIFACTS, "shots"));
const only = process.env.PAGES ? process.env.PAGES.split(",") : null;
fs.mkdirSync(out, { recursive: true });

const pages = [
  ["home", "index.html"],
  ["journey", "journeys/online-purchase/index.html"],
  ["stage", "journeys/online-purchase/purchase/index.html"],
  ["touchpoint", "journeys/online-purchase/touchpoints/checkout/index.html"],
  ["retention", "journeys/online-purchase/cohort-retention/index.html"],
  ["b2b", "journeys/b2b-lead/index.html"],
  ["metric", "journeys/b2b-lead/touchpoints/webinar/index.html"],
  ["page", "pages/methodology/index.html"],
  // The definitions page renders docs/kpis.md (docs/fr/kpis.md in French): a docs edit
  // changes it.
  ["numbers", "how-numbers-are-computed/index.html"],
  ["journey-fr", "journeys/achat/index.html"],
].filter(([name, p]) => fs.existsSync(path.join(site, p)) && (!only || only.includes(name)));

const server = await serveStatic(site, "/");
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
for (const scheme of ["light", "dark"]) {
  for (const width of [1440, 1280, 390]) {
    const context = await browser.newContext({
      viewport: { width, height: width === 390 ? 844 : 900 },
      colorScheme: scheme,
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    for (const [name, p] of pages) {
      await page.goto(base + p);
      await page.screenshot({ path: path.join(out, `${name}-${width}-${scheme}.png`), fullPage: true });
    }
    await context.close();
  }
}
const context = await browser.newContext();
const page = await context.newPage();
for (const [name, p] of pages) {
  await page.goto(base + p);
  await page.pdf({ path: path.join(out, `${name}-print.pdf`), preferCSSPageSize: true, printBackground: false });
}
await browser.close();
server.close();
console.log(`screenshots in ${out}`);
