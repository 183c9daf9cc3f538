// Loads one lab page in a freshly launched headless Chromium and prints, as JSON, what its
// processes cost: CPU time (user + system, every process of the browser's tree, with the
// children they reaped) and peak memory (each process's VmHWM, summed: an upper bound of
// the tree's peak, since the processes need not peak together), read from /proc just
// before the browser is closed, once the page has loaded and its network has been quiet
// for 300 ms. The launch is included, as pageload's whole process is in its figures.
//   node chromium_page.mjs PLAYWRIGHT_DIR CHROMIUM URL
// Every *.test name maps to 127.0.0.1 and no other name resolves; the lab's certificates
// are accepted by their key (--ignore-certificate-errors-spki-list), nothing else.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

const [, , moduleDir, chromiumPath, url] = process.argv;
const require = createRequire(moduleDir.replace(/\/?$/, '/'));
const { chromium } = require('playwright-core');
const target = new URL(url);

async function labSpki() {
  if (target.protocol !== 'https:') return null;
  const socket = tls.connect({ host: '127.0.0.1', port: Number(target.port), servername: target.hostname,
                               rejectUnauthorized: false });
  await new Promise((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
  const der = socket.getPeerX509Certificate().publicKey.export({ type: 'spki', format: 'der' });
  socket.destroy();
  return crypto.createHash('sha256').update(der).digest('base64');
}

const kTick = 100;  // USER_HZ on Linux
function procTree(root) {
  const children = new Map();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (pid) => { out.push(pid); for (const c of children.get(pid) ?? []) walk(c); };
  walk(root);
  return out;
}
// Every process under ours (Chromium's browser and all it started), not ours.
function cost(root) {
  let ticks = 0, hwmKb = 0, processes = 0;
  for (const pid of procTree(root).filter((p) => p !== root)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);  // utime stime cutime cstime
      const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) hwmKb += Number(hwm[1]);
      processes++;
    } catch { /* gone */ }
  }
  return { cpu_ms: (ticks * 1000) / kTick, peak_rss_mb: hwmKb / 1024, processes };
}

const spki = await labSpki();
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync',
         '--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND',
         ...(spki ? [`--ignore-certificate-errors-spki-list=${spki}`] : [])],
});
let result;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  let inFlight = 0, last = Date.now(), requests = 0;
  page.on('request', () => { inFlight++; requests++; last = Date.now(); });
  const settle = () => { inFlight--; last = Date.now(); };
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (inFlight > 0 || Date.now() - last < 300)) await new Promise((r) => setTimeout(r, 20));
  const load_ms = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  result = { ...cost(process.pid), load_ms, requests };
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
