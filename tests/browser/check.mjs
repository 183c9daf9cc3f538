// Opens the reports report_fixtures wrote in headless Chromium (/usr/bin/chromium via
// playwright-core) and checks the rendered DOM: one row per hop, segment widths
// proportional to durations, hostile strings shown as text with no script run, no
// network request at all; saves screenshots at 1280 px and 400 px.
//   node check.mjs PAGES_DIR        (PAGES_DIR holds manifest.json)
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const pagesDir = path.resolve(process.argv[2] ?? ".");
const shotsDir = path.join(pagesDir, "screenshots");
fs.mkdirSync(shotsDir, { recursive: true });
const manifest = JSON.parse(fs.readFileSync(path.join(pagesDir, "manifest.json"), "utf8"));

// Opens the last row that names a connection and clicks the link in its details (the
// sizes line of the row that opened it, the Timing table of one that reused it); false
// when no row has one. Fails the check when the card entry's summary is not then in view.
async function followConnectionLink(page) {
  const row = page.locator("details.row:has(a[href^='#conn-'])").last();
  if (await row.count() === 0) return false;
  await row.evaluate((d) => { d.open = true; });
  const link = row.locator(".detail a[href^='#conn-']").first();
  const target = await link.getAttribute("href");
  await link.click();
  const seen = await page.evaluate((id) => {
    const r = document.querySelector(id).firstElementChild.getBoundingClientRect();
    return { hash: location.hash, top: r.top, bottom: r.bottom, height: innerHeight };
  }, target);
  check(seen.hash === target && seen.top >= -1 && seen.bottom <= seen.height + 1,
        `${page.url()}: following ${target} does not show its entry (${JSON.stringify(seen)})`);
  await row.evaluate((d) => { d.open = false; });
  return true;
}

// In the page: Timing-table phase cells taller than one line, and words of at most 24
// characters in table cells (or kept whole on purpose, .nw and .tok) drawn on more than
// one line: a name may break at a space or, if alone wider than its line, anywhere, but
// not at the hyphen of "cname-1.fallback.test".
function tableLayout() {
  const wrappedPhases = [];
  for (const td of document.querySelectorAll(".tm tr:not(.why) > td:first-child")) {
    if (!td.getClientRects().length) continue;  // in a closed row
    const lh = parseFloat(getComputedStyle(td).lineHeight);
    if (td.clientHeight > lh * 1.6) wrappedPhases.push({ text: td.textContent, height: td.clientHeight });
  }
  const brokenTokens = [];
  for (const td of document.querySelectorAll(".kv td, .nw, .tok")) {
    if (!td.getClientRects().length) continue;
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.data.matchAll(/\S+/g)) {
        if (m[0].length > 24) continue;
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) brokenTokens.push(m[0]);
      }
    }
  }
  return { wrappedPhases, brokenTokens };
}

// In the page: the walk tables' rows and, for each bar, its place in its track.
function walkGeometry() {
  let rows = 0;
  const bars = [];
  for (const table of document.querySelectorAll("table.walk")) {
    const axis = parseFloat(table.dataset.axisMs);
    for (const tr of table.querySelectorAll("tr[data-ms]")) {
      rows++;
      const track = tr.querySelector(".w-track");
      const bar = track && track.querySelector("i");
      if (!bar) continue;
      // The bar's percentages are of the track's inside: its width without the border.
      const t = track.getBoundingClientRect(), b = bar.getBoundingClientRect();
      bars.push({ ms: parseFloat(tr.dataset.ms), axis, width: b.width, left: b.left - t.left, track: track.clientWidth });
    }
  }
  return { rows, bars };
}

// In the page: waterfall rows and connection rows that overlap the next one, request
// blocks of a connection that overlap another block of the same lane (or spill out of
// their lanes), and labels drawn cut: a block's number, a connection's label.
function overlapsAndCuts() {
  const problems = [];
  const visible = (e) => e.getClientRects().length > 0;
  // Rows off screen skip layout (content-visibility: auto) and report the placeholder's
  // size: lay every row out, as scrolling to it would, and measure that.
  const rows = Array.from(document.querySelectorAll(".row"));
  rows.forEach((r) => { r.style.contentVisibility = "visible"; });
  for (const selector of ["details.row:not([hidden]) > summary", "details.cx > summary"]) {
    const boxes = Array.from(document.querySelectorAll(selector)).filter(visible).map((e) => e.getBoundingClientRect());
    for (let i = 1; i < boxes.length; i++)
      if (boxes[i].top < boxes[i - 1].bottom - 0.5)
        problems.push(`${selector} ${i} overlaps the one before (${boxes[i].top} < ${boxes[i - 1].bottom})`);
  }
  for (const lanes of document.querySelectorAll(".lanes")) {
    if (!visible(lanes)) continue;
    const area = lanes.getBoundingClientRect();
    const blocks = Array.from(lanes.querySelectorAll(":scope > .blk")).map((b) => ({
      seq: b.getAttribute("href"), r: b.getBoundingClientRect(), text: b.textContent,
      shown: parseFloat(getComputedStyle(b).fontSize) > 0, clipped: b.scrollWidth > b.clientWidth + 1,
    }));
    for (const b of blocks) {
      if (b.r.top < area.top - 0.5 || b.r.bottom > area.bottom + 0.5)
        problems.push(`block ${b.seq} leaves its connection's lanes`);
      if (b.text && b.shown && b.clipped) problems.push(`block ${b.seq}'s label "${b.text}" is cut`);
    }
    for (let i = 0; i < blocks.length; i++)
      for (let j = i + 1; j < blocks.length; j++) {
        const a = blocks[i].r, b = blocks[j].r;
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > 1 && down > 0.5) problems.push(`blocks ${blocks[i].seq} and ${blocks[j].seq} overlap`);
      }
  }
  for (const label of document.querySelectorAll(".cx .c-label"))
    if (visible(label) && label.scrollWidth > label.clientWidth + 1)
      problems.push(`connection label "${label.textContent}" is cut`);
  rows.forEach((r) => { r.style.contentVisibility = ""; });
  return problems;
}

let failures = 0;
function check(ok, what) {
  if (!ok) { failures++; console.log(`FAIL ${what}`); }
}

// Debian's Chromium, offline, in a fresh profile; `extra` adds launch options.
async function launch(dir, extra = {}) {
  return chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
    offline: true,
    ...extra,
  });
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pageload-chromium-"));
const context = await launch(userDataDir);

try {
  for (const entry of manifest) {
    const page = await context.newPage();
    const url = pathToFileURL(entry.file).href;
    const requests = [];
    const dialogs = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url, { waitUntil: "load" });
    const name = entry.name;

    // How long the page took to parse, lay out and reach its load event.
    const loadMs = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
    console.log(`${name}: load event after ${loadMs.toFixed(0)} ms`);
    if (entry.max_render_ms)
      check(loadMs < entry.max_render_ms, `${name}: load event after ${loadMs.toFixed(0)} ms, limit ${entry.max_render_ms}`);

    // Nothing but the page itself was requested: no CDN, font, image or beacon.
    const others = requests.filter((r) => r !== url);
    check(others.length === 0, `${name}: network requests ${JSON.stringify(others)}`);
    check(errors.length === 0, `${name}: page errors ${JSON.stringify(errors)}`);

    // One row per hop.
    const rows = await page.locator("details.row").count();
    check(rows === entry.rows, `${name}: ${rows} rows, expected ${entry.rows}`);

    // Segment widths in the DOM are proportional to durations (within 1% of the axis),
    // for segments wider than the minimum visible width.
    const geometry = await page.evaluate(() => {
      const wf = document.querySelector(".wf");
      const axisMs = parseFloat(wf.dataset.axisMs);
      return Array.from(document.querySelectorAll(".track")).map((track) => {
        const t = track.getBoundingClientRect();
        // The durations as the row's Timing table says them, one per segment in order.
        const durations = Array.from(track.closest("details").querySelectorAll(".tm tr[class^=ph-]"),
                                     (tr) => parseFloat(tr.cells[2].textContent));
        return Array.from(track.querySelectorAll(":scope > i")).map((s, i) => {
          const r = s.getBoundingClientRect();
          return { ms: durations[i], width: r.width, left: r.left - t.left, track: t.width, axisMs };
        });
      });
    });
    let checked = 0;
    for (const segs of geometry)
      for (const s of segs) {
        const expected = s.ms / s.axisMs;
        if (expected < 0.005) continue;  // widened to the minimum on purpose
        const actual = s.width / s.track;
        checked++;
        check(Math.abs(actual - expected) <= 0.01,
              `${name}: segment ${s.ms} ms is ${(actual * 100).toFixed(2)}% wide, expected ${(expected * 100).toFixed(2)}%`);
        check(s.left >= -0.5 && s.left + s.width <= s.track + 0.5, `${name}: segment leaves its row`);
      }
    if (entry.rows > 0 && entry.measure_segments !== false) check(checked > 0, `${name}: no segment measured`);

    // Tooltips are written by report.js on first hover: a bar's names each phase of the
    // row's Timing table with its duration, a connection block's names its request.
    if (entry.rows > 0) {
      const firstRow = page.locator("details.row > summary").first();
      await firstRow.hover();
      const tip = await page.evaluate(() => {
        const row = document.querySelector("details.row");
        const phases = row.querySelectorAll(".tm tr[class^=ph-]").length;
        const track = row.querySelector(".track");
        const url = row.querySelector(".c-url");
        return { title: track ? track.title : "", phases, url: url ? url.title : "" };
      });
      const named = (tip.title.match(/ ms/g) || []).length;
      check(named === tip.phases, `${name}: the first bar's tooltip names ${named} phases, its Timing table has ${tip.phases}: ${tip.title}`);
      check(/^[a-z]+:/.test(tip.url), `${name}: the first row's name has no full URL tooltip: ${tip.url}`);
      const block = page.locator(".cx .blk").first();
      if (await block.count()) {
        await block.hover();
        const title = await block.getAttribute("title");
        check(/^#\d+ .* · /.test(title || ""), `${name}: a connection block's tooltip is ${JSON.stringify(title)}`);
      }
    }

    // TLS handshake messages are ticks on their row's TLS segment, inside the bar.
    const ticks = await page.evaluate(() => Array.from(document.querySelectorAll(".track")).flatMap((track) => {
      const tls = track.querySelector(":scope > i.ph-tls");
      const s = tls ? tls.getBoundingClientRect() : null;
      return Array.from(track.querySelectorAll(":scope > b.tk")).map((b) => {
        const r = b.getBoundingClientRect();
        return { x: r.left + r.width / 2, top: r.top, bottom: r.bottom, seg: s && { left: s.left, right: s.right,
                 top: s.top, bottom: s.bottom } };
      });
    }));
    for (const t of ticks)
      check(t.seg && t.x >= t.seg.left - 1.5 && t.x <= t.seg.right + 1.5 && t.top >= t.seg.top - 3 &&
            t.bottom <= t.seg.bottom + 3, `${name}: a TLS tick is off its TLS segment ${JSON.stringify(t)}`);
    // one_hop's handshake has 9 messages; those of one direction under a pixel apart are one tick,
    // so at least the client's hello, the server's flight and the client's answer are drawn.
    if (name === "one_hop")
      check(ticks.length >= 3 && ticks.length <= 9, `${name}: ${ticks.length} TLS ticks, expected 3 to 9`);

    // Hostile strings are on the page as text, and none of them ran.
    const state = await page.evaluate(() => ({
      title: document.title, pwned: window.__pwned, imgs: document.images.length,
      svgs: document.querySelectorAll("svg").length, scripts: document.scripts.length,
      text: document.body.textContent, hidden: getComputedStyle(document.body).display,
    }));
    check(state.title !== "pwned", `${name}: document.title was changed`);
    check(state.pwned === undefined, `${name}: hostile script ran (__pwned=${state.pwned})`);
    check(state.imgs === 0 && state.svgs === 0, `${name}: injected elements`);
    check(state.scripts === 1, `${name}: ${state.scripts} script elements`);
    check(state.hidden !== "none", `${name}: injected style applied`);
    if (entry.hostile) {
      // Text inside closed <details> is in the DOM; normalise U+2028/9 like textContent.
      for (const h of entry.hostile_strings)
        check(state.text.includes(h), `${name}: hostile string not shown as text: ${h}`);
    }

    // With script the filter and Expand/Collapse tools are shown (the no-script pass below
    // checks they are not).
    if (entry.rows > 0)
      check(await page.locator(".tools").isVisible(), `${name}: tools hidden although script ran`);

    // The page's markers (document received, fully loaded; the document's first byte when it
    // came) are drawn on the scale, each connection has its row, and "failed only" keeps
    // exactly the failed rows, then unchecking it shows them all again.
    const marks = await page.locator(".wf-head .mk-flag").evaluateAll((els) => els.map((e) => e.className));
    check(marks.filter((c) => !c.includes("m-ttfb")).length === entry.markers,
          `${name}: page markers ${JSON.stringify(marks)}, expected ${entry.markers} besides the first byte`);
    const connRows = await page.locator("details.cx").count();
    check(connRows === entry.connections, `${name}: ${connRows} connection rows, expected ${entry.connections}`);
    if (entry.rows > 0) {
      await page.locator("#f-bad").check();
      const visible = await page.locator("details.row:not([hidden])").count();
      check(visible === entry.failed, `${name}: "failed only" shows ${visible} rows, expected ${entry.failed}`);
      await page.locator("#f-bad").uncheck();
      check(await page.locator("details.row:not([hidden])").count() === entry.rows,
            `${name}: rows stay hidden after "failed only" is unchecked`);
      // Each type, host and status class shows exactly the rows the report wrote with it
      // (the manifest's counts, from the run), and the text filter finds a row by its URL.
      for (const [select, counts] of [["#f-type", entry.types], ["#f-host", "label"], ["#f-status", entry.statuses]]) {
        if (!counts) continue;
        const options = await page.locator(`${select} option`).evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
        for (const [value, label] of options) {
          if (!value) continue;
          await page.locator(select).selectOption(value);
          const shown = await page.locator("details.row:not([hidden])").count();
          // Hosts are named as the report cleans them: their count is the option's own.
          const expected = counts === "label" ? Number(label.match(/\((\d+)\)$/)[1])
                                              : counts[label.replace(/ \(\d+\)$/, "")];
          check(shown === expected, `${name}: ${select} "${label}" shows ${shown} rows, expected ${expected}`);
        }
        await page.locator(select).selectOption("");
      }
      if (entry.text_filter) {
        await page.locator("#filter").fill(entry.text_filter.text);
        const shown = await page.locator("details.row:not([hidden])").count();
        check(shown === entry.text_filter.rows,
              `${name}: text filter "${entry.text_filter.text}" shows ${shown} rows, expected ${entry.text_filter.rows}`);
        // A text that matches nothing says so, rather than leaving an empty table.
        await page.locator("#filter").fill("zzz-matches-no-request");
        check(await page.locator("details.row:not([hidden])").count() === 0, `${name}: a text matching nothing shows rows`);
        check((await page.locator("#shown").textContent()).includes("no request matches"),
              `${name}: a text matching nothing does not say so`);
        await page.locator("#filter").fill("");
      }
      check(await page.locator("details.row:not([hidden])").count() === entry.rows, `${name}: rows stay hidden after the filters`);
    }

    // A request's connection link lands on the connection's card entry and opens it.
    if (await followConnectionLink(page))
      check(await page.evaluate(() => document.querySelector(location.hash).open),
            `${name}: the connection link did not open its card entry`);

    // Clicking a row opens its details (works without JS; JS must not break it).
    if (entry.rows > 0) {
      await page.locator("details.row > summary").first().click();
      check(await page.locator("details.row").first().evaluate((d) => d.open),
            `${name}: clicking a row does not open its details`);
    }
    // With every row open: phase names in the Timing table keep to one line (a wide
    // "why" note must not squeeze them), and no short word in a table cell (a record
    // type, a TTL, an address and port) is split across lines.
    if (entry.rows > 0 && entry.rows <= 60) {
      await page.evaluate(() => document.querySelectorAll("details.row").forEach((d) => { d.open = true; }));
      for (const width of [1280, 400]) {
        await page.setViewportSize({ width, height: 900 });
        // A note beside its bar (the total time) is never cut; tick labels never overlap.
        const axis = await page.evaluate(() => ({
          cut: Array.from(document.querySelectorAll(".note:not(.inside)"))
            .filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent),
          // Each time scale (the waterfall's, the connection view's, the phase strips') apart.
          scales: Array.from(document.querySelectorAll(".scale")).filter((s) => s.getClientRects().length)
            .map((s) => Array.from(s.querySelectorAll(".tick")).map((t) => {
              const r = t.getBoundingClientRect();
              return { label: t.textContent, left: r.left, right: r.right };
            })),
        }));
        for (const n of axis.cut) check(false, `${name} at ${width}px: note "${n}" is cut`);
        // A request's name and host are never cut (they wrap; a name of over 100 characters,
        // or a hostile one (markup and quotes, the hostile fixtures' names, long and without
        // break points), stops at three lines, its whole URL in the tooltip and details), and
        // a note sits above the page markers' lines, so a marker never runs through its text.
        const labels = await page.evaluate(() => ({
          cut: Array.from(document.querySelectorAll(".row .c-url"))
            .filter((u) => u.textContent.length <= 100 && !/[<>"']/.test(u.textContent))
            .filter((u) => u.scrollHeight > u.clientHeight + 1 || u.scrollWidth > u.clientWidth + 1)
            .map((u) => u.textContent),
          under: Array.from(document.querySelectorAll(".note")).filter((n) => {
            const z = Number(getComputedStyle(n).zIndex);
            const marks = Number(getComputedStyle(n.parentElement, "::after").zIndex);
            return !(z > marks);
          }).map((n) => n.textContent),
        }));
        for (const u of labels.cut) check(false, `${name} at ${width}px: request label "${u}" is cut`);
        for (const n of labels.under) check(false, `${name} at ${width}px: note "${n}" is under the page markers`);
        for (const ticks of axis.scales)
          for (let i = 1; i < ticks.length; i++)
            check(ticks[i].left >= ticks[i - 1].right + 4,
                  `${name} at ${width}px: tick labels "${ticks[i - 1].label}" and "${ticks[i].label}" crowd`);
        // No row over another, no request block over another, no label cut.
        for (const p of await page.evaluate(overlapsAndCuts)) check(false, `${name} at ${width}px: ${p}`);
        const layout = await page.evaluate(tableLayout);
        for (const c of layout.wrappedPhases)
          check(false, `${name} at ${width}px: phase name "${c.text}" wraps (${c.height}px high)`);
        for (const t of layout.brokenTokens)
          check(false, `${name} at ${width}px: "${t}" is broken across lines in a table cell`);
        // The DNS pane's walk from the root (--dns-trace): a bar per step that sent a
        // query, its width its share of the lookup's time (within 1%), inside its track.
        const walk = await page.evaluate(walkGeometry);
        if (entry.walk_steps !== undefined)
          check(walk.rows === entry.walk_steps, `${name} at ${width}px: ${walk.rows} walk rows, expected ${entry.walk_steps}`);
        for (const b of walk.bars) {
          check(b.left >= -0.5 && b.left + b.width <= b.track + 0.5, `${name} at ${width}px: a walk bar leaves its track`);
          const expected = b.ms / b.axis;
          if (expected < 0.005) continue;  // widened to the minimum on purpose
          check(Math.abs(b.width / b.track - expected) <= 0.01,
                `${name} at ${width}px: walk step of ${b.ms} ms is ${(b.width / b.track * 100).toFixed(2)}% wide, ` +
                `expected ${(expected * 100).toFixed(2)}%`);
        }
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: path.join(shotsDir, `${name}-open-1280.png`), fullPage: true });
      await page.evaluate(() => document.querySelectorAll("details.row").forEach((d) => { d.open = false; }));
      await page.locator("details.row").first().evaluate((d) => { d.open = true; });
    }

    await page.screenshot({ path: path.join(shotsDir, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 400, height: 800 });
    await page.screenshot({ path: path.join(shotsDir, `${name}-400.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 402, `${name}: page is ${overflow}px wide at a 400px viewport`);
    await page.close();
    console.log(`${name}: checked ${rows} rows, ${checked} segments`);
  }
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

// Without JavaScript the page is still the whole report: rows, bars with their widths,
// details that open on a click; the tools that need script (filter, Expand/Collapse)
// must not show at all.
const noScriptDir = fs.mkdtempSync(path.join(os.tmpdir(), "pageload-chromium-"));
const noScript = await launch(noScriptDir, { javaScriptEnabled: false });
try {
  for (const entry of manifest) {
    if (entry.rows === 0) continue;
    const name = `${entry.name} without script`;
    const page = await noScript.newPage();
    await page.goto(pathToFileURL(entry.file).href, { waitUntil: "load" });
    const state = await page.evaluate(() => {
      const tools = document.querySelector(".tools");
      const track = document.querySelector(".track").getBoundingClientRect();
      const segs = Array.from(document.querySelectorAll(".track")[0].querySelectorAll(":scope > i"));
      return {
        toolsShown: !!tools && tools.getClientRects().length > 0,
        rows: document.querySelectorAll("details.row").length,
        trackWidth: track.width,
        segWidths: segs.map((s) => s.getBoundingClientRect().width),
      };
    });
    check(!state.toolsShown, `${name}: filter and Expand/Collapse shown although they need script`);
    check(state.rows === entry.rows, `${name}: ${state.rows} rows, expected ${entry.rows}`);
    check(state.trackWidth > 100, `${name}: the bar area is ${state.trackWidth}px wide`);
    check(state.segWidths.length > 0 && state.segWidths.every((w) => w > 0),
          `${name}: first row's segments ${JSON.stringify(state.segWidths)}`);
    await followConnectionLink(page);
    await page.locator("details.row > summary").first().click();
    check(await page.locator("details.row").first().evaluate((d) => d.open),
          `${name}: clicking a row does not open its details`);
    if (entry.name === "redirect_chain")
      await page.screenshot({ path: path.join(shotsDir, `${entry.name}-noscript-1280.png`) });
    await page.close();
  }
  console.log("checked every page without script");
} finally {
  await noScript.close();
  fs.rmSync(noScriptDir, { recursive: true, force: true });
}

console.log(`screenshots in ${shotsDir}`);
if (failures) { console.log(`${failures} check(s) failed`); process.exit(1); }
console.log("all browser checks passed");
