// End-to-end: list features (pagination, filters, columns, saved views, bulk actions), the 360°
// panels (contacts, consent, duplicates and merge) and the admin pages, against a real server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBrowser, randomMobile, signIn, withScreenshots } from './lib.mjs';

describe('workspace features', () => {
  let browser;
  let page;
  const tag = `e2e${Math.floor(Math.random() * 1e6)}`;

  before(async () => {
    // English this time, so the labels differ from the other suite.
    browser = await openBrowser({ locale: 'en-US' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page);
  });
  after(async () => {
    await browser?.close();
  });
  const step = (name, fn) => test(name, () => withScreenshots(browser.context, name, fn));
  const rows = () => page.locator('[data-testid=customer-link]');

  step('pages forward and back with the cursor', async () => {
    await page.goto('/customers');
    await rows().first().waitFor();
    const firstPage = await rows().allInnerTexts();
    assert.equal(firstPage.length, 25);
    await page.getByRole('button', { name: /Next/ }).click();
    await page.getByTestId('page-number').getByText('Page 2').waitFor();
    await page.waitForFunction((first) => {
      const a = document.querySelector('[data-testid=customer-link]');
      return a && a.textContent !== first;
    }, firstPage[0]);
    const secondPage = await rows().allInnerTexts();
    assert.ok(secondPage.length > 0);
    assert.ok(!secondPage.some((n, i) => n === firstPage[i] && i === 0));
    await page.getByRole('button', { name: /Previous/ }).click();
    await page.getByTestId('page-number').getByText('Page 1').waitFor();
    await page.waitForFunction((first) => document.querySelector('[data-testid=customer-link]')?.textContent === first, firstPage[0]);
  });

  step('the list builds no Ant Design style in the browser: the build made them', async () => {
    // web/plugins/antdStaticStyles.ts renders the styles of the default theme into a CSS file;
    // Ant Design's runtime then inserts a <style data-css-hash> only for a part the file lacks.
    // This suite runs with "reduce motion" (another theme), so this page asks for the default.
    const fresh = await browser.context.newPage();
    try {
      await fresh.emulateMedia({ reducedMotion: 'no-preference' });
      // Each write of <html lang> (even of the value it has) restyles every element; the app
      // writes it only before its first render, when there is nothing to restyle.
      await fresh.addInitScript(() => {
        window.__langWrites = [];
        new MutationObserver((records) => {
          for (const r of records) {
            if (r.target === document.documentElement) window.__langWrites.push(document.getElementById('root')?.childElementCount ?? 0);
          }
        }).observe(document, { attributes: true, attributeFilter: ['lang'], subtree: true });
        // The rows as the first render shows them: owners' and categories' names come with them.
        const rows = new MutationObserver(() => {
          const trs = document.querySelectorAll('tbody tr.ant-table-row');
          if (!trs.length) return;
          rows.disconnect();
          window.__firstRows = [...trs].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
        });
        rows.observe(document, { childList: true, subtree: true });
        // rc-table measured the scrollbar on every mount (web/patches): a probe element added and
        // removed, forcing a style recalculation and layout of the whole page in the commit.
        window.__scrollbarProbes = 0;
        new MutationObserver((records) => {
          for (const r of records) {
            for (const n of r.addedNodes) if (n.id?.startsWith?.('rc-scrollbar-measure')) window.__scrollbarProbes++;
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await fresh.goto('/customers');
      await fresh.locator('[data-testid=customer-link]').first().waitFor();
      await fresh.evaluate(() => new Promise((r) => setTimeout(r, 100)));
      const langWrites = await fresh.evaluate(() => window.__langWrites);
      assert.ok(langWrites.length <= 1, `<html lang> written ${langWrites.length} times`);
      assert.ok(langWrites.every((rendered) => rendered === 0), '<html lang> written after the first render');
      assert.equal(await fresh.evaluate(() => window.__scrollbarProbes), 0, 'the table measured the scrollbar');
      const cells = (await fresh.evaluate(() => window.__firstRows)).flat();
      assert.ok(cells.length > 0, 'no rows seen');
      const raw = cells.filter((c) => /^#\d+$/.test(c) || /^(group_purchase|distributor|consignment|online_consumer)$/.test(c));
      assert.deepEqual(raw, [], 'the first rows show user ids or category keys instead of names');
      const built = await fresh.evaluate(() =>
        [...document.querySelectorAll('style[data-css-hash]')].map((s) => s.textContent.slice(0, 80)),
      );
      assert.deepEqual(built, [], 'styles built at run time (a component or part the build did not render?)');
      const primary = await fresh.evaluate(() => {
        const b = document.querySelector('.ant-btn-primary');
        return b && getComputedStyle(b).backgroundColor;
      });
      assert.equal(primary, 'rgb(22, 119, 255)', 'the primary button has the theme colour from the CSS file');
    } finally {
      await fresh.close();
    }
  });

  step('hides a column with the column chooser', async () => {
    const header = page.locator('thead th', { hasText: 'Phones' });
    await header.waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Phones' }).uncheck();
    await header.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Phones' }).check();
    await header.waitFor();
    await page.keyboard.press('Escape');
  });

  step('bulk-tags two selected customers and filters by that tag', async () => {
    await page.goto('/customers');
    await rows().first().waitFor();
    const names = (await rows().allInnerTexts()).slice(0, 2);
    const boxes = page.locator('tbody .ant-checkbox-input');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByText('2 selected').waitFor();
    const tagSelect = page.locator('.ant-alert .ant-select-multiple input');
    await tagSelect.fill(tag);
    await tagSelect.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Add tags' }).click();
    await page.getByText('2 customers updated').waitFor();
    await page.goto(`/customers?tag=${tag}`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=customer-link]').length === n, 2);
    assert.deepEqual((await rows().allInnerTexts()).sort(), [...names].sort());
  });

  step('saves the tag filter as a view and applies it again', async () => {
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByPlaceholder('View name').fill(`View ${tag}`);
    // Saved before the page is left: a navigation right after the click can cancel the POST.
    const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/saved-views' && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'OK' }).click();
    assert.equal((await saved).status(), 201);
    await page.goto('/customers');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=customer-link]').length === 25);
    await page.locator('.ant-select', { hasText: 'Saved views' }).click();
    await page.locator('.ant-select-item-option', { hasText: `View ${tag}` }).click();
    await page.waitForURL(new RegExp(`tag=${tag}`));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=customer-link]').length === 2);
  });

  step('adds a contact with a buying role and records a consent', async () => {
    await rows().first().click();
    await page.getByTestId('customer-title').waitFor();
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: 'Add contact' });
    await dialog.locator('#name').fill('李采购');
    await dialog.locator('#title').fill('采购经理');
    // Click the select's visible box: its inner search input is zero-width and never "stable".
    await dialog.locator('.ant-select', { has: page.locator('#role') }).locator('.ant-select-selector').click();
    await page.locator('.ant-select-item-option', { hasText: 'Decision maker' }).click();
    await dialog.getByRole('button', { name: 'OK' }).click();
    const row = page.locator('tr', { hasText: '李采购' });
    await row.waitFor();
    assert.match(await row.innerText(), /Decision maker/);

    await page.getByRole('tab', { name: 'Consent' }).click();
    // The consent table's row (by its key: the profile's "Source" may read wechat too, and
    // hasText ignores case).
    const wechat = page.locator('tr[data-row-key="wechat"]');
    const before = await wechat.innerText();
    const action = before.includes('Revoke') ? 'Revoke' : 'Grant';
    await wechat.getByRole('button', { name: action }).click();
    await wechat.getByRole('button', { name: action === 'Grant' ? 'Revoke' : 'Grant' }).waitFor();
  });

  step('merges a duplicate with the same name and the merged one redirects', async () => {
    const name = `杜${tag}`;
    const ids = [];
    for (let i = 0; i < 2; i++) {
      await page.goto('/customers');
      await page.getByTestId('new-customer').click();
      await page.getByTestId('customer-name').fill(name);
      await page.getByTestId('customer-phone-0').fill(randomMobile());
      await page.locator('#create-customer-submit').click();
      await page.waitForURL(/\/customers\/\d+$/);
      ids.push(Number(page.url().split('/').pop()));
    }
    await page.getByRole('tab', { name: 'Duplicates' }).click();
    const item = page.locator('.ant-list-item', { hasText: `#${ids[0]}` });
    await item.waitFor();
    assert.match(await item.innerText(), /Similar name/);
    await item.getByRole('button', { name: 'Merge…' }).click();
    await page.locator('.ant-modal').filter({ hasText: 'Merge duplicate' }).getByRole('button', { name: 'OK' }).click();
    await page.getByText('Merged', { exact: true }).first().waitFor();
    await page.goto(`/customers/${ids[0]}`);
    await page.waitForURL(new RegExp(`/customers/${ids[1]}$`));
    await page.getByTestId('customer-title').getByText(name).waitFor();
  });

  step('admin pages: user, team, API key shown once, custom field, category', async () => {
    await page.goto('/admin/users');
    await page.getByRole('button', { name: 'New user' }).click();
    let dialog = page.locator('.ant-modal').filter({ hasText: 'New user' });
    await dialog.locator('#username').fill(tag);
    await dialog.locator('#display_name').fill(`测试 ${tag}`);
    await dialog.locator('#password').fill('correct horse battery');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.locator('tr', { hasText: `测试 ${tag}` }).waitFor();

    await page.goto('/admin/teams');
    await page.getByRole('button', { name: 'New team' }).click();
    dialog = page.locator('.ant-modal').filter({ hasText: 'New team' });
    await dialog.locator('#name').fill(`华南 ${tag}`);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.locator('tr', { hasText: `华南 ${tag}` }).waitFor();

    await page.goto('/admin/api-keys');
    await page.getByRole('button', { name: 'New API key' }).click();
    dialog = page.locator('.ant-modal').filter({ hasText: 'New API key' });
    await dialog.locator('#name').fill(`key ${tag}`);
    await dialog.getByRole('button', { name: 'OK' }).click();
    const secret = (await page.getByTestId('api-key-secret').innerText()).trim();
    assert.ok(secret.length >= 16, 'the secret is shown');
    await page.locator('.ant-modal', { hasText: 'API key created' }).locator('.ant-modal-footer button').click();
    const keyRow = page.locator('tr', { hasText: `key ${tag}` });
    await keyRow.waitFor();
    await page.getByTestId('api-key-secret').waitFor({ state: 'detached' });
    assert.ok(!(await page.locator('body').innerText()).includes(secret), 'and never again');

    await page.goto('/admin/custom-fields');
    await page.getByRole('button', { name: 'New field' }).click();
    dialog = page.locator('.ant-modal').filter({ hasText: 'New field' });
    await dialog.locator('#key').fill(`wechat_${tag}`);
    await dialog.locator('#label').fill('微信号');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.locator('tr', { hasText: `wechat_${tag}` }).waitFor();

    await page.goto('/admin/categories');
    await page.locator('tr', { hasText: '经销商' }).waitFor();
    await page.getByRole('button', { name: 'New category' }).click();
    dialog = page.locator('.ant-modal').filter({ hasText: 'New category' });
    await dialog.locator('#key').fill(`cat_${tag}`);
    await dialog.locator('#name_zh').fill('大客户');
    await dialog.locator('#name_en').fill('Key account');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.locator('tr', { hasText: `cat_${tag}` }).waitFor();
  });
});
