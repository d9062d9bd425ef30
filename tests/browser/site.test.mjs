// The published site of the example project in real headless Chromium:
// every page loads cleanly, navigation works by clicking (over HTTP from a sub-path, and
// from file://), and screenshots of the journey map are saved as test artifacts.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { ROOT, ARTIFACTS, launch, serveStatic, filesUnder, watch, run, assert } from "./lib.mjs";

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const binary = process.env.JOURNEYMAP || path.join(ROOT, "target", "debug", "journeymap");
const site = path.join(ARTIFACTS, "site");
fs.mkdirSync(ARTIFACTS, { recursive: true });
execFileSync(binary, ["build", path.join(ROOT, "example-journey"), "-o", site], { stdio: ["ignore", "ignore", "inherit"] });

const prefix = "/sub/path/";
const server = await serveStatic(site, prefix);
const base = `http://127.0.0.1:${server.address().port}${prefix}`;
const browser = await launch();

const ok = await run([
  ["every page loads with no console error and no failed request", async () => {
    const pages = filesUnder(site, ".html").filter((p) => p !== "404.html");
    assert(pages.length >= 30, `only ${pages.length} pages`);
    const page = await browser.newPage();
    const problems = [];
    watch(page, problems);
    for (const p of pages) {
      const before = problems.length;
      await page.goto(base + p, { waitUntil: "load" });
      const h1 = await page.locator("h1").count();
      if (h1 !== 1) problems.push(`${p}: ${h1} h1 elements`);
      for (let i = before; i < problems.length; i++) problems[i] = `${p}: ${problems[i]}`;
    }
    await page.close();
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["the map draws the stated and the measured emotion, each mark on its line", async () => {
    for (const width of [1440, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(base + "journeys/online-purchase/index.html");
      const stated = page.locator(".emotion-line polyline.e-line");
      const measured = page.locator(".emotion-line polyline.e-measured");
      assert((await stated.count()) >= 1 && (await measured.count()) >= 1, "both lines are drawn");
      for (const line of [stated.first(), measured.first()]) {
        const box = await line.boundingBox();
        assert(box && box.width > 50, `a line is visible at ${width} px: ${JSON.stringify(box)}`);
        const stroke = await line.evaluate((el) => getComputedStyle(el).stroke);
        assert(stroke && stroke !== "none", "the line has a colour");
      }
      // Purchase: stated 2, measured from the post-purchase survey; its ring sits where the
      // measured line has its vertex, and the gap is written beside it.
      const ring = page.locator(".measured-point .measured-dot").first();
      const r = await ring.boundingBox();
      const points = await measured.first().evaluate((el) => {
        const svg = el.ownerSVGElement.getBoundingClientRect();
        const vb = el.ownerSVGElement.viewBox.baseVal;
        return [...el.points].map((p) => ({ x: svg.x + (p.x / vb.width) * svg.width, y: svg.y + (p.y / vb.height) * svg.height }));
      });
      const centre = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      const near = points.some((p) => Math.abs(p.x - centre.x) < 4 && Math.abs(p.y - centre.y) < 4);
      assert(near, `the ring at ${JSON.stringify(centre)} is on a vertex of the line ${JSON.stringify(points)} (${width} px)`);
      // Its text for screen readers is "gap: +1.9"; the last word is what the eye reads.
      const gap = (await page.locator(".measured-point .gap").first().innerText()).trim().split(/\s+/).pop();
      assert(/^[+−]\d/.test(gap), `the gap is signed: ${gap}`);
      // The same numbers in the data table.
      const row = page.locator(".emotion-table tbody tr", { hasText: "Purchase" });
      assert((await row.locator("td").nth(2).innerText()).trim() === gap, "the table shows the map's gap");
      await page.close();
    }
  }],

  ["navigate from home to a touchpoint and back by clicking", async () => {
    const page = await browser.newPage();
    const problems = [];
    watch(page, problems);
    await page.goto(base + "index.html");
    await page.getByRole("link", { name: "Online purchase" }).first().click();
    await page.waitForURL(/journeys\/online-purchase\/index\.html$/);
    assert((await page.locator("h1").textContent()).trim() === "Online purchase", "journey page title");
    await page.getByRole("link", { name: "Search ad" }).first().click();
    await page.waitForURL(/touchpoints\/search-ad\/index\.html$/);
    assert((await page.locator("h1").textContent()).includes("Search ad"), "touchpoint page title");
    // Breadcrumbs lead to the stage, the stage's pager to the next stage.
    await page.locator(".breadcrumbs").getByRole("link", { name: "Awareness" }).click();
    await page.waitForURL(/online-purchase\/awareness\/index\.html$/);
    await page.getByRole("link", { name: /Next stage: Consideration/ }).click();
    await page.waitForURL(/online-purchase\/consideration\/index\.html$/);
    await page.goBack();
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/journeys\/online-purchase\/index\.html$/);
    await page.goBack();
    await page.waitForURL(/sub\/path\/index\.html$/);
    assert((await page.locator("h1").textContent()).includes("Northwind"), "back home");
    await page.close();
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["the site works from file://", async () => {
    const page = await browser.newPage();
    const problems = [];
    watch(page, problems);
    await page.goto("file://" + path.join(site, "index.html"));
    await page.getByRole("link", { name: "B2B partnership lead" }).first().click();
    await page.waitForURL(/b2b-lead\/index\.html$/);
    await page.getByRole("link", { name: "Webinar" }).first().click();
    await page.waitForURL(/touchpoints\/webinar\/index\.html$/);
    const css = await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")).borderBottomStyle);
    assert(css === "solid", "the stylesheet loaded from file://");
    await page.close();
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["the journey map scrolls sideways with the lane labels in view; screenshots", async () => {
    for (const [name, viewport] of [["desktop", { width: 1440, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
      await page.goto(base + "journeys/online-purchase/index.html");
      const scroller = page.locator(".map-scroll");
      const label = page.locator("table.map tbody th.lane").first();
      const x0 = (await label.boundingBox()).x;
      await scroller.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
      await page.waitForTimeout(50);
      const x1 = (await label.boundingBox()).x;
      assert(Math.abs(x1 - x0) < 1, `${name}: lane label moved from ${x0} to ${x1}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(overflow <= 1, `${name}: the page itself scrolls sideways by ${overflow}px`);
      await scroller.evaluate((el) => { el.scrollLeft = 0; });
      await page.screenshot({ path: path.join(ARTIFACTS, `journey-map-${name}.png`), fullPage: true });
      await page.close();
    }
  }],

  ["WCAG 2 A/AA checks (axe-core) pass on every kind of page, light and dark", async () => {
    const pages = [
      "index.html",
      "journeys/online-purchase/index.html",
      "journeys/online-purchase/purchase/index.html",
      "journeys/online-purchase/touchpoints/search-ad/index.html",
      "journeys/online-purchase/cohort-retention/index.html",
      "journeys/b2b-lead/touchpoints/webinar/index.html",
      "pages/methodology/index.html",
    ];
    const problems = [];
    for (const scheme of ["light", "dark"]) {
      const page = await browser.newPage({ colorScheme: scheme });
      for (const p of pages) {
        await page.goto(base + p);
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () =>
          // eslint-disable-next-line no-undef
          axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
        for (const v of result.violations) {
          problems.push(`${scheme} ${p}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        }
      }
      await page.close();
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["on a phone, chart text is 11 px or more, no chart is scaled down, bars fit, axis labels do not overlap", async () => {
    const pages = [
      "journeys/online-purchase/index.html",
      "journeys/online-purchase/touchpoints/checkout/index.html",
      "journeys/b2b-lead/touchpoints/webinar/index.html",
      "journeys/online-purchase/cohort-retention/index.html",
    ];
    const problems = [];
    for (const viewport of [{ width: 390, height: 844 }, { width: 1440, height: 900 }]) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
      for (const p of pages) {
        await page.goto(base + p);
        const found = await page.evaluate(() => {
          const out = [];
          let charts = 0;
          for (const svg of document.querySelectorAll("svg.chart")) {
            if (svg.getClientRects().length === 0) continue; // the drawing for the other width
            charts++;
            const rect = svg.getBoundingClientRect();
            const vb = svg.viewBox.baseVal;
            // Rendered size over drawn size: below 1, everything in it shrinks.
            const scale = vb && vb.width ? rect.width / vb.width : 1;
            const name = svg.getAttribute("class");
            if (scale < 0.999) out.push(`${name}: scaled to ${scale.toFixed(3)}`);
            for (const t of svg.querySelectorAll("text")) {
              const px = parseFloat(getComputedStyle(t).fontSize) * scale;
              if (px < 11) out.push(`${name}: "${t.textContent}" at ${px.toFixed(1)} px`);
            }
            if (/\b(funnel|bars)\b/.test(name)) {
              const scroller = svg.closest(".chart-scroll");
              if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) out.push(`${name}: scrolls sideways`);
              // Each name ends before its value starts.
              const texts = [...svg.querySelectorAll("text")];
              for (let i = 0; i + 1 < texts.length; i += 2) {
                const a = texts[i].getBoundingClientRect(), b = texts[i + 1].getBoundingClientRect();
                if (a.right > b.left) out.push(`${name}: "${texts[i].textContent}" runs into its value`);
              }
            }
            if (/\bline\b/.test(name)) {
              // The x labels are the axis texts on the lowest line; none may touch the next.
              const axis = [...svg.querySelectorAll("text.c-axis")];
              const bottom = Math.max(...axis.map((t) => t.getBoundingClientRect().bottom));
              const xs = axis.map((t) => t.getBoundingClientRect()).filter((r) => Math.abs(r.bottom - bottom) < 1).sort((a, b) => a.left - b.left);
              for (let i = 1; i < xs.length; i++) {
                if (xs[i - 1].right > xs[i].left) out.push(`${name}: x labels overlap at ${xs[i].left.toFixed(0)} px`);
              }
            }
          }
          if (charts === 0) out.push("no chart");
          return out;
        });
        for (const f of found) problems.push(`${viewport.width} px ${p}: ${f}`);
      }
      await page.close();
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["unknown addresses get the 404 page with working links", async () => {
    const page = await browser.newPage();
    const resp = await page.goto(base + "journeys/nope/index.html");
    assert(resp.status() === 404, "status 404");
    assert((await page.locator("h1").textContent()).includes("Page not found"), "404 title");
    await page.close();
  }],
]);

await browser.close();
server.close();
process.exit(ok ? 0 : 1);
