// End-to-end: importing a GBK CSV (mapping an unknown column, the row-by-row report of a bad row,
// the job's progress bar), exporting the current list view to XLSX and CSV, and a dry run of the
// exported XLSX workbook, in Chinese, against a real server. The fixtures are GBK bytes made by fixtures/make-fixtures.py.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, chooseOption, openBrowser, withScreenshots } from './lib.mjs';
import { readZip } from './zip.mjs';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const BAD_FILE = join(fixtures, 'customers-gbk.csv');
const GOOD_FILE = join(fixtures, 'customers-gbk-good.csv');

describe('import and export', () => {
  let browser;
  let page;
  const downloads = mkdtempSync(join(tmpdir(), 'kehu-e2e-downloads-'));
  let xlsxPath;
  let templatePath;

  before(async () => {
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
    rmSync(downloads, { recursive: true, force: true });
  });
  const step = (name, fn) => test(name, () => withScreenshots(browser.context, name, fn));
  const count = async (name) => Number(await page.getByTestId(`count-${name}`).locator('.ant-statistic-content-value').innerText());

  /** Clicks the export menu item `testId` and returns the download, saved under `downloads`. */
  async function exportAs(testId) {
    await page.getByTestId('export-button').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    return { name: download.suggestedFilename(), bytes: readFileSync(file), file };
  }

  step('signing in after being sent from the list to sign-in shows the list, not a stale 401', async () => {
    // The first script asks for the list before the app runs; signed out, that answer is a 401,
    // which must not be what the list shows once the user has signed in.
    await page.goto('/customers');
    await page.waitForURL(/\/login/);
    await page.locator('#username').fill('admin');
    await page.locator('#password').fill(ADMIN_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(/\/customers/);
    await page.locator('[data-testid=customer-link]').first().waitFor();
    assert.equal(await page.locator('.ant-alert-error').count(), 0);
  });

  step('opens the import page from the customer list, which accepts CSV and XLSX files', async () => {
    await page.goto('/customers');
    await page.getByTestId('open-import').click();
    await page.waitForURL(/\/import$/);
    await page.getByRole('heading', { name: '导入客户' }).waitFor();
    assert.match(await page.getByTestId('import-hint').innerText(), /Excel 工作簿（\.xlsx）默认读取第一个工作表，读取后可改选其他工作表/);
    assert.match(await page.locator('input[type=file]').getAttribute('accept'), /\.csv.*\.xlsx/);
  });

  step('downloads the Excel import template: Chinese headers, then a sheet of instructions', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-xlsx').click()]);
    assert.equal(download.suggestedFilename(), 'customer-import-template.xlsx');
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const zip = readZip(readFileSync(file));
    const first = zip.get('xl/worksheets/sheet1.xml').toString('utf8');
    const second = zip.get('xl/worksheets/sheet2.xml').toString('utf8');
    for (const header of ['姓名', '手机号', '客户类别', '关系层级']) assert.ok(first.includes(`>${header}<`), header);
    assert.ok(second.includes('13800138000'), 'the instructions give examples');
    assert.ok(zip.get('xl/workbook.xml').toString('utf8').includes('name="填写说明"'));
    templatePath = file;
  });

  step('a workbook of two sheets offers both: the instructions sheet is refused, the first reads', async () => {
    await page.locator('input[type=file]').setInputFiles(templatePath);
    await page.getByTestId('import-report').waitFor();
    const sheet = page.getByTestId('import-sheet');
    assert.equal(await sheet.locator('.ant-select-selection-item').innerText(), '客户');
    await chooseOption(page, 'import-sheet', '填写说明');
    const problem = page.getByTestId('import-problem');
    await problem.waitFor();
    assert.match(await problem.innerText(), /有些列没有对应的字段[\s\S]*列名/);
    // The refusal keeps the choice of sheets on screen.
    await chooseOption(page, 'import-sheet', '客户');
    await problem.waitFor({ state: 'detached' });
    await page.getByTestId('import-report').waitFor();
    assert.equal(await count('rows'), 0, 'the template has headers and no rows');
    assert.equal(await page.getByTestId('mapping-select-姓名').locator('.ant-select-selection-item').innerText(), '姓名 · name');
  });

  step('a GBK file with a column nothing maps asks for it; ignoring it runs the dry run', async () => {
    await page.locator('input[type=file]').setInputFiles(BAD_FILE);
    const problem = page.getByTestId('import-problem');
    await problem.waitFor();
    assert.match(await problem.innerText(), /有些列没有对应的字段[\s\S]*鞋码/);
    await chooseOption(page, 'mapping-select-鞋码', '忽略此列');
    await problem.waitFor({ state: 'detached' });
    await page.getByTestId('import-report').waitFor();
    // The server detected GBK and decoded the headers: the browser sent the bytes untouched.
    assert.equal(await page.getByTestId('import-encoding').innerText(), 'GB18030');
    const nameSelect = page.getByTestId('mapping-select-姓名');
    assert.equal(await nameSelect.locator('.ant-select-selection-item').innerText(), '姓名 · name');
    const shoe = page.getByTestId('mapping-select-鞋码');
    assert.equal(await shoe.locator('.ant-select-selection-item').innerText(), '忽略此列');
  });

  step('reports the bad row with its line, field and message in Chinese, and keeps Import disabled', async () => {
    assert.equal(await count('rows'), 4);
    // The 3 good rows are new on a fresh database, updated or unchanged when imported before.
    assert.equal((await count('created')) + (await count('updated')) + (await count('unchanged')), 3);
    assert.equal(await count('errors'), 1);
    const rows = page.getByTestId('import-errors').locator('tbody tr.ant-table-row');
    assert.equal(await rows.count(), 1);
    const cells = await rows.first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 3), ['4', '5', '电话 (phones[0])']);
    assert.equal(cells[3], '不是有效的电话号码', "the server's message, in the workspace's language");
    assert.ok(await page.getByTestId('start-import').isDisabled(), 'Import is disabled while a row is bad');
  });

  step('imports the good file and follows the progress bar to the end', async () => {
    await page.locator('input[type=file]').setInputFiles(GOOD_FILE);
    // A new file starts over: its own dry run, no error, no column left to map.
    await page.getByTestId('mapping-select-鞋码').waitFor({ state: 'detached' });
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid=count-errors] .ant-statistic-content-value');
      const rows = document.querySelector('[data-testid=count-rows] .ant-statistic-content-value');
      return v?.textContent === '0' && rows?.textContent === '3';
    });
    const start = page.getByTestId('start-import');
    assert.ok(await start.isEnabled());
    await start.click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    const bar = page.getByTestId('import-job').locator('[role=progressbar]');
    assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    assert.ok(await start.isDisabled(), 'the same file cannot be imported twice by a double click');
    // New on a fresh database; updated/unchanged when the file was imported before (no duplicates).
    const m = /新增 (\d+) 个，更新 (\d+) 个，无变化 (\d+) 个/.exec(await result.innerText());
    assert.ok(m, 'the result names the counts');
    assert.equal(Number(m[1]) + Number(m[2]) + Number(m[3]), 3);
  });

  step('finds an imported customer by pinyin initials in the list', async () => {
    await page.getByTestId('import-to-list').click();
    await page.waitForURL(/\/customers$/);
    const search = page.getByTestId('customer-search');
    await search.fill('hfsy');
    await search.press('Enter');
    await page.waitForURL(/q=hfsy/);
    await page.locator('[data-testid=customer-link]', { hasText: '皇甫嵩岳' }).waitFor();
  });

  step('exports the current view as an XLSX workbook holding that customer', async () => {
    const { name, bytes, file } = await exportAs('export-xlsx');
    xlsxPath = file;
    assert.match(name, /^customers-\d{8}\.xlsx$/);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    const entries = readZip(bytes);
    assert.ok(entries.has('xl/workbook.xml'), 'an OOXML workbook');
    const text = [...entries]
      .filter(([n]) => n === 'xl/sharedStrings.xml' || /^xl\/worksheets\/sheet\d+\.xml$/.test(n))
      .map(([, b]) => b.toString('utf8'))
      .join('\n');
    assert.match(text, /皇甫嵩岳/);
    assert.match(text, /E2E-GBK-001/);
    // Only the view (q=hfsy) is exported, not every customer.
    assert.doesNotMatch(text, /端木蓉/);
  });

  step('exports the current view as CSV with a BOM, Chinese headers and labels, and the row', async () => {
    const { name, bytes } = await exportAs('export-csv');
    assert.match(name, /^customers-\d{8}\.csv$/);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 3), ['ID', '姓名', '类型'], 'the Chinese workspace exports in Chinese');
    const row = lines.find((l) => l.includes('皇甫嵩岳'));
    assert.ok(row, 'the imported customer is a row');
    const cells = row.split(',');
    assert.equal(cells[header.indexOf('编号')], 'E2E-GBK-001');
    assert.match(cells[header.indexOf('手机号')], /13800138001/);
    assert.equal(cells[header.indexOf('类型')], '个人');
    assert.ok(!lines.some((l) => l.includes('端木蓉')), 'only the current view');
  });

  step('a dry run of the exported XLSX maps its columns back and finds the customer unchanged', async () => {
    await page.goto('/import');
    await page.locator('input[type=file]').setInputFiles(xlsxPath);
    await page.getByTestId('import-report').waitFor();
    await page.waitForFunction(() => {
      const rows = document.querySelector('[data-testid=count-rows] .ant-statistic-content-value');
      return rows?.textContent === '1';
    });
    assert.equal(await page.getByTestId('import-problem').count(), 0, 'the workbook is not refused');
    assert.equal(await page.getByTestId('import-encoding').innerText(), 'Excel 工作簿（XLSX）');
    assert.equal(await page.getByTestId('import-sheet-name').innerText(), '客户', 'a one-sheet workbook names its sheet (the Chinese export’s tab)');
    // The export's own (Chinese) columns map back: ID is ignored, 姓名 is the name.
    const idSelect = page.getByTestId('mapping-select-ID');
    assert.equal(await idSelect.locator('.ant-select-selection-item').innerText(), '忽略此列');
    const nameSelect = page.getByTestId('mapping-select-姓名');
    assert.equal(await nameSelect.locator('.ant-select-selection-item').innerText(), '姓名 · name');
    // The one customer of the view exists already: importing it again would create no duplicate.
    assert.equal(await count('rows'), 1);
    assert.equal(await count('created'), 0);
    assert.equal(await count('updated'), 0);
    assert.equal(await count('unchanged'), 1);
    assert.equal(await count('errors'), 0);
    assert.ok(await page.getByTestId('start-import').isEnabled(), 'a clean dry run of a workbook can be imported');
  });
});
