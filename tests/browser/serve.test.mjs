// `journeymap serve` in real headless Chromium: an edit to a journey's TOML reloads the open
// page by itself; a spec error shows the overlay and the fix removes it; after the server
// restarts, the page reconnects and reloads by itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn } from "node:child_process";
import { ROOT, launch, watch, run, assert } from "./lib.mjs";

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
  const text = fs.readFileSync(file, "utf8");
  assert(text.includes(from), `${file} lacks ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
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
    const overlay = await page.locator("#journeymap-error").textContent();
    assert(overlay.includes("emotion") && overlay.includes("online-purchase.toml"), overlay);
    assert((await page.locator("h1").textContent()).includes("— live"), "the last good page stays");
    edit(journey, "emotion = 7", "emotion = 3");
    await page.waitForSelector("#journeymap-error", { state: "detached", timeout: 5000 });
    await page.close();
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
