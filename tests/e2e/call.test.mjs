// End-to-end: a call reaches the contact center. The test signs in as the agent (admin), posts
// signed telephony events (HMAC-SHA256 with node:crypto) as the telephony system would, and
// checks the screen pop, the call on the customer's timeline after hangup, and quick-create for
// an unknown number. Run by tests/e2e/run.sh (KEHU_URL, KEHU_ADMIN_PASSWORD).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, BASE_URL, openBrowser, randomMobile, signIn, withScreenshots } from './lib.mjs';

async function call(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('contact center: a call pops the customer and lands on the timeline', () => {
  let browser;
  let page;
  let token;
  let apiKey;
  let secret;
  let customer;

  // Signs and posts one event as the telephony system does.
  async function event(body) {
    const raw = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
    const r = await call('POST', '/api/v1/telephony/events', {
      body: raw,
      headers: { 'X-Api-Key': apiKey, 'X-Kehu-Timestamp': ts, 'X-Kehu-Signature': `sha256=${sig}` },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  before(async () => {
    const login = await call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    token = login.body.token;
    apiKey = (await call('POST', '/api/v1/api-keys', { token, body: { name: 'pbx-e2e', role: 'service' } })).body.key;
    secret = (await call('POST', '/api/v1/telephony/secret', { token })).body.secret;
    customer = (await call('GET', '/api/v1/customers?limit=1', { token })).body.items[0];
    browser = await openBrowser({ locale: 'zh-CN' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
  });

  const step = (name, fn) => test(name, () => withScreenshots(browser.context, name, fn));

  step('the agent signs in and the screen-pop stream connects', async () => {
    const stream = page.waitForResponse((r) => r.url().includes('/api/v1/telephony/stream') && r.status() === 200);
    await signIn(page);
    await stream;
    await page.getByTestId('tasks-badge').waitFor();
  });

  step('ringing pops the known customer with the card', async () => {
    const callId = `e2e-${Date.now()}`;
    const base = { call_id: callId, from: customer.phones[0], to: '4008001234', agent: 'admin' };
    const ringing = await event({ ...base, event: 'ringing' });
    assert.equal(ringing.customer_id, customer.id);
    await page.getByTestId('screen-pop').waitFor();
    await page.getByTestId('pop-customer-name').getByText(customer.name).waitFor();
    await event({ ...base, event: 'answered' });
    const hangup = await event({ ...base, event: 'hangup' });
    assert.equal(hangup.state, 'hangup');
    assert.ok(hangup.interaction_id > 0);
    await page.getByTestId('pop-open-customer').click();
    await page.waitForURL(new RegExp(`/customers/${customer.id}$`));
    await page.getByRole('tab', { name: '时间线' }).click();
    await page.locator(`[data-testid="timeline-interaction"][data-id="${hangup.interaction_id}"]`).waitFor();
  });

  step('an unknown number offers quick-create with the phone filled in', async () => {
    const phone = randomMobile();
    await event({ event: 'ringing', call_id: `e2e-unknown-${Date.now()}`, from: phone, to: '4008001234', agent: 'admin' });
    await page.getByTestId('pop-quick-create').waitFor();
    assert.equal(await page.getByTestId('pop-new-phone').inputValue(), `+86${phone}`);
    await page.getByTestId('pop-new-name').fill('来电新客户');
    await page.getByTestId('pop-create').click();
    await page.waitForURL(/\/customers\/\d+$/);
  });

  step('log interaction form shows field errors from the API and saves', async () => {
    await page.getByRole('tab', { name: '时间线' }).click();
    await page.getByTestId('log-interaction').click();
    await page.getByTestId('interaction-duration').fill('-5');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    const item = page.locator('.ant-form-item-has-error', { has: page.getByTestId('interaction-duration') });
    await item.waitFor();
    await page.getByTestId('interaction-duration').fill('30');
    await page.getByTestId('interaction-subject').fill('回访确认订单');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('timeline-feed').getByText('回访确认订单').waitFor();
  });
});
