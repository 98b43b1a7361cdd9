import { getJsApiSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvJsapiTickets } from '../../../src/datasources/wecom/KvJsapiTickets.js';
import { WecomHttp } from '../../../src/datasources/wecom/WecomHttp.js';
import { silentLogger } from '../../../src/logging/Logger.js';
import { encodeGlobalId } from '../../../src/resolvers/globalId.js';
import { errorCodes, gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { postCreateExport } from '../../helpers/postCreateExport.js';
import { ADMIN_KEY, archiveAll, type Stack, startStack } from '../../helpers/startStack.js';

const JSAPI = '/cgi-bin/get_jsapi_ticket';
const AGENT = '/cgi-bin/ticket/get';
const READER_KEY = 'reader-key';
const DISPLAY_KEY = 'display-key';
const SIGNATURES = `query($c: String!, $u: String!) { jsapiSignatures(corpId: $c, url: $u) {
  corpId agentId url timestamp nonceStr configSignature agentConfigSignature } }`;

type Calls = { calls: Record<string, number> };

for (const redis of [false, true]) {
  describe(`display component support (${redis ? 'Redis' : 'memory'} KV)`, () => {
    let stack: Stack;
    let corpIds: string[];
    const calls = async () => (await stack.simGet<Calls>('/__sim/stats')).calls;
    const only = (tickets: Map<string, number>) => {
      expect(tickets.size).toBe(1);
      return [...tickets.keys()][0]!;
    };

    beforeAll(async () => {
      stack = await startStack({
        redis,
        clients: (ids) => [
          { id: 'reader', key: READER_KEY, corps: ['*'], scopes: ['corp:read'] },
          { id: 'display', key: DISPLAY_KEY, corps: [ids[0]!], scopes: ['corp:read', 'content:display'] },
        ],
      });
      corpIds = stack.corps.map((c) => c.corpId);
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('signs config and agentConfig with the corp and app tickets; recomputing them agrees', async () => {
      const page = 'https://app.example.com/inbox?tab=chats#/message/1';
      const data = await stack.client(DISPLAY_KEY).request<Json>(SIGNATURES, { c: corpIds[0], u: page });
      const s = data.jsapiSignatures;
      // The display app's agent (docs/upstream.md §8.3); the archive authorization's is 1000001, which
      // the gateway used before issue 11 and the display component would have refused.
      expect(s).toMatchObject({ corpId: corpIds[0], agentId: 1000002, url: page.split('#')[0] });
      expect(Math.abs(s.timestamp - Date.now() / 1000)).toBeLessThan(600);
      expect(s.nonceStr).toMatch(/^[0-9a-f]{16}$/);
      const runtime = stack.sim.state.corps.get(corpIds[0]!)!;
      const sign = (ticket: string) =>
        getJsApiSignature({ url: s.url, ticket, nonceStr: s.nonceStr, timestamp: s.timestamp }).signature;
      expect(s.configSignature).toBe(sign(only(runtime.jsapiTickets)));
      expect(s.agentConfigSignature).toBe(sign(only(runtime.agentTickets)));
      expect(s.configSignature).not.toBe(s.agentConfigSignature);
    });

    it('50 concurrent requests over two corps fetch one ticket per corp per kind', async () => {
      await stack.simPost('/__sim/stats/reset');
      const fresh = [corpIds[1]!, corpIds[2]!];
      const admin = stack.client();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          admin.request<Json>(SIGNATURES, { c: fresh[i % 2], u: `https://a.example/p/${i}` }),
        ),
      );
      expect(answers.every((a) => a.jsapiSignatures.configSignature.length === 40)).toBe(true);
      expect(await calls()).toMatchObject({ [JSAPI]: 2, [AGENT]: 2 });
      for (const id of fresh) {
        const runtime = stack.sim.state.corps.get(id)!;
        expect([runtime.jsapiTickets.size, runtime.agentTickets.size]).toEqual([1, 1]);
      }
    });

    it('two replicas sharing the KV fetch each ticket once (the KV lock, not only the in-process flight)', async () => {
      const ds = stack.app.datasources;
      await ds.jsapi.forget(corpIds[0]!);
      await stack.simPost('/__sim/stats/reset');
      const replica = () =>
        new KvJsapiTickets({
          kv: ds.kv,
          http: new WecomHttp({ baseUrl: stack.simUrl, timeoutMs: 3000, retries: 0, logger: silentLogger }),
          tokens: ds.display.tokens,
          corps: ds.display.corps,
          defaultAgentId: null,
          refreshMarginS: 300,
          logger: silentLogger,
          pollMs: 5,
        });
      const [a, b] = [replica(), replica()];
      const tickets = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).getTicket(corpIds[0]!, i % 4 < 2 ? 'corp' : 'agent'),
        ),
      );
      expect(new Set(tickets).size).toBe(2);
      expect(await calls()).toMatchObject({ [JSAPI]: 1, [AGENT]: 1 });
    });

    it('refreshes the corp token once when the ticket API rejects it (42001)', async () => {
      await stack.app.datasources.jsapi.forget(corpIds[1]!);
      await stack.simPost('/__sim/stats/reset');
      await stack.simPost('/__sim/faults', { path: JSAPI, errcode: 42001, times: 1 });
      const data = await stack.client().request<Json>(SIGNATURES, { c: corpIds[1], u: 'http://x.example/' });
      expect(data.jsapiSignatures.configSignature).toMatch(/^[0-9a-f]{40}$/);
      expect(await calls()).toMatchObject({ [JSAPI]: 2, '/cgi-bin/service/get_corp_token': 1 });
    });

    it('needs content:display on the corp (corp checked first) and an absolute http(s) url', async () => {
      const vars = { c: corpIds[0], u: 'https://a.example/' };
      expect(await errorCodes(stack.client(null), SIGNATURES, vars)).toEqual(['UNAUTHENTICATED']);
      expect(await errorCodes(stack.client(READER_KEY), SIGNATURES, vars)).toEqual(['FORBIDDEN']);
      const other = await gqlErrors(stack.client(DISPLAY_KEY), SIGNATURES, { ...vars, c: corpIds[1] });
      expect(other.errors[0]!.message).toContain(`may not access corp "${corpIds[1]}"`);
      for (const u of ['ftp://a.example/x', '/inbox', 'not a url', `https://a.example/${'x'.repeat(2100)}`]) {
        const { errors } = await gqlErrors(stack.client(DISPLAY_KEY), SIGNATURES, { ...vars, u });
        expect(errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
        expect(errors[0]!.message).toMatch(
          /^url must be an absolute http\(s\) URL of at most 2048 characters, got/,
        );
      }
    });

    it('Corp.displayKeys: keys for up to 100 messages in order, null for unknown ones, scope content:display', async () => {
      const corpId = corpIds[0]!;
      const archived = (await archiveAll(stack, corpId)).slice(0, 3);
      const ids = [
        archived[0]!.msgid,
        encodeGlobalId('Message', `${corpId}|${archived[1]!.msgid}`),
        'no-such-msgid',
        archived[2]!.msgid,
      ];
      const query = `query($c: String!, $ids: [ID!]!) { corp(corpId: $c) { displayKeys(messageIds: $ids) {
        messageId secretKey publicKeyVersion } } }`;
      const data = await stack.client(DISPLAY_KEY).request<Json>(query, { c: corpId, ids });
      const keys = data.corp.displayKeys;
      expect(keys[2]).toBeNull();
      const runtime = stack.sim.state.corps.get(corpId)!;
      for (const [i, m] of [archived[0]!, archived[1]!, null, archived[2]!].entries()) {
        if (!m) continue;
        expect(keys[i]).toEqual({
          messageId: m.msgid,
          secretKey: runtime.byId.get(m.msgid)!.secretKey,
          publicKeyVersion: m.publicKeyVersion,
        });
      }
      const { errors } = await gqlErrors(stack.client(READER_KEY), query, { c: corpId, ids });
      expect(errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
      const tooMany = await gqlErrors(stack.client(DISPLAY_KEY), query, {
        c: corpId,
        ids: Array.from({ length: 101 }, (_, i) => `m${i}`),
      });
      expect(tooMany.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'messageIds' });
      expect(tooMany.errors[0]!.message).toBe('messageIds must hold 1..100 entries, got 101');
    });

    it('export flow: export code → template upload → job → DONE with a result id; the code is single use', async () => {
      const corpId = corpIds[0]!;
      const createExport = (code: string) => postCreateExport(stack.graphqlUrl, ADMIN_KEY, corpId, code);
      await stack.simPost('/__sim/stats/reset');
      const { code } = await stack.simPost<{ code: string }>('/__sim/export-code', { corpId });
      const body = await createExport(code);
      expect(body.errors).toBeUndefined();
      const task = body.data.createExport;
      expect(task.resultId).toBeNull();
      expect(await calls()).toMatchObject({
        '/cgi-bin/media/upload': 1,
        '/cgi-bin/chatdata/export/create_job': 1,
      });
      await stack.simPost('/__sim/clock', { advanceSeconds: 5 });
      const read = await stack
        .client()
        .request<Json>(
          `query($id: ID!) { node(id: $id) { ... on ExportTask { jobId status resultId error } } }`,
          {
            id: task.id,
          },
        );
      expect(read.node).toMatchObject({ jobId: task.jobId, status: 'DONE', error: null });
      expect(read.node.resultId).toMatch(/^er[0-9a-f]{32}$/);
      const reused = await createExport(code);
      expect(reused.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errcode: 42022,
        path: '/cgi-bin/chatdata/export/create_job',
      });
      expect(reused.errors[0].message).toMatch(/already used .*get a new one/);
    });
  });
}
