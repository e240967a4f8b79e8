// End-to-end: a complaint filed on a customer escalates when the (manual) clock moves, is closed,
// and its survey is answered from a fresh browser without signing in. run.sh starts the server
// with --manual-clock, so the test moves time with POST /api/v1/system/clock; it never sleeps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiCall, openBrowser, randomMobile, signIn, withScreenshots } from './lib.mjs';

describe('complaint desk', () => {
  let browser;
  let page;
  let customerId;
  let complaintId;
  let surveyUrl;

  before(async () => {
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
  });
  const step = (name, fn) => test(name, () => withScreenshots(browser.context, name, fn));

  step('signs in; business time is wall time for this test', async () => {
    await signIn(page);
    // Every day 00:00-24:00, no holidays this year or next: the SLA clock runs with the clock.
    let r = await apiCall(page, 'PUT', '/service/calendar/hours', { weekdays: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const year = new Date().getUTCFullYear();
    for (const y of [year, year + 1]) {
      r = await apiCall(page, 'PUT', `/service/calendar/${y}`, { days: [] });
      assert.equal(r.status, 200);
    }
    r = await apiCall(page, 'POST', '/customers', { name: '投诉测试客户', category: 'distributor', phones: [randomMobile()] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    customerId = r.body.id;
  });

  step('files a complaint from the customer 360° page', async () => {
    await page.goto(`/customers/${customerId}`);
    await page.getByRole('tab', { name: '投诉' }).click();
    await page.getByTestId('new-complaint').click();
    await page.getByTestId('complaint-category').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '产品质量' }).click();
    await page.getByTestId('complaint-description').fill('收到的酒瓶封口破损，要求更换');
    await page.getByTestId('complaint-submit').click();
    await page.waitForURL(/\/complaints\/\d+$/);
    complaintId = Number(page.url().split('/').pop());
    assert.match(await page.getByTestId('complaint-number').innerText(), /^TS-\d{4}-\d{6}$/);
    assert.equal(await page.getByTestId('complaint-status').innerText(), '新建');
    await page.getByTestId('sla-clock').waitFor();
    assert.equal(await page.locator(`a[href="/customers/${customerId}"]`).innerText(), '投诉测试客户');
  });

  step('moving the clock past 75% of the response target escalates: event and bell', async () => {
    // Severity 3 (the form's default): response target 240 business minutes; 75% is 180.
    const r = await apiCall(page, 'POST', '/system/clock', { advance_minutes: 181 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.escalations >= 1);
    await page.reload();
    await page.getByTestId('event-escalation').first().waitFor();
    assert.match(await page.getByTestId('escalation-count').innerText(), /1/);
    // No assignee and no team: the org's managers, else admins, are told — the admin here.
    await page.getByTestId('notification-bell').click();
    const item = page.getByTestId('notification-item').first();
    await item.waitFor();
    assert.match(await item.innerText(), /75%/);
  });

  step('assigns, works and closes the complaint; a survey link appears', async () => {
    const me = await apiCall(page, 'GET', '/auth/me');
    const r = await apiCall(page, 'POST', `/complaints/${complaintId}/assign`, { assignee_id: me.body.id ?? me.body.user?.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await page.goto(`/complaints/${complaintId}`);
    for (const to of ['in_progress', 'resolved', 'closed']) {
      await page.getByTestId(`to-${to}`).click();
      await page.getByTestId('complaint-status').filter({ hasText: { in_progress: '处理中', resolved: '已解决', closed: '已关闭' }[to] }).waitFor();
    }
    surveyUrl = await page.getByTestId('survey-link').getAttribute('href');
    assert.match(surveyUrl, /^\/survey\/[0-9a-f-]+$/);
  });

  step('the customer answers the survey in a fresh browser without signing in', async () => {
    const guest = await openBrowser({ locale: 'zh-CN' });
    try {
      const p = guest.context.pages()[0] ?? (await guest.context.newPage());
      await p.goto(surveyUrl);
      await p.getByText('请评价我们的服务').waitFor();
      await p.getByTestId('survey-csat').locator('li').nth(3).click();  // 4 stars
      await p.getByTestId('survey-comment').fill('处理及时，态度很好');
      await p.getByTestId('survey-submit').click();
      await p.getByText('感谢您的反馈！').waitFor();
      assert.ok(!p.url().includes('/login'));
    } finally {
      await guest.close();
    }
  });

  step('the answer shows on the complaint', async () => {
    await page.goto(`/complaints/${complaintId}`);
    const answer = page.getByTestId('survey-answer');
    await answer.waitFor();
    assert.match(await answer.innerText(), /CSAT 4/);
    assert.match(await answer.innerText(), /处理及时/);
    // The survey event names its author in the page's language (the server writes 'customer').
    const survey = page.getByTestId('event-survey');
    assert.match(await survey.innerText(), /· 客户$/m);
    assert.doesNotMatch(await page.getByTestId('complaint-events').innerText(), /· (customer|system)\b/);
  });
});
