#!/usr/bin/env node
// Web benchmarks of issue 3, measured in Debian's Chromium (playwright-core, the launch flags of
// the browser tests in tests/e2e/lib.mjs) against a running server:
//
//   node bench/web/run.mjs BASE_URL USER PASSWORD
//
// 1. Customer list first load: signs in once through the API, then loads /customers cold
//    BENCH_WEB_LOADS times (default 5), each in a fresh browser context (empty cache, only the
//    session cookie). The time is from navigation start (performance.timeOrigin) to the first
//    animation frame after the first customer row is in the DOM, recorded inside the page by a
//    MutationObserver installed before any page script runs, which reports it as a console
//    message: nothing of the harness runs in the page until then (Playwright's waitForFunction
//    would evaluate its ~0.5 MB injected script on the page's main thread during the load).
//    Each load happens the way a user opens the workspace: in a browser window that is already
//    open and settled. A new window makes headless Chromium build its own hidden browser UI (the
//    omnibox popup's WebUI renderer, ~1 s of CPU over 1.5 s on a 2-core machine), which would
//    otherwise run beside the page; the bench opens the window on about:blank and waits until
//    the browser's processes are idle (CDP SystemInfo.getProcessInfo) before navigating.
//    The same number of loads is then made straight into just-opened windows and printed
//    beside it, for comparison (not the target).
//    Prints the median and the max, PASS when the median is under 1,000 ms and MISS otherwise.
// 2. Initial-route JavaScript: every .js file the page had fully received before its first rows
//    (index.html's entry, its static imports and any chunk loaded on the way), each compressed
//    with gzip -9 here, summed; PASS under 700 KB (1 KB = 1,024 bytes). Measured on the first
//    load; every load must fetch the same files, or the run reports it.
//
// Exit status: 0 both targets met, 1 a target missed, 2 bad usage, 3 the benchmark could not run
// (no browser, sign-in refused, the list never showed a row).
import { gzipSync } from 'node:zlib';
import { CHROMIUM_ARGS, chromium } from '../../tests/e2e/lib.mjs';

const FIRST_LOAD_TARGET_MS = 1000;
const JS_TARGET_KB = 700;
const ROW = '[data-testid=customer-link]';
const SIGNAL = 'kehu-bench:first-rows';
// The browser counts as idle when all its processes together used under 20 ms of CPU in each of
// two consecutive 200 ms intervals (10 % of one core).
const QUIET_CPU_S = 0.02;
const QUIET_POLL_MS = 200;
const QUIET_MAX_MS = 15_000;

function usage() {
  console.error('usage: node bench/web/run.mjs BASE_URL USER PASSWORD   (BENCH_WEB_LOADS=5)');
  process.exit(2);
}

const [baseArg, user, password] = process.argv.slice(2);
if (!baseArg || !user || password === undefined || process.argv.length !== 5) usage();
let base;
try {
  base = new URL(baseArg).origin;
} catch {
  usage();
}
const loads = Number(process.env.BENCH_WEB_LOADS ?? 5);
if (!Number.isInteger(loads) || loads < 1) {
  console.error('bench/web: BENCH_WEB_LOADS must be a whole number >= 1');
  process.exit(2);
}

class CannotRun extends Error {}

// Runs in the page before its own scripts: notes when the first customer row can be seen and
// says so on the console (the harness listens; it evaluates nothing in the page meanwhile).
function recordFirstRows([selector, signal]) {
  const seen = () => {
    if (window.__kehuFirstRows !== undefined || !document.querySelector(selector)) return false;
    window.__kehuFirstRows = null; // found; the time is taken at the next frame, when it is painted
    requestAnimationFrame(() => {
      window.__kehuFirstRows = performance.now();
      console.debug(signal);
    });
    return true;
  };
  const observer = new MutationObserver(() => {
    if (seen()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** Waits until the browser's processes are idle (see QUIET_CPU_S); false when they never were. */
async function waitForQuietBrowser(cdp) {
  const cpu = async () => {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
  };
  const deadline = Date.now() + QUIET_MAX_MS;
  let last = await cpu();
  let quiet = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, QUIET_POLL_MS));
    const now = await cpu();
    quiet = now - last < QUIET_CPU_S ? quiet + 1 : 0;
    last = now;
    if (quiet >= 2) return true;
  }
  return false;
}

async function signIn(browser) {
  const context = await browser.newContext({ baseURL: base });
  try {
    const res = await context.request.post('/api/v1/auth/login', { data: { username: user, password } });
    if (!res.ok()) throw new CannotRun(`sign-in as ${user} failed: HTTP ${res.status()} ${await res.text()}`);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/**
 * One cold load of /customers: the time to the first rows and the scripts received by then.
 * settled: in a window opened on about:blank and left until the browser is idle; else straight
 * into the just-opened window.
 */
async function coldLoad(browser, cdp, storageState, settled) {
  const context = await browser.newContext({
    baseURL: base,
    storageState,
    locale: 'zh-CN',
    viewport: { width: 1440, height: 900 },
  });
  try {
    await context.addInitScript(recordFirstRows, [ROW, SIGNAL]);
    const page = await context.newPage();
    let quiet = true;
    if (settled) {
      await page.goto('about:blank');
      quiet = await waitForQuietBrowser(cdp);
    }
    // The scripts' responses; their bodies are read once the rows are painted, so that reading
    // them costs the browser nothing during the load.
    const responses = new Map(); // url → Response
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.endsWith('.js')) responses.set(r.url(), r);
    });
    let timer;
    const rows = new Promise((resolve, reject) => {
      page.on('console', (m) => {
        if (m.text() === SIGNAL) resolve();
      });
      timer = setTimeout(() => reject(new CannotRun(`no customer row within 30 s (page ${page.url()}): is the database empty?`)), 30_000);
    });
    rows.catch(() => {});
    await page.goto('/customers', { waitUntil: 'commit' });
    try {
      await rows;
    } finally {
      clearTimeout(timer);
    }
    const { ms, scripts, phases } = await page.evaluate(() => {
      const t = window.__kehuFirstRows;
      const resources = performance.getEntriesByType('resource');
      const js = resources.filter((e) => new URL(e.name).pathname.endsWith('.js') && e.responseEnd <= t);
      const api = (path) =>
        resources.find((e) => new URL(e.name).pathname === path && e.responseEnd <= t)?.responseEnd ?? NaN;
      const nav = performance.getEntriesByType('navigation')[0];
      // Where the time goes, for reading a MISS: HTML received, scripts received, scripts run
      // (DOMContentLoaded waits for module scripts), session checked, first list page received.
      return {
        ms: t,
        scripts: js.map((e) => e.name),
        phases: {
          html: nav.responseEnd,
          js: Math.max(0, ...js.map((e) => e.responseEnd)),
          dcl: nav.domContentLoadedEventEnd,
          me: api('/api/v1/auth/me'),
          list: api('/api/v1/customers'),
        },
      };
    });
    let gzipBytes = 0;
    for (const url of scripts) {
      const body = await responses.get(url)?.body().catch(() => null);
      if (!body) throw new CannotRun(`could not read the body of ${url}`);
      gzipBytes += gzipSync(body, { level: 9 }).length;
    }
    return { ms, quiet, phases, scripts: scripts.map((u) => new URL(u).pathname).sort(), gzipBytes };
  } finally {
    await context.close();
  }
}

async function main() {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.KEHU_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (e) {
    throw new CannotRun(`cannot start Chromium: ${e.message.split('\n')[0]}`);
  }
  try {
    const state = await signIn(browser);
    const cdp = await browser.newBrowserCDPSession();
    // The two kinds of load alternate, so a drift in the host's speed reaches both alike.
    const runs = [];
    const fresh = [];
    for (let i = 0; i < loads; i++) {
      runs.push(await coldLoad(browser, cdp, state, true));
      fresh.push(await coldLoad(browser, cdp, state, false));
    }

    const mid = Math.floor(runs.length / 2);
    const median = (values) => {
      const v = [...values].sort((a, b) => a - b);
      return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    };
    const times = runs.map((r) => r.ms);
    const med = median(times);
    const max = Math.max(...times);
    const first = runs[0];
    const kb = first.gzipBytes / 1024;
    const sameFiles = runs.every((r) => r.scripts.join() === first.scripts.join());

    const loadMet = med < FIRST_LOAD_TARGET_MS;
    const jsMet = kb < JS_TARGET_KB;
    console.log(`== web: ${base}, Chromium headless, ${loads} cold loads of /customers (fresh context each)`);
    console.log(
      `customer list first load   median ${med.toFixed(0)} ms, max ${max.toFixed(0)} ms` +
        `   (all: ${times.map((t) => t.toFixed(0)).join(', ')})   target median < ${FIRST_LOAD_TARGET_MS} ms   ${loadMet ? 'PASS' : 'MISS'}`,
    );
    const freshTimes = fresh.map((r) => r.ms);
    console.log(
      `  for comparison, straight into a just-opened window (Chromium still building its own UI):` +
        ` median ${median(freshTimes).toFixed(0)} ms (all: ${freshTimes.map((t) => t.toFixed(0)).join(', ')})`,
    );
    console.log(
      `initial-route JavaScript   ${kb.toFixed(1)} KB gzip in ${first.scripts.length} files` +
        `   target < ${JS_TARGET_KB} KB   ${jsMet ? 'PASS' : 'MISS'}`,
    );
    const phase = (k) => {
      const v = median(runs.map((r) => r.phases[k]));
      return Number.isFinite(v) ? `${v.toFixed(0)}` : '?';
    };
    console.log(
      `  median ms after navigation start: html ${phase('html')}, scripts received ${phase('js')},` +
        ` DOMContentLoaded ${phase('dcl')}, /auth/me ${phase('me')}, /customers ${phase('list')}, rows painted ${med.toFixed(0)}`,
    );
    console.log(`  files: ${first.scripts.join(' ')}`);
    if (!sameFiles) console.log('  note: the loads did not all fetch the same scripts before the first rows');
    const noisy = runs.filter((r) => !r.quiet).length;
    if (noisy) console.log(`  note: in ${noisy} of ${loads} loads the browser was not idle within ${QUIET_MAX_MS / 1000} s`);
    return loadMet && jsMet ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench/web: ${e instanceof CannotRun ? e.message : e.stack ?? e}`);
    process.exit(3);
  },
);
