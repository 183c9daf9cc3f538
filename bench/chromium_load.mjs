// Loads a report in headless Chromium (playwright-core) several times and prints, as JSON,
// each navigation's load event time and the time of the first frame painted after it,
// both in ms from navigation start.
//   node chromium_load.mjs PLAYWRIGHT_DIR CHROMIUM FILE RUNS
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [, , moduleDir, chromiumPath, file, runsText] = process.argv;
const require = createRequire(moduleDir.replace(/\/?$/, '/'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const results = [];
try {
  for (let i = 0; i < Number(runsText || 5); i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const t = await page.evaluate(() => new Promise((resolve) => {
      const nav = performance.getEntriesByType('navigation')[0];
      requestAnimationFrame(() => requestAnimationFrame(() => resolve({
        load_ms: nav.loadEventEnd, dcl_ms: nav.domContentLoadedEventEnd, painted_ms: performance.now(),
        nodes: document.getElementsByTagName('*').length,
      })));
    }));
    results.push({ ...t, errors });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
