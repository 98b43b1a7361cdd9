import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyAlertEvent } from '../../../src/alerts/AlertStore.js';
import type { IndexedMessage } from '../../../src/datasources/store/MessageIndex.js';
import { encodeGlobalId } from '../../../src/resolvers/globalId.js';
import { chatRawId } from '../../../src/resolvers/ids.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { type Collected, wsSubscribe } from '../../helpers/liveClients.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

const READER_KEY = 'stats-reader-key';
const WRITER_KEY = 'stats-writer-key';
const HOUR_MS = 3_600_000;

const STATS = gql`
  query ($corpId: String!, $from: DateTime!, $to: DateTime!, $employeeId: String, $chatId: ID) {
    corp(corpId: $corpId) {
      statistics(from: $from, to: $to, employeeId: $employeeId, chatId: $chatId) {
        from to messages messagesByType { type count }
        messagesByDirection { employeeToCustomer customerToEmployee internal other }
        chatsStarted customerMessages customerMessagesReplied replyRate
        replySeconds { count avg median p90 } averageReplySeconds firstResponseSeconds { count avg } recalls
      }
    }
  }
`;
const COUNT = gql`
  query ($corpId: String!, $filter: MessageFilter) { corp(corpId: $corpId) { messages(first: 1, filter: $filter) { totalCount } } }
`;
const REPLY_TIMEOUT = /* GraphQL */ `
  subscription ($corpId: String!) {
    replyTimeout(corpId: $corpId) { change alert { id status customerMessageId chat { chatId } resolvedBy { msgid sender { type } } } }
  }
`;
type AlertEvent = {
  replyTimeout: {
    change: string;
    alert: {
      id: string;
      status: string;
      customerMessageId: string;
      resolvedBy: { msgid: string; sender: { type: string } } | null;
    };
  };
};

/** A bus event that no real alert matches, to learn when a subscription is live. */
function probe(corpId: string, chatId: string): ReplyAlertEvent {
  return {
    corpId,
    change: 'RESOLVED',
    alert: {
      corpId,
      id: 'probe',
      seq: 0,
      ruleId: 'probe',
      ruleName: 'probe',
      minutes: 1,
      chatKey: chatId,
      chatKind: 'GROUP',
      chatId,
      parties: [],
      customerMsgid: 'probe',
      customerId: 'probe',
      customerSentAt: 0,
      openedAt: 0,
      status: 'RESOLVED',
      resolvedAt: 0,
      resolvedBy: null,
    },
  };
}

/** An independent reading of the reply rules (docs/statistics.md) over a chat's whole history. */
function oracle(messages: IndexedMessage[]) {
  let customerMessages = 0;
  let replied = 0;
  let waiting: IndexedMessage[] = [];
  const samples: number[] = [];
  for (const m of messages) {
    const types = m.receivers.map((r) => r.type);
    if (m.sender.type === 2 && types.includes(1)) {
      customerMessages++;
      waiting.push(m);
    } else if (m.sender.type === 1 && types.includes(2) && waiting.length > 0) {
      replied += waiting.length;
      samples.push(m.sendTime - waiting[0]!.sendTime);
      waiting = [];
    }
  }
  return { customerMessages, replied, samples };
}

// The gateway as deployed: PostgreSQL holds statistics and alerts (the memory stores run under
// the contract suites and the unit tests), Redis coordinates.
describe('statistics and reply-time alerts (postgres)', () => {
  let stack: Stack;
  let corpId: string;
  let otherCorpId: string;
  let group: string;
  const subs: Collected<unknown>[] = [];
  const window = () => ({
    from: new Date(Math.floor((Date.now() - 6 * 86_400_000) / HOUR_MS) * HOUR_MS).toISOString(),
    to: new Date(Math.ceil((Date.now() + HOUR_MS) / HOUR_MS) * HOUR_MS).toISOString(),
  });
  const aggregated = () =>
    waitFor('statistics caught up with the index', async () => {
      const [last, mark] = await Promise.all([
        stack.app.ingest.index.lastSeq(corpId),
        stack.app.ingest.statistics.store.watermark(corpId),
      ]);
      return last > 0 && last === mark;
    });
  const post = (body: Record<string, unknown>) =>
    stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, ...body });
  const indexed = (msgids: string[]) =>
    waitFor('messages indexed', async () =>
      (await stack.app.ingest.index.getMany(corpId, msgids)).every((m) => m !== null),
    );

  beforeAll(async () => {
    stack = await startStack({
      redis: true,
      clients: (ids) => [
        { id: 'reader', key: READER_KEY, corps: [ids[0]!], scopes: ['corp:read'] },
        { id: 'writer', key: WRITER_KEY, corps: [ids[0]!], scopes: ['corp:read', 'rules:write'] },
      ],
    });
    corpId = stack.corps[0]!.corpId;
    otherCorpId = stack.corps[1]!.corpId;
    const chat = stack.corps[0]!.chats.find((c) => c.type === 'group' && c.kind === 'customer');
    if (chat?.type !== 'group') throw new Error('the demo corp has no customer group');
    group = chat.chatId;
    const { corps } = await stack.simGet<{ corps: { corpId: string; messageCount: number }[] }>(
      '/__sim/corps',
    );
    const expected = corps.find((c) => c.corpId === corpId)!.messageCount;
    await waitFor('backlog indexed', async () => (await stack.app.ingest.index.lastSeq(corpId)) === expected);
    await aggregated();
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop()));
    await stack?.stop();
  });

  it('agrees with the index counts of the same window, by type, employee and chat', async () => {
    const client = stack.client();
    const w = window();
    const res: Json = await client.request(STATS, { corpId, ...w });
    const s = res.corp.statistics;
    const total: Json = await client.request(COUNT, { corpId, filter: w });
    expect(s.messages).toBeGreaterThan(0);
    expect(s.messages).toBe(total.corp.messages.totalCount);
    const d = s.messagesByDirection;
    expect(d.employeeToCustomer + d.customerToEmployee + d.internal + d.other).toBe(s.messages);
    for (const { type, count } of s.messagesByType) {
      const byType: Json = await client.request(COUNT, { corpId, filter: { ...w, type } });
      expect([type, count]).toEqual([type, byType.corp.messages.totalCount]);
    }
    const employee = stack.corps[0]!.employees[0]!.openUserId;
    const e: Json = await client.request(STATS, { corpId, ...w, employeeId: employee });
    const eCount: Json = await client.request(COUNT, { corpId, filter: { ...w, participantId: employee } });
    expect(e.corp.statistics.messages).toBe(eCount.corp.messages.totalCount);
    const chatId = encodeGlobalId('Chat', chatRawId({ corpId, kind: 'GROUP', chatId: group }));
    const c: Json = await client.request(STATS, { corpId, ...w, chatId });
    const cCount: Json = await client.request(COUNT, { corpId, filter: { ...w, chatId } });
    expect(c.corp.statistics.messages).toBe(cCount.corp.messages.totalCount);
    expect(s.from).toBe(w.from);
    expect(s.to).toBe(w.to);
  });

  it("computes a customer group's reply figures as an independent reading of the index does", async () => {
    await indexed((await post({ chatId: group, count: 40, msgtype: 1 })).msgids);
    await aggregated();
    const page = await stack.app.ingest.index.query({ corpId, chatKey: group, first: 1000 });
    const expected = oracle(page.items);
    expect(expected.customerMessages).toBeGreaterThan(0);
    const chatId = encodeGlobalId('Chat', chatRawId({ corpId, kind: 'GROUP', chatId: group }));
    const res: Json = await stack.client().request(
      gql`query ($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Chat {
          statistics(from: $from, to: $to) { messages customerMessages customerMessagesReplied replyRate
            replySeconds { count avg } averageReplySeconds } } } }`,
      { id: chatId, ...window() },
    );
    const s = res.node.statistics;
    expect(s.messages).toBe(page.items.length);
    expect(s.customerMessages).toBe(expected.customerMessages);
    expect(s.customerMessagesReplied).toBe(expected.replied);
    expect(s.replyRate).toBeCloseTo(expected.replied / expected.customerMessages, 10);
    expect(s.replySeconds.count).toBe(expected.samples.length);
    if (expected.samples.length > 0) {
      const avg = expected.samples.reduce((a, b) => a + b, 0) / expected.samples.length;
      expect(s.averageReplySeconds).toBeCloseTo(avg, 6);
    }
  });

  it('opens an alert past the deadline (driven clock), publishes it, and an employee reply resolves it', async () => {
    const created: Json = await stack.client(WRITER_KEY).request(
      gql`mutation ($corpId: String!) { createReplyTimeoutRule(corpId: $corpId,
          input: { name: "group 1 min", chatKind: GROUP, minutes: 1 }) { id minutes enabled chatKind } }`,
      { corpId },
    );
    expect(created.createReplyTimeoutRule).toMatchObject({ minutes: 1, enabled: true, chatKind: 'GROUP' });
    const ruleCreatedS = Math.floor(Date.now() / 1000) - 1;
    // Post until the group has a customer message waiting that was sent after the rule.
    const waiting = await waitFor('a customer message waiting in the group', async () => {
      await indexed((await post({ chatId: group, count: 1, msgtype: 1 })).msgids);
      await aggregated();
      const [state] = await stack.app.ingest.statistics.store.chatStates(corpId, [group]);
      return state?.pending && state.pending.at >= ruleCreatedS ? state.pending : null;
    });
    if (!waiting) throw new Error('unreachable: waitFor returns a truthy value');
    const sub = wsSubscribe<AlertEvent>(stack.graphqlUrl, ADMIN_KEY, REPLY_TIMEOUT, { corpId });
    subs.push(sub);
    // The subscription is live once a probe published on the bus gets through (events on one
    // channel arrive in order, so nothing published after this can be missed).
    await waitFor('subscription active', () => {
      stack.app.ingest.bus.publish('replyAlert', corpId, probe(corpId, group));
      return sub.items.length > 0;
    });
    const ours = () => sub.items.filter((e) => e.replyTimeout.alert.customerMessageId === waiting.msgid);
    const opened = await waitFor('the alert opened', async () => {
      const list = await stack.app.ingest.statistics.alerts.evaluate((waiting.at + 61) * 1000);
      return list.length > 0
        ? list
        : (await stack.app.ingest.statistics.alertStore.openAlerts(corpId, 10)).length > 0;
    });
    expect(opened).toBeTruthy();
    const events = (await waitFor('the OPENED event', () => (ours().length >= 1 ? ours() : null))) ?? [];
    expect(events[0]!.replyTimeout).toMatchObject({
      change: 'OPENED',
      alert: { status: 'OPEN', customerMessageId: waiting.msgid },
    });
    const list: Json = await stack.client(READER_KEY).request(
      gql`query ($corpId: String!) { corp(corpId: $corpId) { replyAlerts(status: OPEN) { edges { node {
          status customerMessageId customerMessage { msgid sender { type } } chat { kind chatId } rule { name } } } } } }`,
      { corpId },
    );
    expect(list.corp.replyAlerts.edges).toEqual([
      {
        node: {
          status: 'OPEN',
          customerMessageId: waiting.msgid,
          customerMessage: { msgid: waiting.msgid, sender: { type: 'EXTERNAL' } },
          chat: { kind: 'GROUP', chatId: group },
          rule: { name: 'group 1 min' },
        },
      },
    ]);
    // A second evaluation (another replica's timer) opens nothing new.
    expect(await stack.app.ingest.statistics.alerts.evaluate((waiting.at + 120) * 1000)).toEqual([]);
    // Post until an employee speaks in the group: that resolves the alert.
    await waitFor('an employee reply', async () => {
      await indexed((await post({ chatId: group, count: 1, msgtype: 1 })).msgids);
      await aggregated();
      const [state] = await stack.app.ingest.statistics.store.chatStates(corpId, [group]);
      return state?.pending?.msgid !== waiting.msgid;
    });
    const resolved = (await waitFor('the RESOLVED event', () => (ours().length >= 2 ? ours() : null))) ?? [];
    expect(resolved[1]!.replyTimeout).toMatchObject({ change: 'RESOLVED', alert: { status: 'RESOLVED' } });
    expect(resolved[1]!.replyTimeout.alert.resolvedBy?.sender.type).toBe('EMPLOYEE');
    const done: Json = await stack
      .client()
      .request(
        gql`query ($corpId: String!) { corp(corpId: $corpId) { replyAlerts(status: RESOLVED) { edges { node { resolvedAt resolvedByMessageId } } } } }`,
        { corpId },
      );
    expect(done.corp.replyAlerts.edges).toHaveLength(1);
    expect(done.corp.replyAlerts.edges[0].node.resolvedByMessageId).toBe(
      resolved[1]!.replyTimeout.alert.resolvedBy?.msgid,
    );
  });

  it('enforces rules:write, corp isolation and argument rules', async () => {
    const create = gql`mutation ($corpId: String!, $minutes: Int!) { createReplyTimeoutRule(corpId: $corpId,
        input: { name: "x", chatKind: SINGLE, minutes: $minutes }) { id } }`;
    const noScope = await gqlErrors(stack.client(READER_KEY), create, { corpId, minutes: 5 });
    expect(noScope.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    expect(noScope.errors[0]!.message).toContain('rules:write');
    const otherCorp = await gqlErrors(stack.client(WRITER_KEY), create, {
      corpId: otherCorpId,
      minutes: 5,
    });
    expect(otherCorp.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    const bad = await gqlErrors(stack.client(WRITER_KEY), create, { corpId, minutes: 0 });
    expect(bad.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.minutes',
      value: 0,
    });
    expect(bad.errors[0]!.message).toBe('input.minutes must be 1..1440, got 0');
    const other: Json = await stack.client(ADMIN_KEY).request(create, { corpId: otherCorpId, minutes: 5 });
    const del = gql`mutation ($id: ID!) { deleteReplyTimeoutRule(id: $id) }`;
    const foreign = await gqlErrors(stack.client(WRITER_KEY), del, { id: other.createReplyTimeoutRule.id });
    expect(foreign.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    const rules = gql`query ($corpId: String!) { corp(corpId: $corpId) { replyTimeoutRules { id } } }`;
    const readOther = await gqlErrors(stack.client(READER_KEY), rules, { corpId: otherCorpId });
    expect(readOther.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    const mine: Json = await stack.client(WRITER_KEY).request(create, { corpId, minutes: 30 });
    const updated: Json = await stack
      .client(WRITER_KEY)
      .request(
        gql`mutation ($id: ID!) { updateReplyTimeoutRule(id: $id, input: { minutes: 45, enabled: false }) { minutes enabled name } }`,
        { id: mine.createReplyTimeoutRule.id },
      );
    expect(updated.updateReplyTimeoutRule).toEqual({ minutes: 45, enabled: false, name: 'x' });
    const deleted: Json = await stack.client(WRITER_KEY).request(del, { id: mine.createReplyTimeoutRule.id });
    expect(deleted.deleteReplyTimeoutRule).toBe(mine.createReplyTimeoutRule.id);

    const stats = gqlErrors(stack.client(READER_KEY), STATS, {
      corpId,
      from: '2024-01-01T00:00:00Z',
      to: '2024-06-01T00:00:00Z',
    });
    const tooLong = await stats;
    expect(tooLong.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(tooLong.errors[0]!.message).toContain('at most 92 days, got 152.0 days');
    const reversed = await gqlErrors(stack.client(READER_KEY), STATS, {
      corpId,
      from: '2024-02-01T00:00:00Z',
      to: '2024-01-01T00:00:00Z',
    });
    expect(reversed.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    const foreignStats = await gqlErrors(stack.client(READER_KEY), STATS, {
      corpId: otherCorpId,
      ...window(),
    });
    expect(foreignStats.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    const refused = wsSubscribe<AlertEvent>(stack.graphqlUrl, READER_KEY, REPLY_TIMEOUT, {
      corpId: otherCorpId,
    });
    subs.push(refused);
    await waitFor('the subscription refusal', () => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');
  });
});
