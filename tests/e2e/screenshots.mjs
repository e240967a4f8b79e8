// Refreshes docs/screenshots/customer-list.png, customer-360.png (and the conflict dialog and
// timeline) and import.png (the import page with a dry run's error report) from a live server and
// prints the customer list's first-load time as measured by Chromium (a figure for the docs,
// never asserted). Run through `KEHU_E2E_SCREENSHOTS=1 tests/e2e/run.sh BUILD_DIR`.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chooseOption, openBrowser, signIn, withScreenshots } from './lib.mjs';

const out = join(fileURLToPath(new URL('.', import.meta.url)), '../../docs/screenshots');
let browser;
before(async () => {
  browser = await openBrowser({ locale: 'zh-CN' });
  // Signed in once for every capture, so each test can also run alone (--test-name-pattern).
  await signIn(browser.context.pages()[0] ?? (await browser.context.newPage()));
});
after(async () => browser?.close());

test('captures the customer list and the 360° page', () =>
  withScreenshots(browser.context, 'doc-screenshots', async () => {
    mkdirSync(out, { recursive: true });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
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
    // A demo customer (the rows are newest first; the e2e suite may have added one on top).
    const link = page.locator('[data-testid=customer-link]').nth(2);
    const href = await link.getAttribute('href');
    await link.click();
    await page.getByTestId('customer-title').waitFor();
    await page.screenshot({ path: join(out, 'customer-360.png'), fullPage: true });

    // The 412 dialog: a second tab saves first, then this tab's stale save.
    await page.getByTestId('edit-customer').click();
    const other = await browser.context.newPage();
    await other.goto(href);
    await other.getByTestId('edit-customer').click();
    // A note that differs on every run, so the other tab's save is a real change.
    const theirs = `已电话确认：下周${'一二三四五'[Math.floor(Math.random() * 5)]}到店品鉴 #${Math.floor(Math.random() * 1000)}`;
    await other.locator('#note').fill(theirs);
    await other.getByTestId('save-customer').click();
    await other.getByTestId('customer-note').getByText(theirs).waitFor();
    await other.close();
    await page.locator('#note').fill('客户偏好酱香型白酒');
    await page.locator('#organization').fill('杭州西湖贸易有限公司');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('conflict-body').waitFor();
    // Let the dialog's zoom-in animation finish before taking the picture.
    await page.waitForFunction(() => !document.querySelector('.ant-zoom-appear, .ant-zoom-enter'));
    await page.screenshot({ path: join(out, 'customer-conflict-dialog.png') });
    await page.getByTestId('conflict-reload').click();
    await page.getByRole('tab', { name: '时间线' }).click();
    await page.locator('.ant-timeline-item').first().waitFor();
    await page.screenshot({ path: join(out, 'customer-timeline.png'), fullPage: true });
    assert.ok(rows > 0);
  }));

test('captures the import page with the error report of a GBK file', () =>
  withScreenshots(browser.context, 'doc-screenshot-import', async () => {
    mkdirSync(out, { recursive: true });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto('/import');
    const fixture = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures/customers-gbk.csv');
    await page.locator('input[type=file]').setInputFiles(fixture);
    await page.getByTestId('import-problem').waitFor();
    await chooseOption(page, 'mapping-select-鞋码', '忽略此列');
    await page.getByTestId('import-errors').locator('tbody tr.ant-table-row').first().waitFor();
    await page.getByTestId('import-problem').waitFor({ state: 'detached' });
    // Let the dropdown close and the select's motion end before taking the picture.
    await page.waitForFunction(() => !document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)'));
    await page.evaluate(() => document.activeElement?.blur());
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(out, 'import.png'), fullPage: true });
  }));
