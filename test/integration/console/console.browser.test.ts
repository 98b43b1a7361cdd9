import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, findChromium, launchChromium } from '../../helpers/chromium.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';

const chromium = findChromium('the console browser test');

describe.skipIf(chromium.skip)('the live console in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ indexLookup: true, env: (simUrl) => ({ CONSOLE_SIMULATOR_URL: simUrl }) });
    browser = await launchChromium(chromium.path);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    collectPageErrors(page, pageErrors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in, lists the backlog chats, shows a new message live and renders it from the simulator', async () => {
    const corpId = stack.corps[0]!.corpId;
    // A keyword rule, so new messages can show rule hits in the feed.
    await stack
      .client()
      .request(
        `mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "报价提醒", keywords: ["报价", "price"] }) { id } }`,
        { c: corpId },
      );
    await page.goto(`${stack.gatewayUrl}/console`);
    await page.fill('#key', ADMIN_KEY);
    await page.click('#sign-in');
    await page.waitForSelector('#session:not([hidden])');
    expect(await page.locator('#corp option').count()).toBe(stack.corps.length);
    await page.selectOption('#corp', corpId);
    await page.waitForFunction(
      (c) =>
        document.querySelectorAll('#feed li.msg').length === 100 &&
        (document.querySelector('#corp') as HTMLSelectElement | null)?.value === c,
      corpId,
    );
    expect(await page.locator('#chats li.chat').count()).toBeGreaterThan(1);
    await page.waitForSelector('#status.live');
    await page.waitForSelector('#stats table');

    const { msgids } = await stack.simPost<{ msgids: string[] }>('/__sim/messages', {
      corpId,
      count: 3,
      msgtype: 1,
    });
    expect(msgids).toHaveLength(3);
    const row = page.locator(`#feed li.msg.live[data-msgid="${msgids[2]}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await page.locator('#feed li.msg.live').count()).toBe(3);
    expect(await row.textContent()).toContain('TEXT');

    await row.click();
    const message = stack.sim.state.corps.get(corpId)!.byId.get(msgids[2]!)!;
    await page.waitForSelector('#content');
    expect(await page.textContent('#content')).toBe(String(message.content['content']));
    const slot = await page.textContent('#ww-slot code');
    expect(slot).toContain(`message-id="${msgids[2]}"`);
    expect(slot).toContain(`secret-key="${message.secretKey}"`);

    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/console.png' });
    // The README's screenshot is refreshed on request only, so test runs leave the tree clean.
    if (process.env['CONSOLE_SCREENSHOT_DOCS'] === '1')
      copyFileSync('test/artifacts/console.png', 'docs/console.png');

    // A chat narrows the feed to it and shows its statistics.
    const chat = page.locator('#chats li.chat').first();
    const chatId = await chat.getAttribute('data-chat-id');
    await chat.click();
    await page.waitForFunction(
      () => document.querySelector('#stats-scope')?.textContent?.startsWith('corp') === false,
    );
    await page.waitForSelector('#stats table');
    const shown = await page.$$eval('#feed li.msg:not([hidden])', (rows) =>
      rows.map((r) => r.getAttribute('data-chat-id')),
    );
    expect(shown.length).toBeGreaterThan(0);
    expect(new Set(shown)).toEqual(new Set([chatId]));
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('switching corps leaves nothing of the previous one; labels say group or one-to-one, internal or customer', async () => {
    const before = await page.$$eval('#feed li.msg', (rows) => rows.map((r) => r.getAttribute('data-msgid')));
    expect(await page.locator('#content').count()).toBe(1);
    const other = stack.corps[1]!.corpId;
    await page.selectOption('#corp', other);
    await page.waitForFunction(() => document.querySelectorAll('#feed li.msg').length === 100);
    expect(await page.locator('#content').count()).toBe(0);
    expect(await page.locator('#ww-slot').count()).toBe(0);
    const shown = await page.$$eval('#feed li.msg', (rows) =>
      rows.map((r) => ({ msgid: r.getAttribute('data-msgid') ?? '', text: r.textContent ?? '' })),
    );
    expect(shown.filter((r) => before.includes(r.msgid))).toEqual([]);

    const { corp } = await stack.client().request<{
      corp: {
        messages: {
          edges: {
            node: {
              msgid: string;
              sender: { type: string };
              receivers: { type: string }[];
              chat: { kind: string };
            };
          }[];
        };
      };
    }>(
      `query($c: String!) { corp(corpId: $c) { messages(first: 100, filter: { newestFirst: true }) {
        edges { node { msgid sender { type } receivers { type } chat { kind } } } } } }`,
      { c: other },
    );
    const expected = new Map(
      corp.messages.edges.map(({ node: m }) => {
        const customer = [m.sender, ...m.receivers].some((p) => p.type === 'EXTERNAL');
        const kind = m.chat.kind === 'GROUP' ? 'group' : 'chat';
        return [m.msgid, `${customer ? 'customer' : 'internal'} ${kind} `];
      }),
    );
    const labels = shown.map((r) => {
      const label = expected.get(r.msgid);
      expect(r.text, r.msgid).toContain(label);
      return label;
    });
    // The demo data has every kind, so each label is exercised.
    expect(new Set(labels)).toEqual(
      new Set(['internal group ', 'customer group ', 'internal chat ', 'customer chat ']),
    );
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('keeps the key for the tab only and refuses a wrong one', async () => {
    expect(await page.evaluate(() => sessionStorage.getItem('archive-console-key'))).toBe(ADMIN_KEY);
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form:not([hidden])');
    await page.fill('#key', 'wrong-key');
    await page.click('#sign-in');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error')).toContain('UNAUTHENTICATED');
    expect(await page.evaluate(() => sessionStorage.getItem('archive-console-key'))).toBeNull();
  });
});
