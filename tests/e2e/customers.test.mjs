// End-to-end: a salesperson's day in the web workspace against a real `kehu serve`.
// Run by tests/e2e/run.sh, which starts the server and sets KEHU_URL / KEHU_ADMIN_PASSWORD.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiCall, openBrowser, randomMobile, signIn, withScreenshots } from './lib.mjs';

describe('customer workspace', () => {
  let browser;
  let page;
  const phone = randomMobile();
  let customerId;

  before(async () => {
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
  });

  const step = (name, fn) =>
    test(name, () => withScreenshots(browser.context, name, fn));

  step('signs in and lands on the customer list in Chinese', async () => {
    await signIn(page);
    await page.getByRole('heading', { name: '客户列表' }).waitFor();
    assert.match(page.url(), /\/customers$/);
  });

  step('shows the API field error beside the phone field, in Chinese', async () => {
    await page.getByTestId('new-customer').click();
    await page.getByTestId('customer-name').fill('测试错误');
    await page.getByTestId('customer-phone-0').fill('12345');
    await page.locator('#create-customer-submit').click();
    await page.getByTestId('form-problem').waitFor();
    // antd renders a field's error in the form item that holds the input.
    const item = page.locator('.ant-form-item-has-error', { has: page.getByTestId('customer-phone-0') });
    await item.waitFor();
    // The server's message, in the workspace's language (lib/serverMessages.ts).
    assert.equal(await item.locator('.ant-form-item-explain-error').innerText(), '不是有效的电话号码');
    await page.getByRole('button', { name: /取\s*消/ }).click();
  });

  step('creates 王小明 with a phone and opens the 360° page', async () => {
    await page.getByTestId('new-customer').click();
    await page.getByTestId('customer-name').fill('王小明');
    await page.getByTestId('customer-phone-0').fill(`${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`);
    await page.locator('#create-customer-submit').click();
    await page.waitForURL(/\/customers\/\d+$/);
    customerId = Number(page.url().split('/').pop());
    assert.ok(customerId > 0);
    assert.equal(await page.getByTestId('customer-title').innerText(), '王小明');
    // The server normalised the phone to E.164; the page groups it 3-4-4.
    await page.getByTestId('customer-phones').getByText(`${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`).waitFor();
  });

  step('finds 王小明 by pinyin initials wxm', async () => {
    await page.goto('/customers');
    const search = page.getByTestId('customer-search');
    await search.fill('wxm');
    await search.press('Enter');
    await page.waitForURL(/q=wxm/);
    const link = page.locator(`a[href="/customers/${customerId}"]`);
    await link.waitFor();
    assert.equal(await link.innerText(), '王小明');
  });

  step('a conflicting edit in a second tab gets the 412 dialog and can overwrite', async () => {
    const tabA = page;
    const tabB = await browser.context.newPage();
    await tabA.goto(`/customers/${customerId}`);
    await tabB.goto(`/customers/${customerId}`);
    await tabA.getByTestId('edit-customer').click();
    await tabB.getByTestId('edit-customer').click();

    await tabA.locator('#note').fill('A：客户喜欢绿茶');
    await tabA.getByTestId('save-customer').click();
    await tabA.getByTestId('customer-note').getByText('A：客户喜欢绿茶').waitFor();

    await tabB.locator('#note').fill('B：周三下午回访');
    await tabB.getByTestId('save-customer').click();
    const dialog = tabB.getByTestId('conflict-body');
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.match(text, /A：客户喜欢绿茶/, 'shows the other person’s current value');
    assert.match(text, /B：周三下午回访/, 'shows my value');

    await tabB.getByTestId('conflict-overwrite').click();
    await tabB.getByTestId('customer-note').getByText('B：周三下午回访').waitFor();
    // The first tab sees the overwrite after a reload.
    await tabA.reload();
    await tabA.getByTestId('customer-note').getByText('B：周三下午回访').waitFor();
    await tabB.close();
  });

  step('the timeline feed shows the audit trail of the edits', async () => {
    await page.getByRole('tab', { name: '时间线' }).click();
    await page.getByTestId('timeline-feed').waitFor();
    await page.locator('.ant-timeline-item').first().waitFor();
    assert.ok((await page.locator('.ant-timeline-item').count()) >= 3, 'create + two updates');
  });

  step('a demo customer’s history and timeline read in Chinese: 系统, 联系授权, order channels and statuses', async () => {
    // A customer `--demo-if-empty` made (the server itself, with an SMS consent) who has orders.
    const orders = await apiCall(page, 'GET', '/orders?limit=1');
    assert.equal(orders.status, 200);
    const id = orders.body.items[0].customer_id;
    await page.goto(`/customers/${id}`);
    await page.getByRole('tab', { name: '审计记录' }).click();
    const table = page.locator('.ant-tabs-tabpane-active .ant-table-tbody');
    await table.getByText('联系授权').first().waitFor();
    const text = await table.innerText();
    assert.match(text, /系统/, 'the actor is 系统');
    assert.doesNotMatch(text, /\bsystem\b|\bconsents\b/, 'no raw actor or field names');

    await page.getByRole('tab', { name: '时间线' }).click();
    const order = page.getByTestId('timeline-order').first();
    await order.waitFor();
    const line = await order.innerText();
    assert.match(line, /订单 \S+ · ¥/);
    assert.match(line, /(线上|门店|团购|经销商|代销) · (已下单|已付款|已退货|已取消)/);
    assert.doesNotMatch(line, /\b(online|store|paid|placed)\b/);
    // The creation is the oldest entry: load pages until it shows (a demo customer has at most
    // a few dozen orders and interactions).
    const audit = page.getByTestId('timeline-audit').last();
    for (let i = 0; i < 10 && (await audit.count()) === 0; i++) {
      await page.getByTestId('timeline-more').click();
      await page.waitForTimeout(300);
    }
    await audit.waitFor();
    assert.match(await audit.innerText(), /系统/);
  });

  step('switching zh → en shows English labels and survives a reload', async () => {
    await page.goto('/customers');
    await page.getByRole('heading', { name: '客户列表' }).waitFor();
    await page.getByTestId('language-switch').getByText('English').click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    await page.getByRole('button', { name: 'New customer' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  });

  step('signs out back to the sign-in page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto('/customers');
    await page.waitForURL(/\/login$/);
  });
});
