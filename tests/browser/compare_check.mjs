// Opens the compare views compare_fixtures wrote in headless Chromium (/usr/bin/chromium via
// playwright-core) and checks the rendered page: no network request but the file itself, no
// script error or dialog, hostile strings shown as text, one alignment shown at a time and
// the switch between them, the documents' first bytes at one x when aligned by them, segment
// widths proportional to the axis; saves screenshots at 1280 px and 400 px.
//   node compare_check.mjs PAGES_DIR        (PAGES_DIR holds manifest.json)
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const pagesDir = path.resolve(process.argv[2] ?? ".");
const shotsDir = path.join(pagesDir, "screenshots");
fs.mkdirSync(shotsDir, { recursive: true });
const manifest = JSON.parse(fs.readFileSync(path.join(pagesDir, "manifest.json"), "utf8"));

let failures = 0;
function check(ok, what) {
  if (!ok) { failures++; console.log(`FAIL ${what}`); }
}

// In the page: which layouts are shown, and for the shown one the x of each side's first
// document-first-byte marker and one segment's width against its track.
function geometry() {
  const shown = [...document.querySelectorAll(".layout")].filter((l) => l.getClientRects().length > 0);
  const out = { shown: shown.map((l) => l.dataset.align), ttfb: {}, segments: [] };
  if (shown.length !== 1) return out;
  for (const side of shown[0].querySelectorAll(".side")) {
    const m = side.querySelector(".wrow .track > b.m-ttfb");
    if (m) out.ttfb[side.dataset.side] = m.getBoundingClientRect().left;
    for (const seg of [...side.querySelectorAll(".track > i")].slice(0, 8)) {
      const t = seg.parentElement.getBoundingClientRect();
      out.segments.push({ pct: parseFloat(seg.style.width), width: seg.getBoundingClientRect().width, track: t.width });
    }
  }
  return out;
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pageload-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
  offline: true,
});

try {
  for (const entry of manifest) {
    const page = await context.newPage();
    const url = pathToFileURL(entry.file).href;
    const requests = [], dialogs = [], errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url, { waitUntil: "load" });
    const name = entry.name;

    check(requests.length === 1 && requests[0] === url, `${name}: network requests ${JSON.stringify(requests)}`);
    check(errors.length === 0, `${name}: console errors ${JSON.stringify(errors)}`);
    check(dialogs.length === 0, `${name}: dialogs ${JSON.stringify(dialogs)}`);
    check(await page.evaluate(() => window.__pwned === undefined), `${name}: a hostile string ran`);
    check(await page.evaluate(() => document.querySelectorAll("script, img, svg, iframe").length === 0),
          `${name}: the page holds a script, image, svg or iframe element`);
    if (entry.hostile.length) {
      const text = await page.evaluate(() => document.body.textContent);
      for (const h of entry.hostile.slice(0, 4))
        check(text.includes(h), `${name}: hostile string not shown as text: ${h}`);
    }

    // One layout at a time, the one asked for first, then the other through the switch.
    let g = await page.evaluate(geometry);
    check(g.shown.length === 1 && g.shown[0] === entry.align, `${name}: layouts shown ${JSON.stringify(g.shown)}`);
    for (const s of g.segments)
      check(Math.abs(s.width - Math.max(s.pct / 100 * s.track, 0)) <= 1.5,
            `${name}: a segment of ${s.pct}% is ${s.width}px on a ${s.track}px track`);
    await page.screenshot({ path: path.join(shotsDir, `${name}-${entry.align}.png`), fullPage: true });
    const other = entry.align === "start" ? "first-byte" : "start";
    await page.click(`label[for=align-${other}]`);
    g = await page.evaluate(geometry);
    check(g.shown.length === 1 && g.shown[0] === other, `${name}: after the switch, layouts shown ${JSON.stringify(g.shown)}`);
    await page.click(`label[for=align-first-byte]`);
    g = await page.evaluate(geometry);
    if (g.ttfb.a !== undefined && g.ttfb.b !== undefined)
      check(Math.abs(g.ttfb.a - g.ttfb.b) <= 1, `${name}: aligned by first byte, the markers are at ${g.ttfb.a} and ${g.ttfb.b}`);
    else if (name === "compare-h1-h2") check(false, `${name}: no first-byte markers ${JSON.stringify(g.ttfb)}`);
    await page.screenshot({ path: path.join(shotsDir, `${name}-first-byte-clicked.png`), fullPage: true });
    await page.setViewportSize({ width: 400, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    check(overflow <= 1, `${name}: at 400 px the page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: path.join(shotsDir, `${name}-400.png`), fullPage: true });
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

console.log(failures ? `${failures} failure(s)` : `ok: ${manifest.length} compare pages`);
process.exit(failures ? 1 : 0);
