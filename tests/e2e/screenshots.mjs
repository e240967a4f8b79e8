// Refreshes docs/screenshots/customer-list.png and customer-360.png from a live server and
// prints the customer list's first-load time as measured by Chromium (a figure for the docs,
// never asserted). Run through `KEHU_E2E_SCREENSHOTS=1 tests/e2e/run.sh BUILD_DIR`.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openBrowser, signIn, withScreenshots } from './lib.mjs';

const out = join(fileURLToPath(new URL('.', import.meta.url)), '../../docs/screenshots');
let browser;
before(async () => {
  browser = await openBrowser({ locale: 'zh-CN' });
});
after(async () => browser?.close());

test('captures the customer list and the 360° page', () =>
  withScreenshots(browser.context, 'doc-screenshots', async () => {
    mkdirSync(out, { recursive: true });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page);
    await page.goto('/customers');
    await page.locator('[data-testid=customer-link]').first().waitFor();
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { load: Math.round(nav.loadEventEnd - nav.startTime) };
    });
    const rows = await page.locator('[data-testid=customer-link]').count();
    const firstRows = Math.round(await page.evaluate(() => performance.now()));
    console.log(`customer list: load event ${timing.load} ms, ${rows} rows visible at ${firstRows} ms after navigation start`);
    await page.screenshot({ path: join(out, 'customer-list.png') });
    await page.locator('[data-testid=customer-link]').first().click();
    await page.getByTestId('customer-title').waitFor();
    await page.screenshot({ path: join(out, 'customer-360.png'), fullPage: true });
    assert.ok(rows > 0);
  }));
