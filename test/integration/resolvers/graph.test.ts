import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../../src/resolvers/globalId.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { archiveAll, type SimCorp, type Stack, startStack } from '../../helpers/startStack.js';

type Calls = Record<string, number>;
const CD = '/cgi-bin/chatdata/';

// The store of record is PostgreSQL in both; coordination is in-process or in Redis.
const backends = [
  { name: 'memory coordination', redis: false },
  { name: 'Redis coordination', redis: true },
];

for (const backend of backends) {
  describe(`graph over the simulator (${backend.name})`, () => {
    let stack: Stack;
    let corp: SimCorp;
    const calls = async () => (await stack.simGet<{ calls: Calls }>('/__sim/stats')).calls;
    const resetCalls = () => stack.simPost('/__sim/stats/reset');
    const gql = <T = Json>(query: string, variables: Record<string, unknown> = {}) =>
      stack.client().request<T>(query, variables);

    beforeAll(async () => {
      stack = await startStack({ redis: backend.redis });
      corp = stack.corps[0]!;
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('lists the corps with authorization, editions and public key, paginated', async () => {
      const first = await gql(`{ corps(first: 2) { edges { cursor node { id corpId name
        authorization { status since editions { edition } } publicKey { version publicKeyPem } } }
        pageInfo { hasNextPage endCursor } } }`);
      expect(first.corps.edges).toHaveLength(2);
      expect(first.corps.pageInfo.hasNextPage).toBe(true);
      const node = first.corps.edges[0].node;
      expect(node.authorization.status).toBe('ACTIVE');
      expect(node.authorization.editions.length).toBeGreaterThan(0);
      expect(node.publicKey.version).toBe(1);
      expect(node.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      const rest = await gql(
        `query($after: String) { corps(first: 10, after: $after) { edges { node { corpId } } pageInfo { hasNextPage } } }`,
        {
          after: first.corps.pageInfo.endCursor,
        },
      );
      const all = [...first.corps.edges, ...rest.corps.edges].map((e: Json) => e.node.corpId);
      expect(all.sort()).toEqual(stack.corps.map((c) => c.corpId).sort());
      expect(rest.corps.pageInfo.hasNextPage).toBe(false);
    });

    it('answers viewer, corp(corpId) and node(id) for a corp', async () => {
      const data = await gql(
        `query($c: String!, $id: ID!) { viewer { id allCorps corpIds scopes }
        corp(corpId: $c) { id corpId name } node(id: $id) { id ... on Corp { corpId } } }`,
        {
          c: corp.corpId,
          id: encodeGlobalId('Corp', corp.corpId),
        },
      );
      expect(data.viewer.id).toBe('admin');
      expect(data.viewer.corpIds.sort()).toEqual(stack.corps.map((c) => c.corpId).sort());
      expect(data.corp).toMatchObject({ corpId: corp.corpId, name: corp.name });
      expect(data.node.corpId).toBe(corp.corpId);
      const unknown = await gql(`{ corp(corpId: "wwunknown") { corpId } }`);
      expect(unknown.corp).toBeNull();
    });

    it('pages authorized users with upstream cursors passed through', async () => {
      const q = `query($c: String!, $after: String) { corp(corpId: $c) { authorizedUsers(first: 3, after: $after) {
        edges { editions node { type id } } pageInfo { hasNextPage endCursor } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 20; i++) {
        const d: Json = await gql(q, { c: corp.corpId, after });
        for (const e of d.corp.authorizedUsers.edges) {
          expect(e.node.type).toBe('EMPLOYEE');
          seen.push(e.node.id);
        }
        if (!d.corp.authorizedUsers.pageInfo.hasNextPage) break;
        after = d.corp.authorizedUsers.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThan(3);
      expect(seen.every((id) => corp.employees.some((e) => e.openUserId === id))).toBe(true);
    });

    it('searches chats and batches the nested members/consents: one upstream call per distinct key', async () => {
      const groups = corp.chats.filter(
        (c): c is Extract<SimCorp['chats'][number], { type: 'group' }> => c.type === 'group',
      );
      const named = groups.filter((g) => g.name !== '');
      // One search per named group (aliases), plus the first found again via chat(id:): keys repeat across fields.
      const queries = named.map((g) => [...g.name].slice(0, 2).join(''));
      const expected = new Set(
        named
          .filter((g) => queries.some((q) => g.name.toLowerCase().includes(q.toLowerCase())))
          .map((g) => g.chatId),
      );
      expect(expected.size).toBeGreaterThan(1);
      const chatFields = `id kind audience chatId createdAt creator { id } members { type id joinedAt } participants { id }
        consents { externalUserId chatId status }`;
      const searches = queries
        .map(
          (q, i) =>
            `s${i}: searchChats(query: ${JSON.stringify(q)}, first: 50) { edges { node { ${chatFields} } } }`,
        )
        .join('\n');
      const duplicate = `dup: searchChats(query: ${JSON.stringify(queries[0])}, first: 50) { edges { node { ${chatFields} } } }`;
      await resetCalls();
      const data = await gql(`query($c: String!) { corp(corpId: $c) { ${searches}\n${duplicate} } }`, {
        c: corp.corpId,
      });
      const after = await calls();
      const edges = [...queries.flatMap((_, i) => data.corp[`s${i}`].edges), ...data.corp.dup.edges];
      expect(new Set(edges.map((e: Json) => e.node.chatId))).toEqual(expected);
      const n = expected.size;
      const chatdata = Object.fromEntries(Object.entries(after).filter(([p]) => p.startsWith(CD)));
      expect(chatdata).toEqual({
        [`${CD}search_chat`]: queries.length + 1,
        [`${CD}groupchat/get`]: n,
        [`${CD}getagreestatus/room`]: n,
      });
      console.log(
        `nested query: ${queries.length} searches, ${edges.length} chat edges, ${n} distinct chats →`,
        JSON.stringify(after),
      );
      for (const e of edges) {
        const group = named.find((g) => g.chatId === e.node.chatId)!;
        // audience comes from the same groupchat/get answer (no call of its own, counted above).
        expect(e.node.audience).toBe(group.kind === 'internal' ? 'INTERNAL' : 'CUSTOMER');
        if (group.kind === 'internal') {
          expect(e.node.members.length).toBe(group.members.length);
          expect(e.node.creator).not.toBeNull();
          expect(e.node.createdAt).toMatch(/^\d{4}-/);
        } else {
          // customer groups: groupchat/get answers 301059, documented as [] / null
          expect(e.node.members).toEqual([]);
          expect(e.node.creator).toBeNull();
        }
      }
      const chatId = edges[0].node.id;
      const viaNode = await gql(
        `query($id: ID!, $c: String!) { node(id: $id) { ... on Chat { chatId kind } }
        corp(corpId: $c) { chat(id: $id) { chatId } } }`,
        { id: chatId, c: corp.corpId },
      );
      expect(viaNode.node.chatId).toBe(edges[0].node.chatId);
      expect(viaNode.corp.chat.chatId).toBe(edges[0].node.chatId);
    });

    it('batches Corp.consents ≤100 pairs per getagreestatus/single call, deduplicated', async () => {
      const pairs = corp.employees.flatMap((e) =>
        corp.customers.map((c) => ({ employeeId: e.openUserId, externalUserId: c.externalUserId })),
      );
      const distinct = pairs.slice(0, Math.min(pairs.length, 150));
      const withDuplicates = [...distinct, ...distinct.slice(0, 20)];
      await resetCalls();
      const data = await gql(
        `query($c: String!, $p: [ConsentPairInput!]!) { corp(corpId: $c) {
        consents(pairs: $p) { employeeId externalUserId status changedAt } } }`,
        { c: corp.corpId, p: withDuplicates },
      );
      expect(data.corp.consents).toHaveLength(withDuplicates.length);
      const known = corp.consents.find((c) => c.status === 'Agree');
      if (known) {
        const d = await gql(
          `query($c: String!, $p: [ConsentPairInput!]!) { corp(corpId: $c) { consents(pairs: $p) { status } } }`,
          {
            c: corp.corpId,
            p: [{ employeeId: known.openUserId, externalUserId: known.externalUserId }],
          },
        );
        expect(d.corp.consents[0].status).toBe('AGREE');
      }
      const after = await calls();
      expect(after[`${CD}getagreestatus/single`]).toBe(Math.ceil(distinct.length / 100) + (known ? 1 : 0));
    });

    it('creates, reads, lists, updates and deletes a keyword rule', async () => {
      const created = await gql(
        `mutation($c: String!) { createKeywordRule(corpId: $c, input: {
        name: "测试规则", keywords: ["报价", "合同"], behaviours: [PHONE_NUMBER, BANK_CARD_NUMBER],
        applicableRange: { chatTypes: [SINGLE], targetTypes: [CUSTOMER] } }) {
        id ruleId name keywords behaviours applicableRange { chatTypes targetTypes } } }`,
        { c: corp.corpId },
      );
      const rule = created.createKeywordRule;
      expect(rule).toMatchObject({
        name: '测试规则',
        keywords: ['报价', '合同'],
        behaviours: ['PHONE_NUMBER', 'BANK_CARD_NUMBER'],
        applicableRange: { chatTypes: ['SINGLE'], targetTypes: ['CUSTOMER'] },
      });
      const listed = await gql(
        `query($c: String!, $id: ID!) { corp(corpId: $c) {
        keywordRules(first: 100) { edges { node { id ruleId name createdAt keywords } } }
        keywordRule(id: $id) { ruleId name } } node(id: $id) { ... on KeywordRule { ruleId keywords } } }`,
        {
          c: corp.corpId,
          id: rule.id,
        },
      );
      const entry = listed.corp.keywordRules.edges.find((e: Json) => e.node.ruleId === rule.ruleId);
      expect(entry.node.createdAt).toMatch(/^\d{4}-/);
      expect(listed.corp.keywordRule.name).toBe('测试规则');
      expect(listed.node.keywords).toEqual(['报价', '合同']);

      const updated = await gql(
        `mutation($id: ID!) { updateKeywordRule(id: $id, input: { name: "改名", keywords: [] , behaviours: [EMAIL] }) {
        name keywords behaviours } }`,
        { id: rule.id },
      );
      expect(updated.updateKeywordRule).toEqual({ name: '改名', keywords: [], behaviours: ['EMAIL'] });

      const deleted = await gql(`mutation($id: ID!) { deleteKeywordRule(id: $id) }`, { id: rule.id });
      expect(deleted.deleteKeywordRule).toBe(rule.id);
      const gone = await gql(
        `query($c: String!, $id: ID!) { corp(corpId: $c) { keywordRule(id: $id) { ruleId } } }`,
        {
          c: corp.corpId,
          id: rule.id,
        },
      );
      expect(gone.corp.keywordRule).toBeNull();
    });

    it('lists keyword hits of a rule with message details', async () => {
      const created = await gql(
        `mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "hits",
        behaviours: [RED_PACKET, PHONE_NUMBER, EMAIL, WECHAT_CONTACT_CARD, QR_CODE_IMAGE, RECALL, BANK_CARD_NUMBER,
        ID_CARD_NUMBER, SEND_FILE, SEND_LINK, SEND_MINI_PROGRAM, SEND_WELCOME_MESSAGE] }) { id ruleId } }`,
        {
          c: corp.corpId,
        },
      );
      await stack.simPost('/__sim/messages', { corpId: corp.corpId, count: 200 });
      const data = await gql(
        `query($c: String!, $r: ID!) { corp(corpId: $c) { keywordHits(ruleId: $r, first: 100) {
        edges { node { messageId matchedKeyword behaviours rule { id ruleId } message { msgid sentAt type sender { type } } } } } } }`,
        {
          c: corp.corpId,
          r: created.createKeywordRule.id,
        },
      );
      const edges = data.corp.keywordHits.edges;
      expect(edges.length).toBeGreaterThan(0);
      for (const e of edges) {
        expect(e.node.rule.ruleId).toBe(created.createKeywordRule.ruleId);
        expect(e.node.behaviours.length).toBeGreaterThan(0);
        expect(e.node.message.msgid).toBe(e.node.messageId);
      }
      await gql(`mutation($id: ID!) { deleteKeywordRule(id: $id) }`, { id: created.createKeywordRule.id });
    });

    it('searches messages, hydrating msgids from the message lookup, and displays them', async () => {
      const archived = await archiveAll(stack, corp.corpId);
      expect(archived.length).toBeGreaterThan(0);
      const data = await gql(
        `query($c: String!) { corp(corpId: $c) { searchMessages(query: "报价", first: 20) {
        edges { cursor node { id msgid type sentAt sender { type id } receivers { id } chat { id kind chatId participants { type id } consents { employeeId externalUserId status } }
        display { messageId secretKey publicKeyVersion } } } pageInfo { hasNextPage endCursor } } } }`,
        {
          c: corp.corpId,
        },
      );
      const edges = data.corp.searchMessages.edges;
      expect(edges.length).toBeGreaterThan(0);
      const first = edges[0].node;
      for (const e of edges) {
        const chat = e.node.chat;
        if (chat.kind === 'GROUP') continue;
        expect(chat.participants).toHaveLength(2);
        const types = chat.participants.map((p: Json) => p.type).sort();
        // an employee–customer single chat reports its pair's consent; internal singles have none
        expect(chat.consents).toHaveLength(types.join() === 'EMPLOYEE,EXTERNAL' ? 1 : 0);
      }
      expect(first.display.messageId).toBe(first.msgid);
      expect(first.display.secretKey.length).toBeGreaterThan(0);
      const render = await fetch(
        `${stack.simUrl}/__sim/render?msgid=${encodeURIComponent(first.msgid)}&secret_key=${encodeURIComponent(first.display.secretKey)}`,
      );
      expect(render.status).toBe(200);
      const viaNode = await gql(
        `query($id: ID!) { node(id: $id) { ... on Message { msgid chat { kind } } } }`,
        {
          id: first.id,
        },
      );
      expect(viaNode.node.msgid).toBe(first.msgid);
    });

    it('starts an analysis from archived messages and reads its results', async () => {
      const archived = stack.messages.byId.size
        ? [...stack.messages.byId.values()]
        : await archiveAll(stack, corp.corpId);
      const texts = archived.filter((m) => m.corpId === corp.corpId && m.msgtype === 1).slice(0, 5);
      const started = await gql(
        `mutation($c: String!, $ids: [ID!]!) { startAnalysis(corpId: $c, type: SENTIMENT, messageIds: $ids) {
        id jobId type } }`,
        { c: corp.corpId, ids: texts.map((m) => m.msgid) },
      );
      const task = started.startAnalysis;
      expect(task.type).toBe('SENTIMENT');
      await stack.simPost('/__sim/clock', { advanceSeconds: 5 });
      const read = await gql(
        `query($id: ID!) { node(id: $id) { ... on AnalysisTask { jobId status results { messageId sentiment errcode } } } }`,
        {
          id: task.id,
        },
      );
      expect(read.node.jobId).toBe(task.jobId);
      expect(read.node.status).toBe('DONE');
      expect(read.node.results.map((r: Json) => r.messageId).sort()).toEqual(
        texts.map((m) => m.msgid).sort(),
      );
    });

    it('creates an export from an uploaded template and polls its status', async () => {
      const { code } = await stack.simPost<{ code: string }>('/__sim/export-code', { corpId: corp.corpId });
      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query:
            'mutation($c: String!, $code: String!, $t: File!) { createExport(corpId: $c, code: $code, template: $t) { id jobId status } }',
          variables: { c: corp.corpId, code, t: null },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.t'] }));
      form.set('0', new File(['$msgContent=m/k$'], 'template.txt', { type: 'text/plain' }));
      const res = await fetch(stack.graphqlUrl, {
        method: 'POST',
        // A multipart POST needs no preflight, so CSRF prevention asks for this header.
        headers: { authorization: 'Bearer test-admin-key', 'x-graphql-csrf': '1' },
        body: form,
      });
      const body = (await res.json()) as Json;
      expect(body.errors).toBeUndefined();
      const task = body.data.createExport;
      expect(['WAITING', 'RUNNING', 'DONE']).toContain(task.status);
      await stack.simPost('/__sim/clock', { advanceSeconds: 5 });
      const read = await gql(
        `query($c: String!, $id: ID!) { corp(corpId: $c) { exportTask(id: $id) { jobId status resultId error } } }`,
        {
          c: corp.corpId,
          id: task.id,
        },
      );
      expect(read.corp.exportTask.status).toBe('DONE');
      expect(read.corp.exportTask.resultId).toBeTruthy();
    });

    it('rotates the public key', async () => {
      const other = stack.corps[1]!;
      const rotated = await gql(
        `mutation($c: String!) { rotatePublicKey(corpId: $c) { version publicKeyPem } }`,
        { c: other.corpId },
      );
      expect(rotated.rotatePublicKey.version).toBe(2);
      const read = await gql(`query($c: String!) { corp(corpId: $c) { publicKey { version } } }`, {
        c: other.corpId,
      });
      expect(read.corp.publicKey.version).toBe(2);
    });

    it('rejects bad input with BAD_USER_INPUT naming the field and restating the rule', async () => {
      const cases: [string, Record<string, unknown>, string, string][] = [
        [
          `query($c: String!) { corp(corpId: $c) { searchChats(query: "项目", first: 500) { edges { cursor } } } }`,
          {},
          'first',
          'first must be 1..100, got 500',
        ],
        [
          `query($c: String!) { corp(corpId: $c) { searchChats(query: "x") { edges { cursor } } } }`,
          {},
          'query',
          'query must be at least 2 characters, got "x"',
        ],
        [
          `mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "abcdefghijklmnopqrstuvwxyz", keywords: ["a"] }) { id } }`,
          {},
          'input.name',
          'name must be 1..20 characters, got "abcdefghijklmnopqrstuvwxyz"',
        ],
        [
          `mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "n" }) { id } }`,
          {},
          'input.keywords',
          'a rule needs at least one keyword or behaviour, got none',
        ],
        [
          `mutation($c: String!) { createKeywordRule(corpId: $c, input: { name: "n", keywords: ["${'k'.repeat(33)}"] }) { id } }`,
          {},
          'input.keywords.0',
          'each keyword must be 1..32 characters',
        ],
        [
          `query($c: String!) { corp(corpId: $c) { searchMessages(query: "报价", from: "2024-01-01T00:00:00Z", to: "2024-03-01T00:00:00Z") { edges { cursor } } } }`,
          {},
          'to',
          'from..to must span at most 30 days',
        ],
        [
          `query($c: String!) { corp(corpId: $c) { keywordRules(after: "garbage") { edges { cursor } } } }`,
          {},
          'after',
          'after must be a cursor returned by this connection',
        ],
        [
          `mutation($c: String!) { startAnalysis(corpId: $c, type: SPAM, messageIds: ["nope"]) { id } }`,
          {},
          'messageIds.0',
          'messageIds must be messages archived for corp',
        ],
      ];
      await resetCalls();
      for (const [query, vars, field, message] of cases) {
        const { errors } = await gqlErrors(stack.client(), query, { c: corp.corpId, ...vars });
        expect(errors[0]?.extensions?.['code'], query).toBe('BAD_USER_INPUT');
        expect(errors[0]?.extensions?.['field']).toBe(field);
        expect(errors[0]?.message).toContain(message);
      }
      const tooMany = Array.from({ length: 1001 }, (_, i) => `m${i}`);
      const { errors } = await gqlErrors(
        stack.client(),
        `mutation($c: String!, $ids: [ID!]!) { startAnalysis(corpId: $c, type: SPAM, messageIds: $ids) { id } }`,
        {
          c: corp.corpId,
          ids: tooMany,
        },
      );
      expect(errors[0]?.message).toBe('messageIds must hold 1..1000 entries, got 1001');
      const after = await calls();
      expect(Object.keys(after).filter((p) => p.startsWith(CD))).toEqual([]);
    });

    it.runIf(!backend.redis)('keeps schema.graphql fresh (npm run schema:check)', () => {
      // A subprocess: the script is what CI runs, and it loads graphql exactly once.
      const run = spawnSync('npx', ['tsx', 'scripts/print-schema.ts', '--check'], { encoding: 'utf8' });
      expect(run.stderr + run.stdout).toContain('schema.graphql is up to date');
      expect(run.status).toBe(0);
    });
  });
}
