// HAR export checked by others' tools: pageload loads lab pages (HTTP/2, HTTP/1.1, a
// redirect chain, a 404, a third-party host that does not resolve, a POST), writes them with
// `run --har` and `pageload har`, and each file must
//   - validate against the HAR 1.2 JSON Schema (npm har-schema, checked with ajv),
//   - keep HAR's timing rules: blocked/dns/connect/ssl -1 or >= 0, send/wait/receive >= 0,
//     ssl inside connect, `time` the sum of the timings that happened (ssl not twice),
//   - hold one entry per stored request, each pointing at its page,
//   - convert in a maintained HAR consumer: Grafana's har-to-k6 validates the archive and
//     turns it into a k6 load-test script naming every request.
//   har_check.mjs PAGE_LAB PAGELOAD OUT_DIR
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const harSchemas = require("har-schema");
const harToK6 = require("har-to-k6");

const [pageLab, pageload, outDir] = process.argv.slice(2);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const db = path.join(outDir, "har.db");

const lab = spawn(pageLab, [], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: lab.stdout })[Symbol.asyncIterator]();
const hello = JSON.parse((await lines.next()).value);
const common = ["--dns-server", hello.dns_server, "--cacert", hello.ca_file, "--db", db, "--no-html", "-q"];

let failures = 0;
const fail = (msg) => { failures++; console.log("FAIL: " + msg); };

function pageloadRun(args) {
  const r = spawnSync(pageload, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

const loads = [
  { url: `https://www.test:${hello.https}/page/showcase`, args: [] },
  { url: `https://www.test:${hello.https11}/page/images`, args: [] },
  { url: `http://www.test:${hello.http}/chain/301,302,307`, args: [] },
  { url: `http://www.test:${hello.http}/page/not-found`, args: [] },
  { url: `https://www.test:${hello.https11}/page/third-party`, args: [] },
  { url: `http://www.test:${hello.http}/echo`, args: ["-d", "a=1&b=2", "-H", "Cookie: session=s3cret"] },
];
const firstHar = path.join(outDir, "showcase.har");
for (const [i, load] of loads.entries()) {
  const extra = i === 0 ? ["--har", firstHar] : [];
  const r = pageloadRun(["run", load.url, ...common, ...load.args, ...extra]);
  if (r.status !== 0) fail(`pageload run ${load.url}: exit ${r.status}: ${r.stderr.trim()}`);
}
const allHar = path.join(outDir, "all.har");
const ids = loads.map((_, i) => String(i + 1));
const h = pageloadRun(["har", "--db", db, ...ids, "-o", allHar]);
if (h.status !== 0) fail(`pageload har: exit ${h.status}: ${h.stderr.trim()}`);
const stdoutHar = pageloadRun(["har", "--db", db, "3"]);
if (stdoutHar.status !== 0) fail(`pageload har to stdout: exit ${stdoutHar.status}`);
lab.stdin.end();

function requestCounts() {
  const q = spawnSync("sqlite3", ["-json", db, "select run_id, count(*) as n from requests group by run_id"],
                      { encoding: "utf8" });
  return Object.fromEntries(JSON.parse(q.stdout || "[]").map((r) => [r.run_id, r.n]));
}

const ajv = new Ajv({ allErrors: true, schemaId: "auto" });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-06.json"));
for (const schema of Object.values(harSchemas)) ajv.addSchema(schema);
const validateHar = ajv.getSchema("har.json");

const near = (a, b) => Math.abs(a - b) < 0.01;

async function check(file, runIds) {
  const text = fs.readFileSync(file, "utf8");
  const har = JSON.parse(text);
  if (!validateHar(har)) fail(`${file}: not HAR 1.2: ${ajv.errorsText(validateHar.errors)}`);
  const log = har.log;
  if (log.creator.name !== "pageload") fail(`${file}: creator ${log.creator.name}`);
  if (log.pages.length !== runIds.length) fail(`${file}: ${log.pages.length} pages for ${runIds.length} runs`);
  const pages = new Set(log.pages.map((p) => p.id));
  const counts = requestCounts();
  for (const id of runIds) {
    const n = log.entries.filter((e) => e.pageref === `page_${id}`).length;
    if (n !== counts[id]) fail(`${file}: run ${id} has ${counts[id]} requests, ${n} entries`);
  }
  for (const e of log.entries) {
    const t = e.timings, where = `${file}: ${e.request.url}`;
    if (!pages.has(e.pageref)) fail(`${where}: pageref ${e.pageref} names no page`);
    for (const k of ["blocked", "dns", "connect", "ssl"])
      if (!(t[k] === -1 || t[k] >= 0)) fail(`${where}: timings.${k} = ${t[k]}`);
    for (const k of ["send", "wait", "receive"]) if (!(t[k] >= 0)) fail(`${where}: timings.${k} = ${t[k]}`);
    if (t.ssl >= 0 && !(t.connect >= t.ssl)) fail(`${where}: ssl ${t.ssl} is not inside connect ${t.connect}`);
    const sum = ["blocked", "dns", "connect", "send", "wait", "receive"].reduce((s, k) => s + Math.max(0, t[k]), 0);
    if (!near(e.time, sum)) fail(`${where}: time ${e.time} is not the sum of its timings ${sum}`);
    if (e.response.status >= 300 && e.response.status < 400 && !e.response.redirectURL)
      fail(`${where}: a ${e.response.status} without redirectURL`);
    if (e.response.status === 0 && !e._error) fail(`${where}: no response and no _error`);
    if (t.dns >= 0 && !e._dns) fail(`${where}: a dns phase without _dns`);
    if (t.ssl >= 0 && !e._tls) fail(`${where}: a tls phase without _tls`);
  }
  if (text.includes("s3cret")) fail(`${file}: the Cookie value was not redacted`);

  try {
    harToK6.validate(har);
    const { main } = await harToK6.liHARToK6Script(har);
    for (const e of log.entries)
      if (!main.includes(e.request.url)) fail(`${file}: har-to-k6's script does not name ${e.request.url}`);
  } catch (err) {
    fail(`${file}: har-to-k6 refused it: ${err.message}`);
  }
  console.log(`${path.basename(file)}: ${log.pages.length} pages, ${log.entries.length} entries checked`);
  return har;
}

const one = await check(firstHar, ["1"]);
const all = await check(allHar, ids);
const fromStdout = JSON.parse(stdoutHar.stdout);
if (fromStdout.log.pages.length !== 1) fail("pageload har RUN to standard output: not one page");

// What a reader of the HAR must find: a redirect's hops, the 404, the host that did not resolve,
// a reused HTTP/2 connection, a TLS handshake inside connect.
const entries = all.log.entries;
const by = (f) => entries.filter(f);
if (by((e) => e.response.status === 301 && e.response.redirectURL).length < 1) fail("no 301 hop with its redirectURL");
if (by((e) => e.response.status === 404).length < 1) fail("no 404 entry");
if (by((e) => e._error && e._error.class === "dns_nxdomain").length < 1) fail("no entry for the host that does not resolve");
if (by((e) => e.timings.ssl > 0 && e._tls && e._tls.verified === true).length < 1) fail("no verified TLS handshake");
if (by((e) => e.request.httpVersion === "HTTP/2" && e.timings.connect === -1).length < 1) fail("no request on a reused HTTP/2 connection");
if (by((e) => e._initiator && e._initiator.type === "parser" && e._initiator.url).length < 1) fail("no parser initiator");
if (one.log.entries.length === 0) fail("run --har wrote no entries");

// ---- Import: pageload's own HAR back in, bad files refused whole, a browser's HAR in ----

function sql(q) {
  const r = spawnSync("sqlite3", ["-json", db, q], { encoding: "utf8" });
  return JSON.parse(r.stdout || "[]");
}
const runCount = () => sql("select count(*) as n from runs")[0].n;

const before = runCount();
const back = pageloadRun(["import", allHar, "--db", db, "--label", "round-trip"]);
if (back.status !== 0) fail(`pageload import of its own HAR: exit ${back.status}: ${back.stderr.trim()}`);
const imported = sql("select id, source, producer, request_count from runs where label = 'round-trip' order by id");
if (imported.length !== ids.length) fail(`import of ${ids.length} pages stored ${imported.length} runs`);
const measured = sql(`select id, request_count from runs where id <= ${ids.length} order by id`);
for (const [i, run] of imported.entries()) {
  if (run.source !== "har" || !String(run.producer).startsWith("pageload")) fail(`imported run ${run.id}: source ${run.source}, producer ${run.producer}`);
  if (measured[i] && run.request_count !== measured[i].request_count)
    fail(`imported run ${run.id}: ${run.request_count} requests, the measured run had ${measured[i].request_count}`);
}
// The phases come back as HAR said them (each within a microsecond's rounding).
const phaseSums = (id) => sql(`select p.name, round(sum(p.duration_ms), 1) as ms from phases p join requests r on r.id = p.request_id where r.run_id = ${id} and p.name != 'blocked' group by p.name order by p.name`);
if (imported[0] && JSON.stringify(phaseSums(imported[0].id)) !== JSON.stringify(phaseSums(1)))
  fail(`phases of the imported run differ: ${JSON.stringify(phaseSums(imported[0].id))} vs ${JSON.stringify(phaseSums(1))}`);
// The third-party page (run 5) back as it was measured: each request's failure class and
// phase, the lookup it made (host, outcome, answers) and its connection's TLS.
const rowsOf = (id) => sql(`select r.url, r.status, r.error_class, r.error_phase, r.error,
    case when exists (select 1 from phases p where p.request_id = r.id and p.name = 'dns') then
      l.host || ' ' || coalesce(l.outcome, '') || ' ' || coalesce(l.error_class, '') || ' ' ||
      coalesce((select group_concat(a.type || ' ' || a.value || ' ' || a.ttl, ',') from dns_answers a where a.lookup_id = l.id), '')
    end as dns,
    case when exists (select 1 from phases p where p.request_id = r.id and p.name = 'tls') then
      c.tls_version || ' ' || c.tls_cipher || ' ' || c.alpn || ' ' || c.cert_subject || ' ' || c.verified
    end as tls
  from requests r left join dns_lookups l on l.id = r.dns_lookup_id left join connections c on c.id = r.connection_id
  where r.run_id = ${id} order by r.url, r.seq`);
const thirdParty = imported[4];
if (thirdParty) {
  const want = JSON.stringify(rowsOf(5)), got = JSON.stringify(rowsOf(thirdParty.id));
  if (want !== got) fail(`the third-party page exported and imported again differs:\n  measured ${want}\n  imported ${got}`);
  if (!rowsOf(5).some((r) => r.error_class === "dns_nxdomain" && r.error_phase === "dns" && r.dns))
    fail("the third-party page has no request that failed as dns_nxdomain in dns with its lookup");
}
for (const cmd of [["show", String(imported[0]?.id)], ["report", String(imported[0]?.id), "-o", path.join(outDir, "imported.html")], ["list"]]) {
  const r = pageloadRun([...cmd, "--db", db]);
  if (r.status !== 0) fail(`pageload ${cmd.join(" ")} on an imported run: exit ${r.status}: ${r.stderr.trim()}`);
}

const badFiles = {
  "not-json.har": "{ this is not json",
  "not-har.har": JSON.stringify({ hello: "world" }),
  "no-entries.har": JSON.stringify({ log: { version: "1.2", creator: { name: "x", version: "1" }, entries: [] } }),
};
for (const [name, text] of Object.entries(badFiles)) {
  const file = path.join(outDir, name);
  fs.writeFileSync(file, text);
  const n = runCount();
  const r = pageloadRun(["import", file, "--db", db]);
  if (r.status !== 2) fail(`import ${name}: exit ${r.status}, expected 2`);
  if (r.stderr.trim().split("\n").length !== 1 || !r.stderr.includes(name)) fail(`import ${name}: not one line naming the file: ${r.stderr}`);
  if (runCount() !== n) fail(`import ${name} stored something`);
}
// Entries without pages, a hostile URL, timings that do not add up: stored, with warnings.
const hostile = "http://www.test/<script>alert(1)</script>\u001b[31m";
const loose = {
  log: { version: "1.2", creator: { name: "hand-made", version: "0" }, entries: [
    { startedDateTime: "2026-12-01T10:00:00.000+01:00", time: 50, request: { method: "GET", url: hostile, headers: [{ name: "Cookie", value: "sid=s3cret" }] },
      response: { status: 200, statusText: "OK", httpVersion: "h2", headers: [], content: { size: 10, mimeType: "text/html", text: "x".repeat(1000) } },
      timings: { blocked: -1, dns: 0, connect: -1, ssl: -1, send: -1, wait: 5, receive: 1 } },
  ] } };
const looseFile = path.join(outDir, "loose.har");
fs.writeFileSync(looseFile, JSON.stringify(loose));
const lr = pageloadRun(["import", looseFile, "--db", db, "--label", "loose"]);
if (lr.status !== 0) fail(`import of a HAR without pages: exit ${lr.status}: ${lr.stderr}`);
if (!lr.stderr.includes("without a pageref")) fail(`import without pages gave no warning: ${lr.stderr}`);
const looseRun = sql("select id, url, started_at from runs where label = 'loose'")[0];
if (!looseRun || looseRun.started_at !== "2026-12-01T09:00:00.000000Z") fail(`loose run's start: ${JSON.stringify(looseRun)}`);
for (const f of [db, db + "-wal"])
  if (fs.existsSync(f) && fs.readFileSync(f).includes("s3cret")) fail(`an imported Cookie value was stored unredacted (${f})`);

// A real browser's HAR: Playwright records Chromium loading the lab's page.
if (fs.existsSync("/usr/bin/chromium")) {
  const { chromium } = require("playwright-core");
  const tls = require("node:tls"), crypto = require("node:crypto");
  const lab2 = spawn(pageLab, [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines2 = createInterface({ input: lab2.stdout })[Symbol.asyncIterator]();
  const hello2 = JSON.parse((await lines2.next()).value);
  const socket = tls.connect({ host: "127.0.0.1", port: hello2.https, servername: "www.test", rejectUnauthorized: false });
  await new Promise((resolve, reject) => { socket.once("secureConnect", resolve); socket.once("error", reject); });
  const spki = crypto.createHash("sha256").update(socket.getPeerX509Certificate().publicKey.export({ type: "spki", format: "der" })).digest("base64");
  socket.destroy();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           "--host-resolver-rules=MAP nxdomain.test ~NOTFOUND, MAP *.test 127.0.0.1, MAP * ~NOTFOUND",
           `--ignore-certificate-errors-spki-list=${spki}`] });
  const recorded = path.join(outDir, "chromium.har");
  const context = await browser.newContext({ recordHar: { path: recorded, content: "omit" } });
  const page = await context.newPage();
  const url = `https://www.test:${hello2.https}/page/showcase`;
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(500);
  await context.close();
  await browser.close();
  lab2.stdin.end();
  const har = JSON.parse(fs.readFileSync(recorded, "utf8"));
  const r = pageloadRun(["import", recorded, "--db", db, "--label", "chromium"]);
  if (r.status !== 0) fail(`import of Playwright's HAR: exit ${r.status}: ${r.stderr}`);
  const run = sql("select id, url, source, producer, request_count, final_status from runs where label = 'chromium'")[0];
  if (!run) fail("Playwright's HAR stored no run");
  else {
    if (!/^Playwright/.test(run.producer)) fail(`producer ${run.producer}`);
    if (run.url !== url || run.final_status !== 200) fail(`the imported run's document: ${run.url} ${run.final_status}`);
    if (run.request_count !== har.log.entries.length) fail(`${har.log.entries.length} entries, ${run.request_count} requests stored`);
    const h2 = sql(`select count(*) as n from requests where run_id = ${run.id} and http_version = 'HTTP/2'`)[0].n;
    if (h2 === 0) fail("Chromium's requests did not come in as HTTP/2");
    const withTls = sql(`select count(*) as n from phases p join requests r on r.id = p.request_id where r.run_id = ${run.id} and p.name = 'tls'`)[0].n;
    if (withTls === 0) fail("no TLS phase in Chromium's load");
    // Playwright's _securityDetails: the browser's handshake on the connection.
    const tlsConns = sql(`select count(*) as n from connections where run_id = ${run.id} and tls_version like 'TLSv1._' and cert_subject is not null`)[0].n;
    if (tlsConns === 0) fail("Playwright's _securityDetails gave no connection its TLS version and certificate");
    // The same page, the browser's load and pageload's, compared in SQL by URL.
    const ours = pageloadRun(["run", url, "--dns-server", hello2.dns_server, "--cacert", hello2.ca_file, "--db", db, "--no-html", "-q", "--label", "pageload"]);
    if (ours.status !== 0) fail(`pageload run of the same page: exit ${ours.status}`);
    const diff = sql(`select r.url, group_concat(distinct ru.label) as who from requests r join runs ru on ru.id = r.run_id where ru.label in ('chromium', 'pageload') and ru.id >= ${run.id} group by replace(r.url, ':${hello2.https}/', '/') having count(distinct ru.label) = 1`);
    console.log(`Chromium (Playwright HAR) against pageload on ${url}: ${diff.length} URLs in one load only` + (diff.length ? ": " + JSON.stringify(diff) : ""));
    if (diff.length > 2) fail(`the browser's and pageload's loads of one page differ in ${diff.length} URLs`);
  }
} else {
  console.log("(no /usr/bin/chromium: the Playwright HAR import is not checked)");
}

if (failures) {
  console.log(`${failures} failure(s)`);
  process.exit(1);
}
console.log("HAR export: valid HAR 1.2, timing rules kept, read by har-to-k6");
