import type { DestinationStream } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../simulator/createSimulator.js';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig, SCOPES } from '../../src/config/config.js';
import { createSecretBox } from '../../src/datasources/store/secretBox.js';
import { createLogger } from '../../src/logging/createLogger.js';
import { wsSubscribe } from '../helpers/liveClients.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { waitFor } from '../helpers/waitFor.js';
import { postGraphql, reportFigures } from './figures.js';

const API_KEY = 'redaction-test-api-key-7f3a9c';
const MASTER_KEY = 'redaction-test-master-key-51be0d77';
const SUITE = {
  WECOM_SUITE_ID: 'wwsuiteredaction01',
  WECOM_SUITE_SECRET: 'redaction-suite-secret-c0ffee-4242',
  WECOM_CALLBACK_TOKEN: 'redactionCallbackTok9',
  WECOM_CALLBACK_AES_KEY: 'Zq4u8Xv2Lr6Tn1Bc5Mk9Wp3Hd7Gf0Js2Ay6Ee8Ro4Ti',
  WECOM_PROVIDER_CORPID: 'wwproviderredaction1',
  WECOM_DISPLAY_SUITE_ID: 'wwsuiteredaction02',
  WECOM_DISPLAY_SUITE_SECRET: 'redaction-display-secret-beef-77',
};

describe('log redaction: a full run at debug level leaks no secret', () => {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) };
  let sim: Simulator;
  let app: App | null = null;
  let schema: TestSchema | null = null;
  afterAll(async () => {
    await app?.stop();
    await sim?.stop();
    await schema?.drop();
  });

  it('searches every log line for every secret', async () => {
    sim = createSimulator({
      port: 0,
      messageRate: 0,
      newMessageBatchMs: 50,
      suiteId: SUITE.WECOM_SUITE_ID,
      suiteSecret: SUITE.WECOM_SUITE_SECRET,
      callbackToken: SUITE.WECOM_CALLBACK_TOKEN,
      callbackAesKey: SUITE.WECOM_CALLBACK_AES_KEY,
      providerCorpId: SUITE.WECOM_PROVIDER_CORPID,
      displaySuiteId: SUITE.WECOM_DISPLAY_SUITE_ID,
      displaySuiteSecret: SUITE.WECOM_DISPLAY_SUITE_SECRET,
      displayCallbackToken: SUITE.WECOM_CALLBACK_TOKEN,
      displayCallbackAesKey: SUITE.WECOM_CALLBACK_AES_KEY,
      backlogPerCorp: 50,
    });
    const { url: simUrl } = await sim.start();
    schema = await freshSchema('redaction');
    const config = loadConfig({
      PORT: '0',
      WECOM_API_BASE: simUrl,
      ...SUITE,
      GATEWAY_MASTER_KEY: MASTER_KEY,
      DATABASE_URL: schema.url,
      GATEWAY_CLIENTS: JSON.stringify([{ id: 'ops', key: API_KEY, corps: ['*'], scopes: [...SCOPES] }]),
      LOG_LEVEL: 'debug',
    });
    const logger = createLogger({ level: 'debug', destination });
    app = await buildApp({ ...config, wecomApiBase: simUrl }, { logger });
    const { url } = await app.start();
    sim.setCallbackUrl(`${url}/wecom/callback`);
    await sim.beginCallbacks();
    const corpIds = sim.state.corpList().map((c) => c.corpId);
    const started = app;
    await waitFor('corps active with keys', async () => {
      const keys = await Promise.all(corpIds.map((id) => started.datasources.keys.current(id)));
      return keys.every((k) => k !== null);
    });
    const corpId = corpIds[0]!;
    const graphql = `${url}/graphql`;
    const auth = { authorization: `Bearer ${API_KEY}` };
    const indexedAll = async () =>
      (await started.ingest.index.lastSeq(corpId)) === sim.state.corps.get(corpId)!.messages.length;

    await fetch(`${simUrl}/__sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corpId, count: 5 }),
    });
    await waitFor('messages indexed', indexedAll, 30_000);
    const display = `query($c: String!) { corp(corpId: $c) { messages(first: 20) { edges { node { id display { secretKey } } } } } }`;
    const first = await postGraphql(graphql, { query: display, variables: { c: corpId } }, auth);
    expect(JSON.stringify(first.json)).toContain('secretKey');
    const rotated = await postGraphql(
      graphql,
      {
        query: 'mutation($c: String!) { rotatePublicKey(corpId: $c) { version } }',
        variables: { c: corpId },
      },
      auth,
    );
    expect(rotated.json.errors).toBeUndefined();
    await fetch(`${simUrl}/__sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corpId, count: 3 }),
    });
    await waitFor('messages under the new key indexed', indexedAll, 30_000);
    await postGraphql(graphql, { query: display, variables: { c: corpId } }, auth);
    await postGraphql(graphql, { query: '{ viewer { id } }' }, { authorization: 'Bearer not-a-key' });
    await postGraphql(graphql, { query: '{ nope }' }, auth);
    const live = wsSubscribe(
      graphql,
      API_KEY,
      'subscription($c: String!) { messageAdded(corpId: $c) { cursor } }',
      {
        c: corpId,
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    await live.stop();
    await fetch(`${url}/metrics`);

    // Every secret of the run.
    const secrets = new Map<string, string>([
      ['api key', API_KEY],
      ['master key', MASTER_KEY],
      ['suite secret', SUITE.WECOM_SUITE_SECRET],
      ['display suite secret', SUITE.WECOM_DISPLAY_SUITE_SECRET],
      ['callback token', SUITE.WECOM_CALLBACK_TOKEN],
      ['callback AES key', SUITE.WECOM_CALLBACK_AES_KEY],
    ]);
    const suite = sim.state.suite as unknown as {
      suiteTokens: Map<string, number>;
      tickets: Map<string, number>;
    };
    const displaySuite = sim.state.displaySuite as unknown as typeof suite;
    for (const s of [suite, displaySuite]) {
      for (const t of s.suiteTokens.keys()) secrets.set(`suite token ${t.slice(0, 4)}`, t);
      for (const t of s.tickets.keys()) secrets.set(`suite ticket ${t.slice(0, 4)}`, t);
    }
    const box = createSecretBox(MASTER_KEY);
    for (const id of corpIds) {
      const corp = sim.state.corps.get(id)!;
      const code = await started.datasources.corps.getPermanentCode(id);
      expect(code).toBe(corp.permanentCode);
      secrets.set(`permanent code of ${id}`, code!);
      for (const t of corp.accessTokens.keys()) secrets.set(`access token of ${id}`, t);
      const displayCode = await started.datasources.display.corps.getPermanentCode(id);
      expect(displayCode).toBe(corp.display.permanentCode);
      secrets.set(`display permanent code of ${id}`, displayCode!);
      for (const t of corp.display.accessTokens.keys()) secrets.set(`display access token of ${id}`, t);
      for (const m of corp.messages) secrets.set(`secret key of ${m.msgid}`, m.secretKey);
      const current = await started.datasources.keys.current(id);
      for (let v = 1; v <= (current?.version ?? 0); v++) {
        const stored = await started.datasources.kv.get(`keys:${id}:v:${v}`);
        if (!stored) continue;
        const pem = box.open(
          (JSON.parse(stored) as { sealedPrivateKey: string }).sealedPrivateKey,
          `private_key:${id}:${v}`,
        );
        const body = pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
        expect(body.length).toBeGreaterThan(5);
        for (const [i, line] of body.entries()) secrets.set(`private key ${id} v${v} line ${i}`, line);
      }
    }
    await started.stop();
    app = null;

    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(20); // a real run at debug level, not an empty log
    expect(text).toContain('upstream call');
    expect(text).toContain('graphql request');
    const leaked = [...secrets]
      .filter(([, value]) => value.length >= 8 && text.includes(value))
      .map(([name]) => name);
    reportFigures('log redaction', {
      logLines: lines.length,
      secretsSearched: secrets.size,
      leaked: leaked.length,
    });
    expect(leaked).toEqual([]);
  }, 90_000);
});
