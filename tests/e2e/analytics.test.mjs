// End-to-end: run the customer-value analytics on the demo data from the RFM page, read the
// heatmap and the segment table, then the value panel on a customer's 360° page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiCall, openBrowser, signIn, withScreenshots } from './lib.mjs';

describe('customer value analytics', () => {
  let browser;
  let page;

  before(async () => {
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page);
  });
  after(async () => {
    await browser?.close();
  });
  const step = (name, fn) => test(name, () => withScreenshots(browser.context, name, fn));

  step('runs analytics from the RFM page and shows the grid', async () => {
    await page.goto('/analytics/rfm');
    await page.getByTestId('run-analytics').first().waitFor();
    const before = await page.request.get('/api/v1/analytics/runs').then((r) => r.json());
    await page.getByTestId('run-analytics').first().click();
    // The new run finishes (the button is enabled again and the list has one more run).
    // Polls the run list (a real computation in the background, not a timer).
    for (let i = 0; ; i++) {
      const r = await page.request.get('/api/v1/analytics/runs').then((x) => x.json());
      if (r.items.length > before.items.length && r.items.every((x) => x.status !== 'running')) break;
      assert.ok(i < 240, 'the analytics run did not finish');
      await page.waitForTimeout(250);
    }
    await page.reload();
    await page.getByTestId('rfm-heatmap').locator('canvas').first().waitFor();
    await page.getByTestId('run-info').waitFor();
    assert.match(await page.getByTestId('run-info').innerText(), /计算于/);
    // The segment table lists the zh-CN segment names.
    await page.getByText('冠军客户').first().waitFor();
    const runs = await page.request.get('/api/v1/analytics/runs').then((r) => r.json());
    assert.equal(runs.items[0].status, 'succeeded');
    assert.equal(runs.items[0].trigger, 'api');
  });

  step('opens the value panel of a customer with orders', async () => {
    const rfm = await page.request.get('/api/v1/analytics/rfm').then((r) => r.json());
    assert.ok(rfm.cells.some((c) => c.customers > 0));
    const list = await page.request.get('/api/v1/customers?limit=20').then((r) => r.json());
    let id = null;
    for (const c of list.items) {
      const v = await page.request.get(`/api/v1/customers/${c.id}/value`).then((r) => r.json());
      if (v.value) {
        id = c.id;
        break;
      }
    }
    assert.ok(id, 'a demo customer with a value');
    await page.goto(`/customers/${id}`);
    await page.getByTestId('value-panel').waitFor();
    const segment = await page.getByTestId('value-segment').innerText();
    assert.ok(segment.length > 0 && segment !== '—');
    await page.getByTestId('value-clv').waitFor();
  });

  step('shows the other value pages', async () => {
    for (const [path, testId] of [['/analytics/clv', 'clv-histogram'], ['/analytics/churn', 'churn-distribution'],
      ['/analytics/abc', 'pareto-curve'], ['/analytics/relationship-levels', 'kotler-matrix']]) {
      await page.goto(path);
      await page.getByTestId(testId).waitFor();
    }
    // Churn by RFM segment: one table row per segment the API returns, with its churn rate.
    const { status, body: churn } = await apiCall(page, 'GET', '/analytics/churn');
    assert.equal(status, 200);
    await page.goto('/analytics/churn');
    const table = page.getByTestId('churn-by-segment');
    await table.waitFor();
    const first = churn.by_segment[0];
    await table.locator('tbody tr').first().waitFor();
    assert.equal(await table.locator('tbody tr').count(), churn.by_segment.length);
    const firstRow = await table.locator('tbody tr').first().innerText();
    assert.ok(firstRow.includes(`${(first.churn_rate * 100).toFixed(1)}%`), firstRow);
    // The model's AUC, or why there is none in the page's language (zh-CN), never the server's
    // English message.
    const auc = await page.getByTestId('churn-auc').innerText();
    if (churn.model.holdout_auc != null) {
      assert.ok(auc.includes(churn.model.holdout_auc.toFixed(3)), auc);
    } else if (churn.model.message) {
      assert.ok(churn.model.reason, JSON.stringify(churn.model));
      assert.ok(!auc.includes(churn.model.message), auc);
      assert.match(auc, /[\u4e00-\u9fff]{4}/, auc);
    }
  });
});
