import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../../helpers/otlpReceiver.js';
import { freshSchema, type TestSchema } from '../../helpers/postgres.js';
import { purgePrefix, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';
import { type SpawnedGateway, spawnGateway } from '../../helpers/spawnGateway.js';
import { TEST_APPS_ENV, TEST_APPS_SIM } from '../../helpers/testApps.js';
import { waitFor } from '../../helpers/waitFor.js';

const KEY = 'tracing-key';
const MASTER_KEY = 'tracing-master-key-0123456789';
const CLIENTS = JSON.stringify([{ id: 'tracing', key: KEY, corps: ['*'], scopes: ['corp:read'] }]);
const SERVER = 2; // OTLP SpanKind
const CLIENT = 3;
const CONSUMER = 5;

/**
 * The real entry point with OTEL_EXPORTER_OTLP_ENDPOINT set, exporting to an OTLP/HTTP receiver
 * in this process; the simulator as upstream and a real Redis inbox. Asserts the span tree of
 * one query and of one callback (through the inbox, the sync, the commit and the publish).
 */
describe('OpenTelemetry tracing', () => {
  let receiver: OtlpReceiver;
  let sim: Simulator;
  let gateway: SpawnedGateway;
  let prefix: string;
  let schema: TestSchema | null = null;
  let corpId: string;

  const children = (of: ReceivedSpan) =>
    receiver.spans.filter((s) => s.traceId === of.traceId && s.parentSpanId === of.spanId);
  const descendants = (of: ReceivedSpan): ReceivedSpan[] =>
    children(of).flatMap((c) => [c, ...descendants(c)]);
  const one = (spans: ReceivedSpan[], name: string) => {
    const found = spans.filter((s) => s.name === name);
    if (found.length !== 1)
      throw new Error(`expected one ${name}, got ${spans.map((s) => s.name).join(', ')}`);
    return found[0]!;
  };
  /** Waits (bounded) for the span `pick` finds among those received so far. */
  const span = async (
    what: string,
    pick: (spans: ReceivedSpan[]) => ReceivedSpan | undefined,
    timeoutMs?: number,
  ) => (await waitFor(what, () => pick(receiver.spans), timeoutMs)) as ReceivedSpan;
  async function gql(query: string, variables: Record<string, unknown>) {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: unknown; errors?: unknown };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
    return json.data;
  }

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    prefix = uniquePrefix('tracing');
    schema = await freshSchema('tracing');
    sim = createSimulator({
      port: 0,
      messageRate: 0,
      newMessageBatchMs: 20,
      backlogPerCorp: 30,
      ...TEST_APPS_SIM,
    });
    await sim.start();
    gateway = await spawnGateway({
      WECOM_API_BASE: sim.url,
      ...TEST_APPS_ENV,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: schema.url,
      GATEWAY_MASTER_KEY: MASTER_KEY,
      GATEWAY_CLIENTS: CLIENTS,
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-under-test',
      // Export within 50 ms instead of the SDK's 5 s, so the test waits on spans, not on batching.
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    await waitFor('ready', async () => (await fetch(`${gateway.url}/ready`)).status === 200, 20_000);
    sim.setCallbackUrl(`${gateway.url}/wecom/callback`);
    await sim.beginCallbacks();
    const corps = ((await (await fetch(`${sim.url}/__sim/corps`)).json()) as { corps: { corpId: string }[] })
      .corps;
    corpId = corps[0]!.corpId;
    await waitFor(
      'the corp authorized',
      async () => {
        const data = (await gql(
          'query { corps(first: 10) { edges { node { corpId authorization { status } } } } }',
          {},
        )) as {
          corps: { edges: { node: { corpId: string; authorization: { status: string } } }[] };
        };
        return data.corps.edges.some(
          (e) => e.node.corpId === corpId && e.node.authorization.status === 'ACTIVE',
        );
      },
      20_000,
    );
    // The backlog sync runs first; a callback arriving during it would only queue one more pass
    // of that same sync (runCoalesced), in the backlog's trace.
    await waitFor(
      'the backlog indexed',
      async () => {
        const data = (await gql(
          'query ($c: String!) { corp(corpId: $c) { syncState { indexedMessages lastSyncOkAt } } }',
          {
            c: corpId,
          },
        )) as { corp: { syncState: { indexedMessages: number; lastSyncOkAt: string | null } } };
        const { indexedMessages, lastSyncOkAt } = data.corp.syncState;
        const backlog = (
          (await (await fetch(`${sim.url}/__sim/corps`)).json()) as {
            corps: { corpId: string; messageCount: number }[];
          }
        ).corps.find((c) => c.corpId === corpId)!.messageCount;
        if (backlog > 0 && indexedMessages === backlog && lastSyncOkAt !== null) return true;
        throw new Error(`indexed ${indexedMessages} of ${backlog}, last sync ok at ${lastSyncOkAt}`);
      },
      45_000,
    );
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await receiver?.close();
    if (prefix) await purgePrefix(prefix);
    await schema?.drop();
  });

  it('traces one query: HTTP → parse, validate, execute → upstream call → undici, with no variables', async () => {
    const query = `query TracedUsers($corpId: String!) { corp(corpId: $corpId) { authorizedUsers(first: 5) { edges { node { id } } } } }`;
    await gql(query, { corpId });

    const execute = await span('the execute span', (all) => all.find((s) => s.name === 'query.TracedUsers'));
    const root = await span('the HTTP server span', (all) =>
      all.find((s) => s.spanId === execute.parentSpanId),
    );
    expect(root).toMatchObject({
      name: 'POST /graphql',
      kind: SERVER,
      parentSpanId: null,
      service: 'gateway-under-test',
    });
    expect(execute.attributes).toMatchObject({
      'graphql.execute.operationName': 'TracedUsers',
      'graphql.execute.operationType': 'query',
    });
    await waitFor('parse and validate spans', () => children(root).length >= 3);
    const phases = children(root).map((s) => s.name);
    expect(phases).toEqual(
      expect.arrayContaining(['graphql.parse', 'graphql.validate', 'query.TracedUsers']),
    );
    expect(one(children(root), 'graphql.parse').attributes['graphql.operation.name']).toBe('TracedUsers');

    // The resolver's upstream call: one span per attempt under execute, undici's HTTP span under it.
    const upstream = await span('the upstream span', () =>
      descendants(execute).find((s) => s.name === 'wecom /cgi-bin/chatdata/get_auth_user_list'),
    );
    expect(upstream.attributes).toMatchObject({
      'wecom.api.path': '/cgi-bin/chatdata/get_auth_user_list',
      'wecom.errcode': 0,
      'wecom.attempt': 1,
      'wecom.retry': false,
    });
    const http = await span('the undici span', () => children(upstream).find((s) => s.kind === CLIENT));
    expect(http.attributes['url.full']).toBe(`${sim.url}/cgi-bin/chatdata/get_auth_user_list`);

    // Operation name, never variables; no access token in any URL.
    const trace = receiver.spans.filter((s) => s.traceId === root.traceId);
    const values = JSON.stringify(trace.map((s) => s.attributes));
    expect(values).not.toContain(corpId);
    expect(values).not.toContain('access_token');
  });

  it('keeps upstream spans under the execute span once a repeated query runs compiled', async () => {
    // The gateway compiles a query on its second execution (useJitExecution, compileAfter 2).
    const query = `query RepeatedUsers($corpId: String!) { corp(corpId: $corpId) { authorizedUsers(first: 5) { edges { node { id } } } } }`;
    for (let i = 0; i < 3; i++) await gql(query, { corpId });
    const executes = (await waitFor('three execute spans', () => {
      const found = receiver.spans.filter((s) => s.name === 'query.RepeatedUsers');
      return found.length === 3 ? found : null;
    })) as ReceivedSpan[];
    for (const execute of executes) {
      const upstream = await span('the upstream span of each run', () =>
        receiver.spans.find((s) => s.traceId === execute.traceId && s.name.startsWith('wecom ')),
      );
      expect(upstream.parentSpanId).toBe(execute.spanId);
    }
  });

  it('traces a retried upstream call as two attempts: the failure with its errcode, then the retry', async () => {
    const path = '/cgi-bin/chatdata/get_auth_user_list';
    const fault = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, corpId, errcode: -1, times: 1 }),
    });
    expect(fault.status).toBe(200);
    await gql(
      `query RetriedUsers($corpId: String!) { corp(corpId: $corpId) { authorizedUsers(first: 5) { edges { node { id } } } } }`,
      { corpId },
    );

    const execute = await span('the execute span', (all) => all.find((s) => s.name === 'query.RetriedUsers'));
    const attempts = (await waitFor('both attempts', () => {
      const found = descendants(execute).filter((s) => s.name === `wecom ${path}`);
      return found.length === 2 ? found.sort((a, b) => Number(a.startNs - b.startNs)) : null;
    })) as ReceivedSpan[];
    expect(attempts.map((s) => s.attributes)).toEqual([
      {
        'wecom.api.path': path,
        'wecom.attempt': 1,
        'wecom.retry': false,
        'wecom.errcode': -1,
        'wecom.error': 'UPSTREAM_ERROR',
        'wecom.retryable': true,
      },
      { 'wecom.api.path': path, 'wecom.attempt': 2, 'wecom.retry': true, 'wecom.errcode': 0 },
    ]);
    // Both are siblings under the resolver's execution, each with its own HTTP span.
    expect(attempts[0]!.parentSpanId).toBe(attempts[1]!.parentSpanId);
    for (const attempt of attempts) {
      await span("the attempt's undici span", () => children(attempt).find((s) => s.kind === CLIENT));
    }
  });

  it('follows one callback through the inbox to the sync, the commit and the published event', async () => {
    const seen = new Set(receiver.spans.map((s) => s.spanId));
    const res = await fetch(`${sim.url}/__sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corpId, count: 3 }),
    });
    expect(res.status).toBe(200);
    const sent = (await res.json()) as { msgids: string[]; token?: string };

    // The worker's span for this callback, continuing the callback request's trace.
    const worker = await span(
      'the worker span of the new-message callback',
      (all) =>
        all.find(
          (s) =>
            !seen.has(s.spanId) &&
            s.name === 'ingest conversation_new_message' &&
            descendants(s).some((d) => d.name === 'ingest.publish'),
        ),
      20_000,
    ).catch((error: Error) => {
      const fresh = receiver.spans.filter((s) => !seen.has(s.spanId));
      throw new Error(
        `${error.message}; new spans: ${fresh.map((s) => `${s.name}<${s.parentSpanId ?? 'root'}:${s.spanId}`).join(' | ')}`,
      );
    });
    expect(worker.kind).toBe(CONSUMER);
    const callback = await span('the callback request span', (all) =>
      all.find((s) => s.spanId === worker.parentSpanId),
    );
    expect(callback).toMatchObject({ name: 'POST /wecom/callback', kind: SERVER, parentSpanId: null });
    // The callback queued the event into the Redis stream inside its own span.
    expect(children(callback).map((s) => s.name)).toContain('xadd');

    const below = descendants(worker);
    const syncMsg = below.find((s) => s.name === 'wecom /cgi-bin/chatdata/sync_msg');
    expect(syncMsg?.attributes['wecom.errcode']).toBe(0);
    const commit = below.find((s) => s.name === 'ingest.commit' && s.startNs > syncMsg!.startNs);
    expect(commit?.attributes['messages.received']).toBe(3);
    const publish = one(below, 'ingest.publish');
    expect(publish.attributes['messages.published']).toBe(3);
    expect(publish.startNs).toBeGreaterThan(commit!.startNs);
    // The event goes out as a Redis PUBLISH inside the publish span.
    await waitFor('the Redis PUBLISH span', () => children(publish).some((s) => s.name === 'publish'));

    // PostgreSQL under the commit (instrumentation-pg through the ESM loader hook): the statement
    // text, never its parameter values (corp id, msgids, encrypted keys are all parameters).
    const pg = descendants(commit!).filter((s) => s.attributes['db.system.name'] === 'postgresql');
    const insert = pg.find((s) => String(s.attributes['db.query.text']).startsWith('INSERT INTO messages'));
    expect(insert?.attributes['db.query.text']).toMatch(/FROM unnest\(\$2::text\[\]/);
    expect(pg.map((s) => s.attributes['db.query.text'])).toEqual(expect.arrayContaining(['BEGIN', 'COMMIT']));
    const archived = sent.msgids.map((id) => sim.state.corps.get(corpId)!.byId.get(id)!);
    const parameters = [corpId, ...sent.msgids, ...archived.map((m) => m.encryptedSecretKey)];
    for (const s of pg) {
      expect(Object.keys(s.attributes).filter((k) => /param|values/.test(k))).toEqual([]);
      for (const value of parameters) expect(JSON.stringify(s.attributes)).not.toContain(value);
    }

    // Nothing secret anywhere in the callback's trace: tokens, secrets, keys, message content.
    const corp = sim.state.corps.get(corpId)!;
    const secrets = [
      ...corp.accessTokens.keys(),
      corp.permanentCode!,
      ...(sent.token ? [sent.token] : []),
      TEST_APPS_ENV.WECOM_SUITE_SECRET,
      TEST_APPS_ENV.WECOM_CALLBACK_AES_KEY,
      TEST_APPS_ENV.WECOM_CALLBACK_TOKEN,
      MASTER_KEY,
      KEY,
      ...archived.flatMap((m) => [m.secretKey, m.encryptedSecretKey, m.searchText]),
    ].filter((value) => value.length >= 6);
    expect(secrets.length).toBeGreaterThanOrEqual(4 + 3 * 3);
    const attributes = JSON.stringify(
      receiver.spans.filter((s) => s.traceId === worker.traceId).map((s) => s.attributes),
    );
    expect(attributes).not.toMatch(/access_token|msg_signature/);
    for (const secret of secrets) expect(attributes).not.toContain(secret);
    expect(receiver.rejected).toEqual([]);
  });
});
