// Layout guards, measured in real Chromium: what stakeholders saw go wrong must not come
// back. The journey map fits the page at 1280 and 1440 px from 3 to 8 stages; tables do not
// scroll there; target badges stay inside their cards; on a phone no page scrolls sideways;
// French pages have their no-break
// spaces; no "1 stages"; print lays the map out whole, and the poster is one A3 sheet.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT, ARTIFACTS, launch, serveStatic, filesUnder, run, assert } from "./lib.mjs";

const binary = process.env.JOURNEYMAP || path.join(ROOT, "target", "debug", "journeymap");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jm-layout-"));

function build(project, name) {
  const out = path.join(tmp, `site-${name}`);
  try {
    execFileSync(binary, ["build", project, "-o", out], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    process.stderr.write(e.stderr || "");
    throw e;
  }
  return out;
}

// A journey of `n` stages with realistic text: two touchpoints each, a target, and events
// for 200 people who go further the lower their number.
function journeyOf(n, language = "en") {
  const dir = path.join(tmp, `stages-${n}-${language}`);
  fs.mkdirSync(path.join(dir, "journeys"), { recursive: true });
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  fs.writeFileSync(path.join(dir, "journeymap.toml"), `title = "Layout ${n}"\nlanguage = "${language}"\ncurrency = "EUR"\n`);
  let toml = `title = "Layout test journey"\n\n[targets]\nconversion_rate = { min = 0.2 }\n\n[data.events]\npath = "data/events.csv"\nsegment = "device"\n`;
  const names = ["Awareness", "Consideration", "Evaluation", "Purchase", "Onboarding", "Adoption", "Retention", "Advocacy"];
  for (let s = 0; s < n; s++) {
    toml += `
[[stages]]
id = "s${s}"
name = "${names[s]}"
emotion = ${1 + ((s * 2) % 5)}
actions = ["Compares the three models side by side", "Asks a friend who runs marathons"]
questions = ["Will the shoes fit my running style?"]
pain_points = ["Delivery costs are shown only at checkout"]
opportunities = ["A size guide with a video for each model"]
${s === 1 ? "target = { min = 0.5 }\n" : ""}
  [[stages.touchpoints]]
  id = "t${s}a"
  name = "Product comparison page"
  channel = "web"
  events = ["e${s}a"]

  [[stages.touchpoints]]
  id = "t${s}b"
  name = "Newsletter with offers"
  channel = "email"
  events = ["e${s}b"]
`;
  }
  fs.writeFileSync(path.join(dir, "journeys", "j.toml"), toml);
  let csv = "user_id,timestamp,event,device\n";
  for (let u = 0; u < 200; u++) {
    const depth = 1 + (u % n);
    for (let s = 0; s < depth; s++) {
      const day = String(5 + s).padStart(2, "0");
      csv += `u${u},2026-01-${day}T10:00:00Z,e${s}${u % 2 ? "a" : "b"},${["mobile", "desktop", ""][u % 3]}\n`;
    }
  }
  fs.writeFileSync(path.join(dir, "data", "events.csv"), csv);
  return dir;
}

// The example, in French.
function frenchExample() {
  const dir = path.join(tmp, "example-fr");
  fs.cpSync(path.join(ROOT, "example-journey"), dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}public`) });
  const config = path.join(dir, "journeymap.toml");
  const text = fs.readFileSync(config, "utf8").replace(/^language = .*\n/m, "");
  fs.writeFileSync(config, `language = "fr"\n${text}`);
  return dir;
}

const sites = {
  en: build(path.join(ROOT, "example-journey"), "en"),
  fr: build(frenchExample(), "fr"),
  1: build(journeyOf(1), "1"),
  "1fr": build(journeyOf(1, "fr"), "1fr"),
  3: build(journeyOf(3), "3"),
  8: build(journeyOf(8), "8"),
  "8fr": build(journeyOf(8, "fr"), "8fr"),
};
const servers = {};
for (const [k, dir] of Object.entries(sites)) servers[k] = await serveStatic(dir, "/");
const url = (k, p) => `http://127.0.0.1:${servers[k].address().port}/${p}`;
const browser = await launch();

async function withPage(viewport, fn, options = {}) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1, ...options });
  try {
    return await fn(page);
  } finally {
    await page.close();
  }
}

const desktops = [
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
];

const ok = await run([
  ["the journey map fits the page at 1280 and 1440 px, from 3 to 8 stages, and uses its width", async () => {
    const problems = [];
    for (const viewport of desktops) {
      await withPage(viewport, async (page) => {
        for (const [k, p] of [["3", "journeys/j/index.html"], ["en", "journeys/online-purchase/index.html"], ["en", "journeys/b2b-lead/index.html"], ["8", "journeys/j/index.html"], ["8fr", "journeys/j/index.html"]]) {
          await page.goto(url(k, p));
          const m = await page.evaluate(() => {
            const scroller = document.querySelector(".map-scroll");
            const table = scroller.querySelector(".map");
            const cells = [...table.querySelectorAll("td, th, .cell, .lane-label")];
            // Any cell whose content is wider than the cell (a long word, a badge).
            const overflowing = cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent.trim().slice(0, 40));
            return {
              hidden: scroller.scrollWidth - scroller.clientWidth,
              unused: scroller.clientWidth - table.getBoundingClientRect().width,
              overflowing,
              pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            };
          });
          const where = `${viewport.width} px, ${k}: ${p}`;
          if (m.hidden > 1) problems.push(`${where}: ${m.hidden} px of the map hidden`);
          if (m.unused > 2) problems.push(`${where}: the map leaves ${m.unused} px unused`);
          if (m.overflowing.length) problems.push(`${where}: content wider than its cell: ${m.overflowing.join(" | ")}`);
          if (m.pageScroll > 1) problems.push(`${where}: the page scrolls sideways by ${m.pageScroll} px`);
        }
      });
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["tables do not scroll at 1280 and 1440 px", async () => {
    const problems = [];
    const pages = ["journeys/online-purchase/index.html", "journeys/b2b-lead/index.html", "journeys/online-purchase/purchase/index.html", "journeys/online-purchase/touchpoints/checkout/index.html"];
    for (const viewport of desktops) {
      await withPage(viewport, async (page) => {
        for (const k of ["en", "fr"]) {
          for (const p of pages) {
            await page.goto(url(k, p));
            const scrolled = await page.evaluate(() =>
              [...document.querySelectorAll("table.data")]
                .map((t) => {
                  const box = t.parentElement;
                  const hidden = Math.max(box.scrollWidth - box.clientWidth, t.scrollWidth - t.clientWidth);
                  return hidden > 1 ? `${t.querySelector("caption, th")?.textContent.trim().slice(0, 30)}: ${hidden} px` : null;
                })
                .filter(Boolean),
            );
            if (scrolled.length) problems.push(`${viewport.width} px ${k} ${p}: ${scrolled.join(", ")}`);
          }
        }
      });
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["target badges stay inside their cards (English and French, phone to desktop)", async () => {
    const problems = [];
    for (const viewport of [{ width: 390, height: 844 }, ...desktops]) {
      await withPage(viewport, async (page) => {
        for (const [k, p] of [["en", "index.html"], ["fr", "index.html"], ["en", "journeys/online-purchase/index.html"], ["8fr", "journeys/j/index.html"]]) {
          await page.goto(url(k, p));
          const outside = await page.evaluate(() =>
            [...document.querySelectorAll(".badge")]
              .map((b) => {
                const box = b.closest(".card, td, .summary > div, table.data");
                if (!box) return null;
                const r = b.getBoundingClientRect();
                const c = box.getBoundingClientRect();
                return r.left < c.left - 0.5 || r.right > c.right + 0.5 ? `${b.textContent.trim()} (${Math.round(r.right - c.right)} px)` : null;
              })
              .filter(Boolean),
          );
          if (outside.length) problems.push(`${viewport.width} px ${k} ${p}: ${outside.join(" | ")}`);
        }
      });
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["on a phone no page scrolls sideways and no badge or number sticks out of its box (English and French)", async () => {
    const problems = [];
    await withPage({ width: 390, height: 844 }, async (page) => {
      for (const k of ["en", "fr"]) {
        for (const p of filesUnder(sites[k], ".html")) {
          if (p.endsWith("poster.html")) continue;
          await page.goto(url(k, p));
          const m = await page.evaluate(() => {
            const sticking = [...document.querySelectorAll(".badge, .summary dd, .summary dt")]
              .map((b) => {
                const box = b.closest(".card, td, th, .summary > div");
                if (!box) return null;
                const r = b.getBoundingClientRect();
                const c = box.getBoundingClientRect();
                const clipped = b.scrollWidth > b.clientWidth + 1;
                return r.right > c.right + 0.5 || r.left < c.left - 0.5 || clipped ? `${b.textContent.trim().slice(0, 40)}` : null;
              })
              .filter(Boolean);
            return { scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth, sticking };
          });
          if (m.scroll > 1) problems.push(`${k} ${p}: the page scrolls sideways by ${m.scroll} px`);
          if (m.sticking.length) problems.push(`${k} ${p}: out of its box: ${m.sticking.join(" | ")}`);
        }
      }
    });
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["French pages put a no-break space before : ; ? ! and inside « »", async () => {
    const problems = [];
    await withPage({ width: 1280, height: 800 }, async (page) => {
      for (const p of filesUnder(sites.fr, ".html")) {
        await page.goto(url("fr", p));
        const bad = await page.evaluate(() => {
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest("code, pre, script, style")) continue;
            const t = n.textContent;
            // A sign that ends a phrase, after a letter or an ordinary space.
            for (const m of t.matchAll(/(^|[^\u00a0\u202f])([:;?!])(?=\s|$)/g)) {
              if (m.index === 0 && m[1] === "") continue; // after an element: unknown
              out.push(JSON.stringify(t.slice(Math.max(0, m.index - 15), m.index + 3)));
            }
            if (/«(?!\u00a0)|[^\u00a0]»/.test(t)) out.push(JSON.stringify(t.slice(0, 40)));
          }
          return out;
        });
        if (bad.length) problems.push(`${p}: ${bad.slice(0, 5).join(", ")}`);
      }
    });
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["no singular noun after a plural count, nor the reverse, in English or French", async () => {
    const problems = [];
    const wrong = [
      /(?<![\d.,\u202f])\b1[\s\u00a0](stages|journeys|errors|warnings|targets|people|dates|rows|names)\b/,
      /(?<![\d.,\u202f])\b(?:0|[2-9]|\d{2,})[\s\u00a0](stage|journey|error|warning|target|person|date)\b(?![-\w’'])/,
      /(?<![\d,\u202f])\b1[\s\u00a0](étapes|objectifs|personnes|dates|partis)(?![\w-])/,
      /(?<![\d,\u202f])\b(?:[2-9]|\d{2,})[\s\u00a0](étape|objectif|personne|parti)(?![\w’'-])/,
    ];
    await withPage({ width: 1280, height: 800 }, async (page) => {
      for (const k of ["en", "fr", "1", "1fr", "3", "8fr"]) {
        for (const p of filesUnder(sites[k], ".html")) {
          await page.goto(url(k, p));
          const text = await page.evaluate(() => document.body.innerText);
          for (const re of wrong) {
            const m = text.match(re);
            if (m) problems.push(`${k} ${p}: "${text.slice(Math.max(0, m.index - 20), m.index + 30).replace(/\s+/g, " ")}"`);
          }
        }
      }
    });
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["printed, the journey page lays the map and tables out whole and hides the toggles", async () => {
    await withPage({ width: 1047, height: 720 }, async (page) => {
      await page.emulateMedia({ media: "print" });
      for (const k of ["en", "8"]) {
        await page.goto(url(k, k === "en" ? "journeys/online-purchase/index.html" : "journeys/j/index.html"));
        const m = await page.evaluate(() => {
          const map = document.querySelector(".map");
          const head = map.querySelector("thead");
          const repeated = head ? getComputedStyle(head).display : "missing";
          const scrolls = [...document.querySelectorAll(".map-scroll, .table-scroll, .chart-scroll")].filter((e) => e.scrollWidth > e.clientWidth + 1).length;
          const toggles = [...document.querySelectorAll("details.info > summary")].filter((s) => s.offsetParent !== null).length;
          const sticky = getComputedStyle(map.querySelector("th.lane, .lane-label")).position;
          return { repeated, scrolls, toggles, sticky, wide: map.scrollWidth - map.parentElement.clientWidth };
        });
        assert(m.repeated === "table-header-group", `${k}: the stage row is ${m.repeated}, not repeated on each page`);
        assert(m.scrolls === 0, `${k}: ${m.scrolls} areas would print with a scrollbar`);
        assert(m.toggles === 0, `${k}: ${m.toggles} ⓘ toggles print`);
        assert(m.sticky === "static", `${k}: lane labels are ${m.sticky} in print`);
        assert(m.wide <= 1, `${k}: the map is ${m.wide} px wider than the page`);
      }
    });
  }],

  ["the poster prints on one A3 landscape sheet", async () => {
    for (const [k, p] of [["en", "journeys/online-purchase/poster.html"], ["en", "journeys/b2b-lead/poster.html"], ["8", "journeys/j/poster.html"]]) {
      await withPage({ width: 1440, height: 900 }, async (page) => {
        await page.goto(url(k, p));
        const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
        const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
        fs.writeFileSync(path.join(ARTIFACTS, `poster-${k}-${path.basename(path.dirname(p))}.pdf`), pdf);
        assert(pages === 1, `${k} ${p}: ${pages} pages`);
        const size = pdf.toString("latin1").match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
        assert(size && Math.abs(+size[1] - 1190.55) < 2 && Math.abs(+size[2] - 841.89) < 2, `${k} ${p}: page size ${size && size.slice(1)}`);
      });
    }
  }],
]);

await browser.close();
for (const s of Object.values(servers)) s.close();
// KEEP=1 keeps the generated projects and sites for a look.
if (process.env.KEEP) console.log(`sites in ${tmp}`);
else fs.rmSync(tmp, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
