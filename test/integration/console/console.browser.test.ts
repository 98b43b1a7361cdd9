import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, findChromium, launchChromium, requireCjkFont } from '../../helpers/chromium.js';
import { ADMIN_KEY, type SimCorp, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

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

  /** The first rows of the console's statistics table for the corp's last 7 days, from the API. */
  async function statisticsRows(corpId: string): Promise<string[]> {
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86_400_000);
    type S = { messages: number; chatsStarted: number; customerMessages: number };
    const { corp } = await stack
      .client()
      .request<{ corp: { statistics: S } }>(
        'query($c: String!, $from: DateTime!, $to: DateTime!) { corp(corpId: $c) { statistics(from: $from, to: $to) { messages chatsStarted customerMessages } } }',
        { c: corpId, from, to },
      );
    const s = corp.statistics;
    return [
      `messages${s.messages}`,
      `chats started${s.chatsStarted}`,
      `customer messages${s.customerMessages}`,
    ];
  }

  /**
   * The label a message's chat must have, from the simulator's own record of the chat (group or
   * single, internal or customer), never from the rule the console uses.
   */
  async function expectedLabels(corpId: string): Promise<(msgid: string) => string> {
    const { corps } = await stack.simGet<{ corps: SimCorp[] }>('/__sim/corps');
    const chats = corps.find((c) => c.corpId === corpId)!.chats;
    const key = (ids: string[]) => [...ids].sort().join('|');
    const groups = new Map(chats.flatMap((c) => (c.type === 'group' ? [[c.chatId, c.kind] as const] : [])));
    const singles = new Map(
      chats.flatMap((c) => (c.type === 'single' ? [[key(c.parties.map((p) => p.id)), c.kind] as const] : [])),
    );
    const archived = stack.sim.state.corps.get(corpId)!.byId;
    return (msgid) => {
      const m = archived.get(msgid)!;
      if (m.chatId) return `${groups.get(m.chatId)} group `;
      return `${singles.get(key([m.sender.id, ...m.receivers.map((r) => r.id)]))} chat `;
    };
  }

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
    if (process.env['CONSOLE_SCREENSHOT_DOCS'] === '1') {
      requireCjkFont();
      copyFileSync('test/artifacts/console.png', 'docs/console.png');
    }

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

  it('switching corps leaves nothing of the previous one, and a late answer for the corp left behind is ignored', async () => {
    const [first, left, next] = stack.corps.map((c) => c.corpId) as [string, string, string];
    const before = await page.$$eval('#feed li.msg', (rows) => rows.map((r) => r.getAttribute('data-msgid')));
    expect(await page.locator('#content').count()).toBe(1);
    // The statistics and alerts of the corp we pass through are held until the next one is shown.
    const held: Route[] = [];
    const ignored: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'debug' && m.text().startsWith('late ')) ignored.push(m.text());
    });
    await page.route(stack.graphqlUrl, (route) => {
      const body = route.request().postDataJSON() as { query?: string; variables?: { c?: string } } | null;
      if (body?.variables?.c === left && /^query (Stats|Alerts)\(/.test(body.query ?? '')) {
        held.push(route);
        return;
      }
      return route.continue();
    });
    try {
      await page.selectOption('#corp', left);
      await waitFor('the statistics and alerts of the corp left behind asked for', () => held.length === 2);
      await page.selectOption('#corp', next);
      await page.waitForFunction(
        (c) =>
          document.querySelectorAll('#feed li.msg').length === 100 &&
          document.querySelector<HTMLElement>('#stats')?.dataset['corpId'] === c &&
          document.querySelector<HTMLElement>('#stats table') !== null &&
          document.querySelector<HTMLElement>('#alerts')?.dataset['corpId'] === c,
        next,
      );
      for (const route of held) await route.continue();
      await waitFor('both late answers ignored', () => ignored.length === 2);
    } finally {
      await page.unroute(stack.graphqlUrl);
    }
    expect(ignored.sort()).toEqual([
      `late Alerts answer for corp ${left} ignored`,
      `late Stats answer for corp ${left} ignored`,
    ]);
    const panels = await page.evaluate(() => ({
      stats: document.querySelector<HTMLElement>('#stats')?.dataset['corpId'],
      alerts: document.querySelector<HTMLElement>('#alerts')?.dataset['corpId'],
      scope: document.querySelector('#stats-scope')?.textContent,
      rows: [...document.querySelectorAll('#stats tr')].slice(0, 3).map((tr) => tr.textContent),
    }));
    // The numbers on screen are the new corp's (the backlog lies well inside the 7 days).
    const rows = await statisticsRows(next);
    expect(rows).not.toEqual(await statisticsRows(left));
    expect(panels).toEqual({ stats: next, alerts: next, scope: 'corp, last 7 days', rows });
    expect(await page.locator('#content').count()).toBe(0);
    expect(await page.locator('#ww-slot').count()).toBe(0);
    const shown = await page.$$eval('#feed li.msg', (rows) => rows.map((r) => r.getAttribute('data-msgid')));
    expect(shown.filter((msgid) => before.includes(msgid))).toEqual([]);
    expect(first).not.toBe(next);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("labels say group or one-to-one, internal or customer, as the simulator's record of each chat has it", async () => {
    const corpId = stack.corps[2]!.corpId;
    expect(await page.inputValue('#corp')).toBe(corpId);
    const expected = await expectedLabels(corpId);
    const rows = await page.$$eval('#feed li.msg', (els) =>
      els.map((r) => ({
        msgid: r.getAttribute('data-msgid') ?? '',
        chatId: r.getAttribute('data-chat-id') ?? '',
        text: r.textContent ?? '',
      })),
    );
    const labels = rows.map((r) => {
      const label = expected(r.msgid);
      expect(r.text, r.msgid).toContain(`→ ${label}`);
      return label;
    });
    // The demo data has every kind, so each label is exercised.
    expect(new Set(labels)).toEqual(
      new Set(['internal group ', 'customer group ', 'internal chat ', 'customer chat ']),
    );
    // The chat list: each chat's label is its own kind, whichever of its messages came first.
    const chats = await page.$$eval('#chats li.chat', (els) =>
      els.map((c) => ({
        chatId: c.getAttribute('data-chat-id') ?? '',
        text: c.firstChild?.textContent ?? '',
      })),
    );
    expect(chats.length).toBeGreaterThan(1);
    for (const chat of chats) {
      const row = rows.find((r) => r.chatId === chat.chatId)!;
      expect(chat.text, chat.chatId).toMatch(new RegExp(`^${expected(row.msgid)}`));
    }
    expect(pageErrors).toEqual([]);
  });

  it("still shows a corp's messages when upstream cannot tell its groups' audience", async () => {
    const corpId = stack.corps[1]!.corpId;
    const path = '/cgi-bin/chatdata/groupchat/get';
    await stack.simPost('/__sim/faults', { path, corpId, errcode: 40050, times: 1000 });
    try {
      await page.selectOption('#corp', corpId);
      const own = [...stack.sim.state.corps.get(corpId)!.byId.keys()];
      await page.waitForFunction(
        ([c, msgids]) => {
          const rows = [...document.querySelectorAll('#feed li.msg')];
          return (
            document.querySelector<HTMLElement>('#stats')?.dataset['corpId'] === c &&
            rows.length === 100 &&
            rows.every((r) => msgids.includes(r.getAttribute('data-msgid') ?? ''))
          );
        },
        [corpId, own] as const,
      );
      const { faults } = await stack.simGet<{ faults: { path: string; remaining: number | null }[] }>(
        '/__sim/faults',
      );
      // The console did ask for the groups' audience, and every such call failed.
      expect(faults.find((f) => f.path === path)?.remaining).toBeLessThan(1000);
      const groupRows = await page.$$eval('#feed li.msg', (els) =>
        els.filter((r) => r.textContent?.includes(' group ')).map((r) => r.textContent ?? ''),
      );
      expect(groupRows.length).toBeGreaterThan(0);
      expect(await page.locator('#error').isHidden()).toBe(true);
      expect(pageErrors).toEqual([]);
    } finally {
      await fetch(`${stack.simUrl}/__sim/faults`, { method: 'DELETE' });
    }
  });

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
