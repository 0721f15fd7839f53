// Drives Debian's chromium (headless, through puppeteer-core) over the collector's /ui page and
// the HTML report: the KPI grid shows what `agentmetrics kpi --json` prints (the value, and the
// text the table prints for it), a task's detail opens and closes from the keyboard, the
// playbook search filters, a rule's evidence opens, the page reflows at 400% zoom, no console
// error, and no request to anything but the collector (or, for the report, none at all).
// Screenshots at 1280 and 390 pixels wide go to --artifacts. Prints "N passed, N failed".
// Usage: node browser_test.mjs --chromium PATH --base URL --kpi-json FILE --kpi-table FILE
//                              --report FILE --artifacts DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const kpiReport = JSON.parse(fs.readFileSync(args['kpi-json'], 'utf8'));
const kpiTable = fs.readFileSync(args['kpi-table'], 'utf8').split('\n');

const began = Date.now();
let passed = 0;
let failed = 0;
function check(what, ok, detail) {
  if (ok) {
    passed++;
    console.log('ok   ' + what);
  } else {
    failed++;
    console.log('FAIL ' + what + (detail === undefined ? '' : ': ' + detail));
  }
}

function sameNumber(a, b) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-ui-chromium-'));
const browser = await puppeteer.launch({
  executablePath: args.chromium,
  headless: true,
  pipe: true,  // DevTools over a pipe: no port of the browser's own
  userDataDir,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
});

// A page that records its console errors and every request it makes.
async function watchedPage() {
  const page = await browser.newPage();
  const seen = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('requestfailed', (r) => seen.errors.push('request failed: ' + r.url() + ' ' + (r.failure() ? r.failure().errorText : '')));
  page.on('request', (r) => seen.requests.push(r.url()));
  return { page, seen };
}

async function checkKpiGrid(page, where) {
  const cards = await page.$$eval('#kpi-grid > li', (items) =>
    items.map((li) => ({
      id: li.dataset.kpi,
      value: li.dataset.value,
      status: li.dataset.status,
      shown: li.querySelector('.kpi-value').textContent,
      statusText: li.querySelector('.kpi-status').textContent,
      name: li.querySelector('h3').textContent,
    }))
  );
  check(where + ': the grid has a card per KPI', cards.length === kpiReport.kpis.length, cards.length + ' cards, ' + kpiReport.kpis.length + ' KPIs');
  let values = 0;
  for (const k of kpiReport.kpis) {
    const card = cards.find((c) => c.id === k.id);
    if (!card) {
      check(where + ': a card for ' + k.id, false, 'missing');
      continue;
    }
    const shown = card.value === '' ? null : Number(card.value);
    check(where + ': ' + k.id + ' is ' + k.value + ' as agentmetrics kpi --json prints', sameNumber(shown, k.value), 'the page has ' + card.value);
    check(where + ': ' + k.id + "'s status is " + k.status + ', in words too', card.status === k.status && card.statusText.includes(k.status.replace('_', ' ')), card.statusText);
    if (k.value !== null) {
      values++;
      // The text on the card is the text of `agentmetrics kpi`'s table, on that KPI's line.
      const line = kpiTable.find((l) => l.includes('  ' + k.name + '  '));
      check(where + ': ' + k.id + ' reads "' + card.shown + '" as in the table', line !== undefined && line.includes(card.shown), line);
    }
  }
  check(where + ': the history gives at least 10 KPIs a value', values >= 10, values);
  const sparklines = await page.$$eval('#kpi-grid .spark canvas', (c) => c.length);
  check(where + ': the KPIs with a value have a sparkline', sparklines >= values, sparklines + ' sparklines, ' + values + ' values');
  const totalCost = await page.$eval('#usage-total-cost', (td) => Number(td.dataset.value));
  check(where + ": the usage table adds up to the KPI report's cost", sameNumber(Math.round(totalCost * 1e6) / 1e6, Math.round(kpiReport.cost_usd * 1e6) / 1e6), totalCost + ' vs ' + kpiReport.cost_usd);
}

async function checkTaskDetail(page, where) {
  const first = await page.$('#task-table .task-details');
  check(where + ': the task table lists tasks', first !== null);
  if (!first) return;
  await first.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#detail[open] #detail-rules, #detail[open] .error', { timeout: 5000 });
  const detail = await page.$eval('#detail', (d) => ({
    title: d.querySelector('#detail-title').textContent,
    rules: [...d.querySelectorAll('#detail-rules li')].map((li) => li.textContent),
    text: d.textContent,
    focus: document.activeElement && document.activeElement.id,
  }));
  check(where + ': the task detail opens with its title', detail.title.startsWith('Task: Fix the flaky login test'), detail.title);
  check(where + ': it shows the outcome, duration, tokens and cost', /success|failure/.test(detail.text) && /min/.test(detail.text) && /input [0-9,]+/.test(detail.text) && /\$0\.\d\d/.test(detail.text), detail.text.slice(0, 300));
  check(where + ': it lists the two rules the task was given, with their text', detail.rules.length === 2 && detail.rules.every((r) => /confidence/.test(r)), JSON.stringify(detail.rules));
  check(where + ': the focus moves into the dialog', detail.focus === 'detail-close', detail.focus);
  await page.keyboard.press('Escape');
  const after = await page.evaluate(() => ({ open: document.getElementById('detail').open, focus: document.activeElement && document.activeElement.className }));
  check(where + ': Escape closes it and the focus returns to its button', !after.open && after.focus === 'task-details', JSON.stringify(after));
}

async function checkPlaybook(page, where) {
  const count = async () =>
    page.$$eval('#playbook-list > li', (items) => ({ shown: items.filter((li) => !li.hidden).map((li) => li.textContent.toLowerCase()), all: items.length }));
  const before = await count();
  check(where + ': the playbook lists the rules', before.all >= 9 && before.shown.length === before.all, JSON.stringify([before.all, before.shown.length]));
  await page.focus('#playbook-search');
  await page.keyboard.type('migration');
  const after = await count();
  check(where + ': searching "migration" leaves the 2 migration rules', after.shown.length === 2 && after.shown.every((t) => t.includes('migration')), after.shown.length);
  const status = await page.$eval('#playbook-count', (p) => p.textContent);
  check(where + ': the count says so', status.startsWith('2 of ' + before.all), status);
  const antiPattern = await page.$$eval('#playbook-list > li.kind-anti-pattern', (l) => l.map((li) => li.querySelector('.rule-kind').textContent));
  check(where + ': an anti-pattern says it is one in words', antiPattern.length === 1 && antiPattern[0].includes('anti-pattern'), JSON.stringify(antiPattern));
  await page.click('#playbook-search', { clickCount: 3 });
  await page.keyboard.press('Backspace');
  const cleared = await count();
  check(where + ': clearing the search shows every rule again', cleared.shown.length === before.all, cleared.shown.length);
  await page.click('#playbook-list > li button');
  await page.waitForSelector('#detail[open] h3, #detail[open] .error', { timeout: 5000 });
  const why = await page.$eval('#detail-body', (d) => d.textContent);
  check(where + ": a rule's Why? shows its feedback", why.includes('Feedback, oldest first') && /helpful/.test(why), why.slice(0, 200));
  await page.keyboard.press('Escape');
  const reflections = await page.$$eval('#reflection-table tbody tr', (rows) => rows.map((r) => r.textContent));
  check(where + ': the last reflection is listed', reflections.length >= 1 && /manual/.test(reflections[0]), JSON.stringify(reflections));
}

async function checkLayout(page, where, prefix) {
  const t = Date.now();
  await page.setViewport({ width: 1280, height: 900 });
  await new Promise((r) => setTimeout(r, 100));
  // The first screen alone, small enough for docs/ui.md (copied there by hand when the page changes).
  await page.evaluate(() => {
    document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: path.join(args.artifacts, prefix + '-first-screen.png') });
  await page.screenshot({ path: path.join(args.artifacts, prefix + '-1280.png'), fullPage: true, optimizeForSpeed: true });
  await page.setViewport({ width: 390, height: 844 });
  await new Promise((r) => setTimeout(r, 100));
  await page.screenshot({ path: path.join(args.artifacts, prefix + '-390.png'), fullPage: true, optimizeForSpeed: true });
  // 400% zoom of a 1280-pixel window is 320 CSS pixels: everything but the data tables (which
  // scroll inside their own frames) must fit without scrolling sideways.
  await page.setViewport({ width: 320, height: 600 });
  await new Promise((r) => setTimeout(r, 100));
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
  check(where + ': at 400% zoom (320 px) nothing scrolls sideways but the tables', widths.page <= widths.view, JSON.stringify(widths));
  await page.setViewport({ width: 1280, height: 900 });
  console.log(where + ': the screenshots and the reflow took ' + (Date.now() - t) + ' ms');
}

// Before anything has had the focus: the first Tab reaches the skip link, which moves it to the content.
async function checkSkipLink(page, where) {
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement.textContent);
  check(where + ': the first Tab reaches the skip link', first === 'Skip to the content', first);
  await page.keyboard.press('Enter');
  const target = await page.evaluate(() => document.activeElement.id);
  check(where + ': the skip link moves the focus to the content', target === 'main', target);
}

function checkQuiet(where, seen, allowed) {
  check(where + ': no console error', seen.errors.length === 0, JSON.stringify(seen.errors));
  const elsewhere = seen.requests.filter((u) => !allowed(u));
  check(where + ': no request to anything but ' + (where === 'report' ? 'the file itself' : 'the collector'), elsewhere.length === 0, JSON.stringify(elsewhere));
}

try {
  {
    const { page, seen } = await watchedPage();
    await page.setViewport({ width: 1280, height: 900 });
    const started = Date.now();
    await page.goto(args.base + '/ui', { waitUntil: 'load' });
    await page.waitForSelector('html[data-loaded]', { timeout: 10000 });
    console.log('the page loaded in ' + (Date.now() - started) + ' ms');
    await checkSkipLink(page, 'page');
    await checkKpiGrid(page, 'page');
    await checkTaskDetail(page, 'page');
    await checkPlaybook(page, 'page');
    await checkLayout(page, 'page', 'ui');
    const origin = new URL(args.base).origin + '/';
    checkQuiet('page', seen, (u) => u.startsWith(origin));
    check('page: it asked the collector for its data', seen.requests.some((u) => u.includes('/ui/api/overview')));
  }
  {
    const { page, seen } = await watchedPage();
    await page.setViewport({ width: 1280, height: 900 });
    const url = pathToFileURL(args.report).href;
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('html[data-loaded]', { timeout: 10000 });
    await checkSkipLink(page, 'report');
    await checkKpiGrid(page, 'report');
    await checkTaskDetail(page, 'report');
    await checkPlaybook(page, 'report');
    await checkLayout(page, 'report', 'report');
    checkQuiet('report', seen, (u) => u === url);
  }
} catch (e) {
  check('the browser run', false, e.stack || String(e));
} finally {
  await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log('the browser checks took ' + (Date.now() - began) + ' ms; screenshots: ' + path.resolve(args.artifacts));
console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed === 0 ? 0 : 1);
