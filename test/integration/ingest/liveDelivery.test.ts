import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collected, sseSubscribe, wsSubscribe } from '../../helpers/liveClients.js';
import { ADMIN_KEY, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

type MessageAdded = { messageAdded: { cursor: string; message: { msgid: string } } };
const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($corpId: String!, $after: String) {
    messageAdded(corpId: $corpId, after: $after) { cursor message { msgid } }
  }
`;
const ONE_CORP_KEY = 'one-corp-key';

for (const store of ['memory', 'redis'] as const) {
  describe(`callbacks → index → subscriptions (${store} coordination)`, () => {
    let stack: Stack;
    let corpId: string;
    let otherCorpId: string;
    const started: Collected<unknown>[] = [];

    beforeAll(async () => {
      stack = await startStack({
        redis: store === 'redis',
        clients: (ids) => [{ id: 'one', key: ONE_CORP_KEY, corps: [ids[0]!], scopes: ['corp:read'] }],
      });
      corpId = stack.corps[0]!.corpId;
      otherCorpId = stack.corps[1]!.corpId;
      // startStack returns once every corp's backlog is indexed (start-up / authorization catch-up).
    });
    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop()));
      await stack?.stop();
    });

    async function lastCursor(): Promise<string> {
      const res = await stack.client().request<{
        corp: { messages: { totalCount: number; pageInfo: { endCursor: string } } };
      }>(
        gql`query ($corpId: String!) { corp(corpId: $corpId) { messages(first: 1, filter: { newestFirst: true }) {
          totalCount pageInfo { endCursor } } } }`,
        { corpId },
      );
      return res.corp.messages.pageInfo.endCursor;
    }

    it('delivers every new message exactly once, in order, over graphql-ws and SSE', async () => {
      const after = await lastCursor();
      const ws = wsSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, { corpId, after });
      const sse = sseSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, { corpId, after });
      started.push(ws, sse);

      const first = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 40 });
      const second = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 25 });
      const sent = [...first.msgids, ...second.msgids];

      for (const sub of [ws, sse]) {
        const events = await sub.waitForCount(sent.length);
        const ids = events.map((e) => e.messageAdded.message.msgid);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.sort()).toEqual([...sent].sort());
      }
      // Cursors are strictly increasing: archive order, no duplicate.
      const cursors = ws.items.map((e) => Buffer.from(e.messageAdded.cursor, 'base64url').toString());
      const seqs = cursors.map((c) => Number(c.slice(3)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      // Nothing more arrives for a duplicate new-message callback (nothing new to sync).
      await stack.simPost('/__sim/events', { type: 'conversation_new_message', corpId });
      const probe = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 1 });
      await ws.waitForCount(sent.length + 1);
      expect(ws.items.at(-1)!.messageAdded.message.msgid).toBe(probe.msgids[0]);
      expect(ws.items).toHaveLength(sent.length + 1);
    });

    it('resumes from a cursor: replays what was missed, then goes live, with no gap and no duplicate', async () => {
      const before = await lastCursor();
      const missed = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 30 });
      await waitFor('missed messages indexed', async () => {
        const page = await stack.app.ingest.index.getMany(corpId, missed.msgids);
        return page.every((m) => m !== null);
      });
      const resumed = wsSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, {
        corpId,
        after: before,
      });
      started.push(resumed);
      await resumed.waitForCount(30);
      const live = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 10 });
      const events = await resumed.waitForCount(40);
      expect(events.map((e) => e.messageAdded.message.msgid)).toEqual([...missed.msgids, ...live.msgids]);
    });

    it('lists the archive from the index with filters, cursors and totalCount', async () => {
      const client = stack.client();
      const chat = stack.corps[0]!.chats.find((c) => c.type === 'group')!;
      const res = await client.request<{
        corp: {
          messages: { totalCount: number; edges: { node: { msgid: string; chat: { chatId: string } } }[] };
        };
      }>(
        gql`query ($corpId: String!, $filter: MessageFilter) { corp(corpId: $corpId) {
          messages(first: 5, filter: $filter) { totalCount edges { node { msgid chat { chatId } } } } } }`,
        { corpId, filter: { participantId: chat.type === 'group' ? undefined : undefined, type: 'TEXT' } },
      );
      expect(res.corp.messages.edges).toHaveLength(5);
      expect(res.corp.messages.totalCount).toBeGreaterThan(5);
      const all = await stack.app.ingest.index.count({ corpId });
      expect(res.corp.messages.totalCount).toBeLessThan(all);
      const state = await client.request<{
        corp: { syncState: { indexedMessages: number; lastSyncOkAt: string | null; lastError: unknown } };
      }>(
        gql`query ($corpId: String!) { corp(corpId: $corpId) { syncState { indexedMessages lastSyncOkAt lastError { code } } } }`,
        {
          corpId,
        },
      );
      expect(state.corp.syncState.indexedMessages).toBe(all);
      expect(state.corp.syncState.lastSyncOkAt).not.toBeNull();
      expect(state.corp.syncState.lastError).toBeNull();
    });

    it("refuses another corp's cursor with BAD_USER_INPUT, on Corp.messages and on messageAdded", async () => {
      // A cursor of corp A used on corp B: before cursors carried their corp, B's archive was
      // read from A's position (same seq, another corp).
      const fromA = await lastCursor();
      const listing = await stack
        .client()
        .rawRequest(
          gql`query ($corpId: String!, $after: String) { corp(corpId: $corpId) { messages(first: 1, after: $after) {
          edges { cursor } } } }`,
          { corpId: otherCorpId, after: fromA },
        )
        .catch(
          (error: { response: { errors: { message: string; extensions: { code: string } }[] } }) =>
            error.response,
        );
      expect(listing.errors?.[0]).toMatchObject({
        message: expect.stringContaining(`a cursor resumes only listings of corp ${otherCorpId}`),
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const live = wsSubscribe<MessageAdded>(stack.graphqlUrl, ADMIN_KEY, MESSAGE_ADDED, {
        corpId: otherCorpId,
        after: fromA,
      });
      started.push(live);
      await waitFor('the refusal', () => live.errors.length > 0);
      expect(JSON.stringify(live.errors)).toContain('BAD_USER_INPUT');
      expect(live.items).toEqual([]);
    });

    it('refuses a subscriber without the corp, at subscribe time', async () => {
      const refused = wsSubscribe<MessageAdded>(stack.graphqlUrl, ONE_CORP_KEY, MESSAGE_ADDED, {
        corpId: otherCorpId,
      });
      started.push(refused);
      await waitFor('the refusal', () => refused.errors.length > 0);
      expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');
      const sse = sseSubscribe<MessageAdded>(stack.graphqlUrl, ONE_CORP_KEY, MESSAGE_ADDED, {
        corpId: otherCorpId,
      });
      started.push(sse);
      await waitFor('the SSE refusal', () => sse.errors.length > 0);
      expect(JSON.stringify(sse.errors)).toContain('FORBIDDEN');
    });
  });
}
