// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core (no browser
// download), a fresh profile per test file, and screenshots of every open page on failure.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
// playwright-core is a devDependency of web/ (one lock file for all JavaScript).
const require = createRequire(join(here, '../../web/package.json'));
// Exported with the launch flags so that bench/web/run.mjs measures the same browser setup.
export const { chromium } = require('playwright-core');

export const BASE_URL = process.env.KEHU_URL ?? 'http://127.0.0.1:8080';
export const ADMIN_PASSWORD = process.env.KEHU_ADMIN_PASSWORD ?? '';
export const ARTIFACTS = process.env.KEHU_E2E_ARTIFACTS ?? join(here, 'artifacts');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/** A Chromium context with its own fresh --user-data-dir; close() also removes the profile. */
export async function openBrowser({ locale = 'zh-CN' } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'kehu-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.KEHU_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    viewport: { width: 1440, height: 900 },
    baseURL: BASE_URL,
    // The workspace honours "reduce motion" (web/src/lib/motion.ts): dialogs open at once, so a
    // click cannot land on a button still zooming in — under load its mouse-down and mouse-up
    // can fall on different spots and make no click, the likely cause of a merge dialog whose
    // OK did nothing (seen with a reindex running beside the tests).
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs fn; on failure saves a screenshot of each page of the context, then rethrows. */
export async function withScreenshots(context, name, fn) {
  try {
    await fn();
  } catch (err) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const safe = name.replace(/[^a-zA-Z0-9_-]+/g, '_');
    let i = 0;
    for (const page of context.pages()) {
      const file = join(ARTIFACTS, `${safe}-${i++}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`screenshot saved: ${file} (${page.url()})`);
    }
    throw err;
  }
}

/** Signs in as the admin through the sign-in page (labels in the page's language). */
export async function signIn(page, { username = 'admin', password = ADMIN_PASSWORD } = {}) {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(/\/customers/);
  await page.getByTestId('current-user').waitFor();
}

/** A random Chinese mobile number (139 + 8 digits) so reruns never collide. */
export function randomMobile() {
  const digits = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10)).join('');
  return `139${digits}`;
}

/**
 * Picks the option labelled `optionText` in the Ant Design Select with data-testid `testId` by
 * typing it: the option list is virtual, so an option further down is not in the DOM to click.
 */
export async function chooseOption(page, testId, optionText) {
  await page.getByTestId(testId).click();
  await page.keyboard.type(optionText);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option-active', { hasText: optionText }).waitFor();
  await page.keyboard.press('Enter');
}

/** Calls the API from the signed-in page (session cookie + CSRF header). */
export async function apiCall(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('kehu_csrf='))?.split('=')[1] ?? '';
    const res = await fetch(`/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, { method, path, body });
}
