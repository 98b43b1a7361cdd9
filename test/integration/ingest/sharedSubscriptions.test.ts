import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Collected, sseSubscribe, wsSubscribe } from '../../helpers/liveClients.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

type MessageAdded = { messageAdded: { cursor: string; message: { msgid: string } } };
const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($corpId: String!, $after: String) {
    messageAdded(corpId: $corpId, after: $after) { cursor message { msgid } }
  }
`;

/**
 * Identical live subscriptions share one source and one execution per event (SubscriptionGroups):
 * seen through the gateway's metrics and, above all, in what every real client receives.
 */
describe('shared live subscriptions', () => {
  let stack: Stack;
  let corpA: string;
  let corpB: string;
  const started: Collected<MessageAdded>[] = [];

  beforeAll(async () => {
    stack = await startStack({ redis: true });
    corpA = stack.corps[0]!.corpId;
    corpB = stack.corps[1]!.corpId;
    // startStack returns once every corp's backlog is indexed.
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await stack?.stop();
  });

  async function gauge(name: string): Promise<number> {
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`${name} is not in /metrics`);
    return Number(match[1]);
  }

  function subscribe(kind: 'ws' | 'sse', variables: Record<string, unknown>): Collected<MessageAdded> {
    const sub = (kind === 'ws' ? wsSubscribe : sseSubscribe)<MessageAdded>(
      stack.graphqlUrl,
      ADMIN_KEY,
      MESSAGE_ADDED,
      variables,
    );
    started.push(sub);
    return sub;
  }

  const idsOf = (sub: Collected<MessageAdded>) => sub.items.map((e) => e.messageAdded.message.msgid);

  it('runs identical subscriptions as one group and delivers each event once to every member', async () => {
    const cursorOf = async (corpId: string) => {
      const last = await stack.app.ingest.index.lastSeq(corpId);
      return Buffer.from(`ix:${corpId}:${last}`).toString('base64url');
    };
    const sameA = [
      ...Array.from({ length: 6 }, () => subscribe('ws', { corpId: corpA })),
      subscribe('sse', { corpId: corpA }),
    ];
    const onB = [subscribe('ws', { corpId: corpB }), subscribe('ws', { corpId: corpB })];
    // A replay cursor is never shared: it runs alone, and still sees only the new messages here.
    const replay = subscribe('ws', { corpId: corpA, after: await cursorOf(corpA) });
    await waitFor('every subscription is live', async () => (await gauge('wag_subscriptions_active')) === 10);
    expect(await gauge('wag_subscription_groups')).toBe(2);
    expect(await gauge('wag_subscription_group_members')).toBe(9);

    const a1 = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpA, count: 30 });
    const b1 = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpB, count: 12 });
    const a2 = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpA, count: 15 });
    const sentA = [...a1.msgids, ...a2.msgids].sort();
    for (const sub of [...sameA, replay]) {
      await sub.waitForCount(sentA.length);
      expect(idsOf(sub).sort()).toEqual(sentA);
    }
    for (const sub of onB) {
      await sub.waitForCount(b1.msgids.length);
      expect(idsOf(sub).sort()).toEqual([...b1.msgids].sort());
    }
    // In archive order for everyone (one execution, one order).
    const order = idsOf(sameA[0]!);
    for (const sub of sameA.slice(1)) expect(idsOf(sub)).toEqual(order);
  });

  it('keeps the group while members remain, and ends it with the last one', async () => {
    const live = started.filter((s) => s.items.length > 0 && !s.errors.length);
    const [leaving, ...rest] = live;
    await leaving!.stop();
    await waitFor('one member left', async () => (await gauge('wag_subscription_group_members')) === 8);
    expect(await gauge('wag_subscription_groups')).toBe(2);
    const more = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpA, count: 3 });
    const stillOnA = rest.filter((s) => idsOf(s).length >= 45);
    // The six members left in the group on corp A (five graphql-ws, one SSE) and the replay subscriber.
    expect(stillOnA).toHaveLength(7);
    for (const sub of stillOnA) {
      const events = await sub.waitForCount(45 + more.msgids.length);
      expect(events.slice(45).map((e) => e.messageAdded.message.msgid)).toEqual(more.msgids);
    }
    await Promise.all(started.map((s) => s.stop()));
    await waitFor('every group ended', async () => (await gauge('wag_subscription_groups')) === 0);
    expect(await gauge('wag_subscription_group_members')).toBe(0);
  });

  it('frames one shared payload under each subscription id of a connection, ids escaped as JSON', async () => {
    const socket = new WebSocket(stack.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const frames: { id?: string; type: string; payload?: MessageAdded & { data?: MessageAdded } }[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_KEY}` } }),
    );
    await waitFor('ack', async () => frames.some((f) => f.type === 'connection_ack'));
    const ids = ['plain', 'quote"and\\slash', '中文 id'];
    for (const id of ids) {
      socket.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: MESSAGE_ADDED, variables: { corpId: corpB } },
        }),
      );
    }
    await waitFor('all three live', async () => (await gauge('wag_subscription_group_members')) === 3);
    const sent = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId: corpB, count: 4 });
    const next = () => frames.filter((f) => f.type === 'next');
    await waitFor('every frame', async () => next().length === ids.length * sent.msgids.length);
    for (const id of ids) {
      const mine = next().filter((f) => f.id === id);
      expect(mine.map((f) => f.payload!.data!.messageAdded.message.msgid)).toEqual(sent.msgids);
    }
    socket.close();
    await waitFor('group ended', async () => (await gauge('wag_subscription_groups')) === 0);
  });

  it('completes live subscriptions on both transports when the gateway stops', async () => {
    const ws = subscribe('ws', { corpId: corpA });
    const sse = subscribe('sse', { corpId: corpA });
    const replay = subscribe('ws', { corpId: corpA, after: null });
    await waitFor('subscriptions live', async () => (await gauge('wag_subscriptions_active')) === 3);
    await stack.stop();
    await Promise.all([ws.completed, sse.completed, replay.completed]);
    expect([ws, sse, replay].map((s) => s.errors)).toEqual([[], [], []]);
  });
});
