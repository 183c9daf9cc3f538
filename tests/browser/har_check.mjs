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

if (failures) {
  console.log(`${failures} failure(s)`);
  process.exit(1);
}
console.log("HAR export: valid HAR 1.2, timing rules kept, read by har-to-k6");
