// `journeymap serve` in real headless Chromium: an edit to a journey's TOML reloads the open
// page by itself; a spec error shows the overlay and the fix removes it; on a phone the
// overlay is a compact panel that can be dismissed until the next failing rebuild; after the
// server restarts, the page reconnects and reloads by itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { ROOT, launch, watch, run, assert } from "./lib.mjs";

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const binary = process.env.JOURNEYMAP || path.join(ROOT, "target", "debug", "journeymap");

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name === "public") continue;
    const [a, b] = [path.join(from, e.name), path.join(to, e.name)];
    if (e.isDirectory()) copyDir(a, b);
    else fs.copyFileSync(a, b);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// Starts the server; resolves once it announces its address.
function startServer(project, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", project, "--port", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", (d) => {
      log += d;
      if (log.includes(`http://127.0.0.1:${port}/`)) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
}

function edit(file, from, to) {
  edits(file, [[from, to]]);
}

// Replaces every occurrence of each `from`, in one write (so, one rebuild).
function edits(file, pairs) {
  let text = fs.readFileSync(file, "utf8");
  for (const [from, to] of pairs) {
    assert(text.includes(from), `${file} lacks ${from}`);
    text = text.replaceAll(from, to);
  }
  fs.writeFileSync(file, text);
}

const project = fs.mkdtempSync(path.join(os.tmpdir(), "journeymap-serve-"));
copyDir(path.join(ROOT, "example-journey"), project);
const journey = path.join(project, "journeys", "online-purchase.toml");
const port = await freePort();
let server = await startServer(project, port);
const browser = await launch();
const url = `http://127.0.0.1:${port}/journeys/online-purchase/`;

const ok = await run([
  ["editing the journey reloads the open page with the new title", async () => {
    const page = await browser.newPage();
    const problems = [];
    watch(page, problems);
    await page.goto(url);
    assert((await page.locator("h1").textContent()).trim() === "Online purchase", "initial title");
    const marker = await page.evaluate(() => (window.__notReloaded = true));
    assert(marker, "marker set");
    edit(journey, 'title = "Online purchase"', 'title = "Online purchase — live"');
    await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("— live"), null, { timeout: 5000 });
    assert(!(await page.evaluate(() => window.__notReloaded === true)), "the page was reloaded, not patched");
    // The reloaded page is complete: the map and the charts are there.
    assert((await page.locator(".map .stage-head").count()) === 5, "five stage columns");
    await page.close();
    assert(problems.filter((p) => !p.includes("__journeymap/live")).length === 0, problems.join("\n"));
  }],

  ["a spec error shows the overlay over the last good page; the fix removes it", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    edit(journey, "emotion = 3", "emotion = 7");
    await page.waitForSelector("#journeymap-error", { timeout: 5000 });
    const overlay = await page.locator("#journeymap-error pre").textContent();
    assert(overlay.includes("emotion") && overlay.includes("online-purchase.toml"), overlay);
    assert((await page.locator("h1").textContent()).includes("— live"), "the last good page stays");
    edit(journey, "emotion = 7", "emotion = 3");
    await page.waitForSelector("#journeymap-error", { state: "detached", timeout: 5000 });
    await page.close();
  }],

  ["on a phone the overlay is a compact panel; closed, it stays closed until the next failing rebuild", async () => {
    const phone = { width: 390, height: 844 };
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();
    const problems = [];
    watch(page, problems);
    await page.goto(url);
    const overlay = page.locator("#journeymap-error");
    const good = fs.readFileSync(journey, "utf8");
    try {
      // Three errors: more text than fits, so that the panel's own limit is what is measured.
      edits(journey, [["emotion = 3", "emotion = 7"], ["emotion = 4", "emotion = 9"]]);
      await overlay.waitFor({ timeout: 5000 });
      assert((await overlay.getAttribute("role")) === "alert", "role=alert");
      const box = await overlay.boundingBox();
      assert(box.height <= 0.4 * phone.height, `the overlay is ${box.height} px tall, over 40% of ${phone.height}`);
      assert(box.y >= 0 && box.y + box.height <= phone.height && box.x >= 0 && box.x + box.width <= phone.width,
        `the overlay is not inside the viewport: ${JSON.stringify(box)}`);
      const headline = page.locator("#journeymap-error .title");
      const text = await headline.innerText();
      assert(/\b3 errors\b/.test(text), `the headline counts the errors: ${text}`);
      // Every error can be read by scrolling inside the panel.
      const details = page.locator("#journeymap-error pre");
      assert((await details.innerText()).match(/emotion/g).length >= 3, "all three errors are in the panel");
      const scrolls = await page.locator("#journeymap-error [data-scroll]").evaluate((e) =>
        getComputedStyle(e).overflowY === "auto" && e.scrollHeight > e.clientHeight);
      assert(scrolls, "the details scroll inside the panel");
      // A real button with a name, operated with the keyboard.
      const close = page.getByRole("button", { name: "Close the build errors" });
      assert((await close.evaluate((e) => e.tagName)) === "BUTTON", "a <button>");
      await close.focus();
      await page.keyboard.press("Enter");
      await overlay.waitFor({ state: "hidden", timeout: 2000 });
      // The next failing rebuild (other errors) reloads the page, and the overlay is back.
      edit(journey, "emotion = 2", "emotion = 0");
      await overlay.waitFor({ state: "visible", timeout: 5000 });
      assert(/\b4 errors\b/.test(await headline.innerText()), "the new errors are shown");
    } finally {
      fs.writeFileSync(journey, good);
    }
    await overlay.waitFor({ state: "detached", timeout: 5000 });
    await context.close();
    assert(problems.filter((p) => !p.includes("__journeymap/live")).length === 0, problems.join("\n"));
  }],

  ["the overlay can be collapsed to its headline, and passes axe-core in light and dark", async () => {
    const good = fs.readFileSync(journey, "utf8");
    edit(journey, "emotion = 3", "emotion = 7");
    const problems = [];
    try {
      for (const scheme of ["light", "dark"]) {
        for (const viewport of [{ width: 390, height: 844 }, { width: 1440, height: 900 }]) {
          const page = await browser.newPage({ colorScheme: scheme, viewport });
          await page.goto(url);
          const overlay = page.locator("#journeymap-error");
          await overlay.waitFor({ timeout: 5000 });
          await page.addScriptTag({ content: axeSource });
          const result = await page.evaluate(async () =>
            // eslint-disable-next-line no-undef
            axe.run({ include: [["#journeymap-error"]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
          for (const v of result.violations) {
            problems.push(`${scheme} ${viewport.width}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
          }
          const open = (await overlay.boundingBox()).height;
          await page.getByRole("button", { name: "Details", expanded: true }).click();
          const folded = (await overlay.boundingBox()).height;
          assert(folded < open && folded <= 64, `collapsed to one line: ${open} → ${folded} px`);
          assert(!(await page.locator("#journeymap-error pre").isVisible()), "the details are hidden");
          const headline = await page.locator("#journeymap-error .title").innerText();
          assert(/\b1 error\b/.test(headline), `the headline stays, singular: ${headline}`);
          await page.getByRole("button", { name: "Details", expanded: false }).click();
          assert(await page.locator("#journeymap-error pre").isVisible(), "the details are back");
          await page.close();
        }
      }
    } finally {
      fs.writeFileSync(journey, good);
    }
    assert(problems.length === 0, problems.join("\n"));
  }],

  ["after a server restart the page reconnects and reloads by itself", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    server.kill();
    await new Promise((r) => server.on("exit", r));
    edit(journey, 'title = "Online purchase — live"', 'title = "Online purchase — restarted"');
    server = await startServer(project, port);
    await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("restarted"), null, { timeout: 10000 });
    await page.close();
  }],
]);

await browser.close();
server.kill();
fs.rmSync(project, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
