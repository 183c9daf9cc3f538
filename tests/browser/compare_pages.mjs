// Chromium is the reference: loads every page of the lab (/page/...) in headless
// Chromium and with pageload, over plain HTTP/1.1, HTTPS with HTTP/1.1 only and HTTPS
// with HTTP/2, and checks that pageload requests exactly the URLs Chromium requests (each
// as many times); gives each the type, priority and initiator Chromium gives it; and, over
// HTTP/1.1, opens as many connections to each host. The differences it accepts are listed
// below (kKnownDifferences, kKnownConnectionDifferences), each with why, each matching
// only the requests or pages it explains; the README's Testing section lists them too.
//   node compare_pages.mjs PAGE_LAB PAGELOAD OUT_DIR [PAGE_FILTER]
// PAGE_LAB is tests/browser/page_lab (the lab, with its connection counters); OUT_DIR
// gets compare.json (every load's requests on both sides) and pageload.db.
//
// What each side is taken from:
// - Chromium's URLs: its own network events (Playwright's request events for every frame
//   of a fresh browser context, from the DevTools Network domain), data: URLs left out (it
//   reports them but sends nothing). Type, initial priority, initiator and connection id
//   come from the page target's Network events (a cross-site frame's requests have none).
//   Playwright drops URLs ending in /favicon.ico from its events by design, so those come
//   from the page target's Network events directly. A load is over when nothing has been
//   in flight for kQuietMs after the load event: Chromium asks for the page's icon after
//   the load event, and that request is compared like any other.
// - pageload's URLs: `pageload run --json`, every request of the run; type, priority,
//   initiator and how it was found from the run's rows in its database (sqlite3).
// - Connections: the lab's own count of the connections each server accepted during the
//   load, by host (the TLS server name, or the first request's Host): the same witness for
//   both. Connections that carried no request (Chromium's preconnects and spare sockets)
//   are counted apart and not compared.
// The lab pages run no script that fetches anything, so there are no script fetches to
// set aside.
import { createInterface } from "node:readline";
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { chromium } from "playwright-core";

const [pageLabPath, pageloadPath, outDir, filter] = process.argv.slice(2);
if (!pageLabPath || !pageloadPath || !outDir) {
  console.error("usage: node compare_pages.mjs PAGE_LAB PAGELOAD OUT_DIR [PAGE_FILTER]");
  process.exit(2);
}
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const kQuietMs = 700;       // nothing in flight this long after the load event: done
const kPageTimeoutMs = 30_000;
const kAttempts = 3;        // loads of a page over HTTP/1.1 to agree on its connection counts
const kHost = "www.test";   // the page's own host; pages name b.test, c.test... themselves

// ---- the lab ----

// Every /page/ answer (and /favicon.ico) starts kPageDelayMs late, so each request holds
// its connection that long: how many connections a client opens then follows from how
// many requests it keeps in flight, not from sub-millisecond races between a response
// ending and the next request being handed out.
const kPageDelayMs = Number(process.env.PAGE_DELAY_MS ?? 150);
const lab = spawn(pageLabPath, ["--page-delay", String(kPageDelayMs)], { stdio: ["pipe", "pipe", "inherit"] });
const labLines = createInterface({ input: lab.stdout })[Symbol.asyncIterator]();
async function labLine() {
  const { value, done } = await labLines.next();
  if (done) throw new Error("page_lab exited");
  return JSON.parse(value);
}
async function labCounts() {
  lab.stdin.write("counts\n");
  return labLine();
}
const hello = await labLine();

// The lab's leaves all share one key: Chromium accepts exactly that key's certificates
// (--ignore-certificate-errors-spki-list), so every other certificate is still refused.
async function labSpki() {
  const socket = tls.connect({ host: "127.0.0.1", port: hello.https, servername: kHost, rejectUnauthorized: false });
  await new Promise((resolve, reject) => { socket.once("secureConnect", resolve); socket.once("error", reject); });
  const der = socket.getPeerX509Certificate().publicKey.export({ type: "spki", format: "der" });
  socket.destroy();
  return crypto.createHash("sha256").update(der).digest("base64");
}

// ---- Chromium ----

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         // Every *.test name is the lab, nxdomain.test does not resolve, and no other name
         // resolves at all: nothing Chromium does in the background leaves loopback.
         "--host-resolver-rules=MAP nxdomain.test ~NOTFOUND, MAP *.test 127.0.0.1, MAP * ~NOTFOUND",
         `--ignore-certificate-errors-spki-list=${await labSpki()}`],
});

// Loads `url` in a fresh context (its own connections, cache and DNS results) with a
// 1280x720 viewport at 1x; returns every request it made, in order.
async function chromiumLoad(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const requests = [];
  let inFlight = 0;
  let lastChange = Date.now();
  const settle = () => { inFlight--; lastChange = Date.now(); };
  context.on("request", (r) => {
    inFlight++;
    lastChange = Date.now();
    requests.push({ url: r.url(), type: r.resourceType(), frame: r.frame()?.url() ?? null });
  });
  context.on("requestfinished", settle);
  context.on("requestfailed", settle);
  const page = await context.newPage();
  // Chromium's own Network events on the page's target: each request's type, initial
  // priority and initiator (for the page and its same-site frames; a cross-site frame is
  // another target, whose requests then have no such details). Playwright also leaves
  // every URL ending in /favicon.ico out of its request events on purpose, so those come
  // from here too (type Other).
  const cdp = await context.newCDPSession(page);
  // url -> [{type, priority, initiator}], one for each time it was requested, in order: a
  // URL fetched with and without credentials (a font preloaded without crossorigin) is two.
  const details = new Map();
  const icons = new Set();
  cdp.on("Network.requestWillBeSent", (e) => {
    if (!details.has(e.request.url)) details.set(e.request.url, []);
    details.get(e.request.url).push({ type: e.type, priority: e.request.initialPriority, initiator: initiatorUrl(e.initiator) });
    if (!new URL(e.request.url).pathname.endsWith("/favicon.ico") || icons.has(e.requestId)) return;
    icons.add(e.requestId);
    inFlight++;
    lastChange = Date.now();
    requests.push({ url: e.request.url, type: e.type.toLowerCase(), frame: null });
  });
  const connections = new Map();  // url -> the connection id Chromium's response names
  cdp.on("Network.responseReceived", (e) => connections.set(e.response.url, e.response.connectionId));
  const iconDone = (e) => { if (icons.delete(e.requestId)) settle(); };
  cdp.on("Network.loadingFinished", iconDone);
  cdp.on("Network.loadingFailed", iconDone);
  await cdp.send("Network.enable");
  let navigation = "load";
  try {
    await page.goto(url, { waitUntil: "load", timeout: kPageTimeoutMs });
  } catch (e) {
    navigation = String(e.message).split("\n")[0];  // a download (octet-stream) ends it
  }
  const deadline = Date.now() + kPageTimeoutMs;
  while (Date.now() < deadline && (inFlight > 0 || Date.now() - lastChange < kQuietMs))
    await new Promise((r) => setTimeout(r, 50));
  await context.close();
  const taken = new Map();  // url -> how many of its details the requests before took
  for (const r of requests) {
    const n = taken.get(r.url) ?? 0;
    taken.set(r.url, n + 1);
    const all = details.get(r.url) ?? [];
    Object.assign(r, { details: all[Math.min(n, all.length - 1)] ?? null, connection: connections.get(r.url) ?? null });
  }
  return { navigation, requests: requests.filter((r) => !r.url.startsWith("data:")) };
}

// The URL of the document or stylesheet whose parsing asked for a request (CDP's
// Network.Initiator: `url` for the parser, the top frame of `stack` for a script); null
// when Chromium names none (type "other": the icon, a navigation).
function initiatorUrl(initiator) {
  if (!initiator) return null;
  if (initiator.url) return initiator.url;
  const frame = initiator.stack?.callFrames?.[0];
  return frame?.url || null;
}

// ---- pageload ----

const db = path.join(outDir, "pageload.db");
function pageloadLoad(url) {
  const r = spawnSync(pageloadPath, ["run", url, "--dns-server", hello.dns_server, "--cacert", hello.ca_file,
                                     "--json", "--no-html", "--db", db, "--max-time", "60"],
                      { encoding: "utf8", maxBuffer: 256 << 20 });
  let run;
  try {
    run = JSON.parse(r.stdout);
    if (!Array.isArray(run?.requests)) throw new Error("not a run");
  } catch {
    throw new Error(`pageload ${url}: exit ${r.status} (signal ${r.signal}), no JSON: ${r.stderr.slice(0, 500)}`);
  }
  // The page's fields (type, priority, initiator, how it was found) from the run's rows.
  const sql = "SELECT r.seq, r.url, r.resource_type AS type, r.priority, r.found_by, i.url AS initiator " +
              "FROM requests r LEFT JOIN requests i ON i.id = r.initiator_id " +
              "WHERE r.run_id = (SELECT max(id) FROM runs) ORDER BY r.seq";
  const q = spawnSync("sqlite3", ["-json", db, sql], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (q.status !== 0) throw new Error(`sqlite3 ${db}: ${q.stderr.slice(0, 300)}`);
  const rows = JSON.parse(q.stdout || "[]");
  return {
    exit: r.status,
    requests: run.requests.map((req, i) => ({ url: req.url, status: req.status, error: req.error?.class ?? null,
                                              connection: req.connection, reused: req.reused,
                                              type: rows[i]?.type ?? null, priority: rows[i]?.priority ?? null,
                                              initiator: rows[i]?.initiator ?? null, found_by: rows[i]?.found_by ?? null })),
  };
}

// ---- comparing ----

function countBy(items, key) {
  const m = new Map();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

// {host: n} accepted by `server` between two counts, hosts with none left out.
function delta(before, after, server) {
  const out = {};
  for (const [host, n] of Object.entries(after[server])) {
    const d = n - (before[server][host] ?? 0);
    if (d > 0) out[host === "" ? "(none named)" : host] = d;
  }
  return out;
}

// Connections that carried a request: Chromium also opens sockets it never sends on
// (preconnects, and spare sockets for its separate credential-less pool), counted by
// the lab under "(none named)"; pageload opens a connection only for a request.
function used(counts) {
  return Object.fromEntries(Object.entries(counts).filter(([host]) => host !== "(none named)"));
}

const kPriorityNames = { VeryHigh: "highest", High: "high", Medium: "medium", Low: "low", VeryLow: "lowest" };
const kTypeNames = { Document: "document", Stylesheet: "stylesheet", Script: "script", Image: "image",
                     Font: "font", Media: "media" };

// Where pageload is known to differ from Chromium on a request both made, and why (the
// README's "Compared with Chromium" lists them too). Each names the field it excuses and
// matches exactly the requests it explains; any other difference fails the comparison.
const isIcon = (o) => o.found_by === "link rel=icon" || o.found_by === "default /favicon.ico";
const kKnownDifferences = [
  { id: "icon",
    why: "the icon is fetched by Chromium's browser process, not the page: DevTools reports it as type Other; " +
         "pageload records it as the image it is (at the priority Chromium gives it, High)",
    matches: (field, c, o) => field === "type" && isIcon(o) && c.details.type === "Other" && o.type === "image" },
  { id: "late-stylesheet",
    why: "a stylesheet named after an image (here a <link rel=preload as=image>): pageload lowers it to medium, " +
         "Chromium keeps it VeryHigh (a divergence in pageload's priority rules, not yet fixed)",
    matches: (field, c, o) => field === "priority" && o.type === "stylesheet" && c.details.priority === "VeryHigh" &&
                              o.priority === "medium" },
  { id: "srcdoc-initiator",
    why: "a subresource of an <iframe srcdoc> document: Chromium names that document (about:srcdoc) as " +
         "initiator, pageload the document holding the iframe (a srcdoc document has no request of its own)",
    matches: (field, c, o) => field === "initiator" && c.details.initiator === "about:srcdoc" &&
                              o.found_by?.startsWith("iframe srcdoc: ") },
  { id: "link-header-modulepreload-initiator",
    why: "a modulepreload named by the document's Link header: Chromium fetches it for the page's settings " +
         "object and names no document (about:client) as initiator, pageload the document whose header " +
         "named it (an initiator is a request)",
    matches: (field, c, o) => field === "initiator" && c.details.initiator === "about:client" &&
                              o.found_by === "Link header rel=modulepreload" },
];


// Type, priority and initiator of each URL both requested, where Chromium reported them:
// {problems, known}, `known` counting the differences kKnownDifferences explains, by id.
function compareDetails(chromeRequests, ourRequests) {
  // A URL requested twice on each side (with and without credentials) is compared in order.
  const byUrl = new Map();
  for (const r of ourRequests) {
    if (!byUrl.has(r.url)) byUrl.set(r.url, []);
    byUrl.get(r.url).push(r);
  }
  const ours = new Map(ourRequests.map((r) => [r.url, r]));
  const seen = new Map();
  const problems = [];
  const known = {};
  const differ = (field, c, o, text) => {
    const k = kKnownDifferences.find((d) => d.matches(field, c, o, ours));
    if (k) known[k.id] = (known[k.id] ?? 0) + 1;
    else problems.push(`${c.url}: ${text}`);
  };
  for (const c of chromeRequests) {
    const n = seen.get(c.url) ?? 0;
    seen.set(c.url, n + 1);
    const mine = byUrl.get(c.url) ?? [];
    const o = mine[Math.min(n, mine.length - 1)];
    if (!o || !c.details) continue;
    const d = c.details;
    const type = kTypeNames[d.type] ?? "other";
    if (type !== o.type) differ("type", c, o, `type ${d.type} in Chromium, ${o.type} in pageload`);
    const priority = kPriorityNames[d.priority];
    if (priority && priority !== o.priority)
      differ("priority", c, o, `priority ${d.priority} in Chromium, ${o.priority} in pageload (found by ${o.found_by})`);
    if (d.initiator && d.initiator !== o.initiator)
      differ("initiator", c, o, `initiator ${d.initiator} in Chromium, ${o.initiator} in pageload`);
  }
  return { problems, known };
}

// Pages whose HTTP/1.1 connection counts are known to differ from Chromium's, how, and
// why; a count that agrees passes too. `allows(chrome, ours)` matches exactly that
// difference (connections that carried a request, by host).
const kKnownConnectionDifferences = {
  // Seen in a fresh-clone CI run over TLS with HTTP/1.1 only (3 loads of 3), not in a run in the
  // working tree: the iframe's document and its subresources take a third connection to the
  // page's host where Chromium reuses one of two. Not yet explained (a handshake finishing
  // late, so an idle connection is not yet there to reuse, is the likeliest reading).
  "/page/iframe": {
    why: "pageload may open one connection more to the page's host for the iframe's requests (not yet explained)",
    allows: (chrome, ours) => (ours[kHost] ?? 0) === (chrome[kHost] ?? 0) + 1 &&
                              Object.keys({ ...chrome, ...ours }).every((k) => k === kHost),
  },
  // Seen once in the working tree over TLS with HTTP/1.1 only (pageload 5, Chromium 4, in all
  // three loads; the three runs before and after agreed): how many connections the page's
  // host gets depends on whether two TLS handshakes end before main.js's imports are found,
  // for pageload (3 to 5 seen) as for Chromium. A race in timing, not a rule.
  "/page/import-map": {
    why: "the page's host may get one connection more or fewer, as TLS handshakes end before or after " +
         "main.js's imports are found (a timing race on both sides)",
    allows: (chrome, ours) => Math.abs((ours[kHost] ?? 0) - (chrome[kHost] ?? 0)) === 1 &&
                              Object.keys({ ...chrome, ...ours }).every((k) => k === kHost),
  },
  "/page/icons": {
    why: "Chromium's favicon handler downloads one icon at a time (the next once the last was not the size it " +
         "wants), all on one connection; pageload asks for the icons it chose at once after the load, so over " +
         "HTTP/1.1 each takes a connection of its own (a divergence in pageload's scheduling, not yet fixed)",
    allows: (chrome, ours) => chrome[kHost] === 1 && (ours[kHost] ?? 0) >= 1 && (ours[kHost] ?? 0) <= 3 &&
                              Object.keys({ ...chrome, ...ours }).every((k) => k === kHost),
  },
};

// Chromium opens spare sockets ahead of need (counted apart when nothing is sent on them);
// its icon, asked for by the browser process as the page ends, sometimes takes one rather
// than a connection the page left idle. Such a connection, which carried the icon alone,
// is not compared: pageload asks for the icon once the page is done and reuses one.
function withoutSpareIconConnection(chromeRequests, ourRequests, counts) {
  const icons = new Set(ourRequests.filter(isIcon).map((o) => o.url));
  const icon = chromeRequests.find((r) => icons.has(r.url));
  if (!icon || icon.connection == null || new URL(icon.url).hostname !== kHost) return null;
  if (chromeRequests.some((r) => r !== icon && r.connection === icon.connection)) return null;
  if (!counts[kHost]) return null;
  return { ...counts, [kHost]: counts[kHost] - 1 };
}

// Chromium binds a request to whichever socket of its host is ready first: when a
// handshake is slow (a loaded machine), a request that started a connection is sent on
// one another request left idle, and the new connection carries nothing (counted apart,
// under "(none named)"). pageload's request waits for the connection it opened. Such a
// load opened as many connections to the page's host as pageload, some unused.
function lateBound(chrome, ours) {
  const unused = chrome["(none named)"] ?? 0;
  const c = used(chrome), o = used(ours);
  if (!unused || (o[kHost] ?? 0) <= (c[kHost] ?? 0) || (o[kHost] ?? 0) > (c[kHost] ?? 0) + unused) return false;
  return sameCounts({ ...c, [kHost]: o[kHost] }, o);
}

function knownConnectionDifference(pagePath, chrome, ours) {
  return kKnownConnectionDifferences[pagePath]?.allows(chrome, ours) ?? false;
}

function sameCounts(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

const ports = [
  { name: "http", scheme: "http", port: hello.http, server: "http", http11: true },
  { name: "https (HTTP/1.1 only)", scheme: "https", port: hello.https11, server: "https11", http11: true },
  { name: "https (HTTP/2)", scheme: "https", port: hello.https, server: "https", http11: false },
];
const pages = ["/page/", ...hello.pages.filter((p) => !p.startsWith("/page/asset/"))]
  .filter((p) => !filter || p.includes(filter));

let failures = 0;
const results = [];
const known = new Map();  // known difference id -> how many requests it explained
try {
  for (const pagePath of pages) {
    for (const p of ports) {
      const url = `${p.scheme}://${kHost}:${p.port}${pagePath}`;
      // Which request gets which connection turns on when each response ends, so a
      // connection count may differ by one on a single load; a page passes when one of
      // kAttempts loads agrees on it. Every attempt must agree on everything else.
      let chrome, ours, chromeConnections, ourConnections, details;
      const problems = [];
      const connectionTries = [];
      let knownTry = false;  // some attempt differed exactly as a listed difference says
      for (let attempt = 0; attempt < kAttempts; attempt++) {
        let before = await labCounts();
        chrome = await chromiumLoad(url);
        let after = await labCounts();
        chromeConnections = delta(before, after, p.server);
        before = after;
        ours = pageloadLoad(url);
        after = await labCounts();
        ourConnections = delta(before, after, p.server);

        const want = countBy(chrome.requests, (r) => r.url);
        const got = countBy(ours.requests, (r) => r.url);
        for (const [u, n] of want)
          if ((got.get(u) ?? 0) !== n) problems.push(`Chromium requests ${u} ${n}x, pageload ${got.get(u) ?? 0}x`);
        for (const [u, n] of got)
          if (!want.has(u)) problems.push(`pageload requests ${u} ${n}x, Chromium never`);
        details = compareDetails(chrome.requests, ours.requests);
        problems.push(...details.problems);
        if (problems.length || !p.http11 || sameCounts(used(chromeConnections), used(ourConnections))) break;
        const spare = withoutSpareIconConnection(chrome.requests, ours.requests, used(chromeConnections));
        if (spare && sameCounts(spare, used(ourConnections))) {
          known.set("icon on a spare socket", (known.get("icon on a spare socket") ?? 0) + 1);
          break;
        }
        if (lateBound(chromeConnections, ourConnections)) {
          known.set("late binding", (known.get("late binding") ?? 0) + 1);
          break;
        }
        connectionTries.push(`Chromium ${JSON.stringify(chromeConnections)}, pageload ${JSON.stringify(ourConnections)}`);
        knownTry ||= knownConnectionDifference(pagePath, used(chromeConnections), used(ourConnections));
      }
      for (const [id, n] of Object.entries(details.known)) known.set(id, (known.get(id) ?? 0) + n);
      if (connectionTries.length === kAttempts && knownTry)
        known.set(`connections on ${pagePath}`, (known.get(`connections on ${pagePath}`) ?? 0) + 1);
      else if (connectionTries.length === kAttempts)
        problems.push(`connections by host in ${kAttempts} loads: ${connectionTries.join("; ")}`);
      const line = `${pagePath} over ${p.name}: ${chrome.requests.length} requests, connections ` +
                   `${JSON.stringify(chromeConnections)}`;
      if (problems.length) {
        failures++;
        console.log(`FAIL ${line}`);
        for (const problem of problems) console.log(`     ${problem}`);
      } else {
        console.log(`ok   ${line}` + (p.http11 ? "" : ` (pageload ${JSON.stringify(ourConnections)})`));
      }
      results.push({ page: pagePath, port: p.name, url, navigation: chrome.navigation,
                     chromium: { requests: chrome.requests, connections: chromeConnections },
                     pageload: { exit: ours.exit, requests: ours.requests, connections: ourConnections },
                     problems, known: details.known, connection_retries: connectionTries });
    }
  }
} finally {
  fs.writeFileSync(path.join(outDir, "compare.json"), JSON.stringify(results, null, 1));
  await browser.close();
  lab.stdin.end();
}
for (const d of kKnownDifferences)
  if (known.has(d.id)) console.log(`known difference, ${known.get(d.id)} requests: ${d.why}`);
if (known.has("late binding"))
  console.log(`known difference, ${known.get("late binding")} loads: a request Chromium sent on a socket that ` +
              "freed up first, leaving the connection it had started unused (not compared)");
if (known.has("icon on a spare socket"))
  console.log(`known difference, ${known.get("icon on a spare socket")} loads: Chromium's icon took a spare ` +
              "socket of its own on the page's host (not compared)");
for (const [pagePath, d] of Object.entries(kKnownConnectionDifferences))
  if (known.has(`connections on ${pagePath}`))
    console.log(`known difference, connections on ${pagePath} (${known.get(`connections on ${pagePath}`)} loads): ${d.why}`);
console.log(`${results.length} loads compared (${pages.length} pages x ${ports.length} ports), ${failures} differ; ` +
            `details in ${path.join(outDir, "compare.json")}`);
process.exit(failures ? 1 : 0);
