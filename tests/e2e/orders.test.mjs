// End-to-end: an order on a customer's Orders tab, then the customer's churn recorded from the
// 360° page and seen on the churn page. Run by tests/e2e/run.sh (real server, Chromium).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chooseOption, openBrowser, signIn, withScreenshots } from './lib.mjs';

describe('orders and churn', () => {
  let browser;
  let page;
  let customerId;
  const name = `订单测试${Date.now() % 100000}`;

  before(async () => {
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
  });

  const step = (title, fn) => test(title, () => withScreenshots(browser.context, title, fn));

  step('creates a customer to sell to', async () => {
    await signIn(page);
    await page.getByTestId('new-customer').click();
    await page.getByTestId('customer-name').fill(name);
    await page.locator('#create-customer-submit').click();
    await page.waitForURL(/\/customers\/\d+$/);
    customerId = Number(page.url().split('/').pop());
    assert.ok(customerId > 0);
  });

  step('records an order with a line on the Orders tab and shows it in yuan', async () => {
    await page.getByTestId('tab-orders').click();
    await page.getByTestId('new-order').click();
    await page.getByTestId('add-line').click();
    await page.getByTestId('line-name-0').fill('飞天茅台');
    await page.getByTestId('line-qty-0').fill('2');
    await page.getByTestId('line-price-0').fill('1499.5');
    await page.getByTestId('save-order').click();
    const amount = page.getByTestId('orders-table').getByTestId('order-amount').first();
    await amount.waitFor();
    assert.equal(await amount.innerText(), '¥2,999.00');
  });

  step('the order is on the orders page, under the customer\'s name', async () => {
    await page.getByTestId('nav-orders').click();
    await page.waitForURL(/\/orders$/);
    const link = page.locator(`a[href="/customers/${customerId}"]`).first();
    await link.waitFor();
    assert.equal(await link.innerText(), name);
  });

  step('records churn from the customer page and sees it on the churn page', async () => {
    await page.goto(`/customers/${customerId}`);
    await page.getByTestId('record-churn').click();
    await chooseOption(page, 'churn-reason', '价格');
    await page.getByTestId('churn-note').fill('竞品降价');
    await page.getByTestId('save-churn').click();
    await page.getByText('已流失', { exact: true }).first().waitFor();  // the lifecycle tag
    await page.getByTestId('nav-churn').click();
    await page.waitForURL(/\/churn$/);
    const row = page.getByTestId('churn-records').locator('tr', { hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /竞品降价/);
    await page.getByTestId('churn-overall').waitFor();
  });

  step('the retention calculator answers with a recommendation', async () => {
    await page.getByTestId('action-cost').fill('100');
    await page.getByTestId('success-rate').fill('30');
    await page.getByTestId('calculate').click();
    const rec = page.getByTestId('recommendation');
    await rec.waitFor();
    assert.match(await rec.innerText(), /建议/);
  });
});
