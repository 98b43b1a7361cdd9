import { getJsApiSignature } from '@wecom/crypto';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/createLogger.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { metricValue } from '../../helpers/metricValue.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

// WECOM_DISPLAY_APP_KIND=customized: the display app is a 代开发 app, whose corp token comes from
// GET /cgi-bin/gettoken with the corp's permanent code as corpsecret (docs/upstream.md §1.3).
const GETTOKEN = '/cgi-bin/gettoken';
const GET_CORP_TOKEN = '/cgi-bin/service/get_corp_token';
const SIGNATURES = `query($c: String!, $u: String!) { jsapiSignatures(corpId: $c, url: $u) {
  corpId agentId url timestamp nonceStr configSignature agentConfigSignature } }`;
const ARCHIVE = `query($c: String!) { corp(corpId: $c) {
  messages(first: 3) { totalCount } authorizedUsers(first: 5) { edges { node { id } } } } }`;
const CUSTOMIZED_SIM = { displayAppKind: 'customized', backlogPerCorp: 40 } as const;

type Stats = {
  calls: Record<string, number>;
  suiteCalls: { archive: Record<string, number>; display: Record<string, number> };
};
type Envelope = { errcode: number; errmsg: string; access_token?: string };

describe('a 代开发 (customized) display app', () => {
  let stack: Stack;
  let corpIds: string[];
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) };
  const stats = () => stack.simGet<Stats>('/__sim/stats');
  const simCall = async (path: string, init?: RequestInit): Promise<Envelope> =>
    (await fetch(`${stack.simUrl}${path}`, init)).json() as Promise<Envelope>;
  const gettoken = (corpid: string, corpsecret: string) =>
    simCall(`${GETTOKEN}?${new URLSearchParams({ corpid, corpsecret })}`);

  beforeAll(async () => {
    stack = await startStack({
      redis: true,
      sim: CUSTOMIZED_SIM,
      env: { WECOM_DISPLAY_APP_KIND: 'customized', LOG_LEVEL: 'debug' },
      logger: createLogger({ level: 'debug', destination }),
    });
    corpIds = stack.corps.map((c) => c.corpId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('authorizes through the suite, signs config/agentConfig with a gettoken token, never calls get_corp_token for it', async () => {
    // startStack waited for every corp's display authorization (create_auth → get_permanent_code).
    for (const id of corpIds)
      expect((await stack.app.datasources.display.corps.get(id))?.status).toBe('ACTIVE');
    const before = await metricValue(stack.gatewayUrl, 'wag_token_refreshes_total{kind="corp_gettoken"}');
    await stack.simPost('/__sim/stats/reset');
    const page = 'https://app.example.com/inbox?tab=1';
    const s = (await stack.client().request<Json>(SIGNATURES, { c: corpIds[0], u: page })).jsapiSignatures;
    expect(s).toMatchObject({ corpId: corpIds[0], agentId: 1000002, url: page });
    const runtime = stack.sim.state.corps.get(corpIds[0]!)!;
    const sign = (ticket: string) =>
      getJsApiSignature({ url: s.url, ticket, nonceStr: s.nonceStr, timestamp: s.timestamp }).signature;
    expect(s.configSignature).toBe(sign([...runtime.jsapiTickets.keys()][0]!));
    expect(s.agentConfigSignature).toBe(sign([...runtime.agentTickets.keys()][0]!));

    const { calls, suiteCalls } = await stats();
    expect(calls).toMatchObject({ [GETTOKEN]: 1, '/cgi-bin/get_jsapi_ticket': 1, '/cgi-bin/ticket/get': 1 });
    expect(suiteCalls.display[GET_CORP_TOKEN]).toBeUndefined();
    expect(calls[GET_CORP_TOKEN]).toBeUndefined();
    // The token the tickets were fetched with is the one gettoken issued to the display app.
    const token = await stack.app.datasources.display.tokens.getCorpToken(corpIds[0]!);
    expect(runtime.display.accessTokens.has(token)).toBe(true);
    expect(await metricValue(stack.gatewayUrl, 'wag_token_refreshes_total{kind="corp_gettoken"}')).toBe(
      before + 1,
    );
  });

  it('the archive keeps its own third-party chain: get_corp_token with the archive suite', async () => {
    await stack.app.datasources.tokens.forgetCorpToken(corpIds[1]!);
    await stack.simPost('/__sim/stats/reset');
    const corp = (await stack.client().request<Json>(ARCHIVE, { c: corpIds[1] })).corp;
    expect(corp.messages.totalCount).toBe(stack.sim.state.corps.get(corpIds[1]!)!.messages.length);
    expect(corp.authorizedUsers.edges.length).toBeGreaterThan(0);
    const { calls, suiteCalls } = await stats();
    expect(suiteCalls.archive[GET_CORP_TOKEN]).toBe(1);
    expect(suiteCalls.display).toEqual({});
    expect(calls[GETTOKEN]).toBeUndefined();
  });

  it('the simulator: gettoken refuses a wrong secret (40001) and an unknown corp (40013); archive APIs refuse its token', async () => {
    const code = (await stack.app.datasources.display.corps.getPermanentCode(corpIds[0]!))!;
    expect((await gettoken(corpIds[0]!, `${code}x`)).errcode).toBe(40001);
    expect((await gettoken('wwnosuchcorp0000', code)).errcode).toBe(40013);
    // The archive app's permanent code is no secret of a 代开发 app.
    const archiveCode = (await stack.app.datasources.corps.getPermanentCode(corpIds[0]!))!;
    expect((await gettoken(corpIds[0]!, archiveCode)).errcode).toBe(40001);
    const issued = await gettoken(corpIds[0]!, code);
    expect(issued).toMatchObject({ errcode: 0, expires_in: 7200 });
    const archiveCall = await simCall(
      `/cgi-bin/chatdata/get_auth_user_list?access_token=${issued.access_token}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    );
    expect(archiveCall.errcode).toBe(48001);
    expect(archiveCall.errmsg).toContain('needs a token of the 会话内容存档接口授权');
  });

  it('cancel_auth of the display app is confirmed through gettoken and revokes it; create_auth brings it back', async () => {
    const corpId = corpIds[2]!;
    const oldCode = (await stack.app.datasources.display.corps.getPermanentCode(corpId))!;
    await stack.client().request<Json>(SIGNATURES, { c: corpId, u: 'https://a.example/' });
    await stack.simPost('/__sim/stats/reset');
    await stack.simPost('/__sim/events', { type: 'cancel_auth', corpId, app: 'display' });
    await waitFor(
      'display authorization gone',
      async () => (await stack.app.datasources.display.corps.get(corpId)) === null,
    );
    // The gateway asked gettoken afresh (a forged cancel would have been answered with a token).
    const { calls, suiteCalls } = await stats();
    expect(calls[GETTOKEN]).toBeGreaterThanOrEqual(1);
    expect(suiteCalls.display[GET_CORP_TOKEN]).toBeUndefined();
    expect((await gettoken(corpId, oldCode)).errcode).toBe(40001);
    const { errors } = await gqlErrors(stack.client(), SIGNATURES, { c: corpId, u: 'https://a.example/' });
    expect(errors[0]!.extensions).toMatchObject({ code: 'CORP_NOT_AUTHORIZED' });
    // The archive stands.
    expect((await stack.app.datasources.corps.get(corpId))?.status).toBe('ACTIVE');

    await stack.simPost('/__sim/events', { type: 'create_auth', corpId, app: 'display' });
    await waitFor(
      'display authorized again',
      async () => (await stack.app.datasources.display.corps.get(corpId)) !== null,
    );
    const again = await stack.client().request<Json>(SIGNATURES, { c: corpId, u: 'https://a.example/' });
    expect(again.jsapiSignatures.agentId).toBe(1000002);
  });

  it('no permanent code (the corp secret) reaches the log, though gettoken calls were logged', () => {
    const text = lines.join('');
    expect(text).toContain(GETTOKEN);
    const codes = [...stack.sim.state.corps.values()].map((c) => c.display.permanentCode!);
    expect(codes.every((c) => c.length >= 16)).toBe(true);
    expect(codes.filter((c) => text.includes(c))).toEqual([]);
    expect(text).not.toMatch(/corpsecret=(?!\*\*\*)/);
  });
});

describe('a gateway that takes a 代开发 display app for a third-party one', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sim: CUSTOMIZED_SIM });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is refused at get_corp_token (48001): the signatures fail, naming the call', async () => {
    await stack.simPost('/__sim/stats/reset');
    const { errors } = await gqlErrors(stack.client(), SIGNATURES, {
      c: stack.corps[0]!.corpId,
      u: 'https://a.example/',
    });
    expect(errors[0]!.extensions).toMatchObject({ errcode: 48001, path: GET_CORP_TOKEN });
    const { calls, suiteCalls } = await stack.simGet<Stats>('/__sim/stats');
    expect(suiteCalls.display[GET_CORP_TOKEN]).toBe(1);
    expect(calls[GETTOKEN]).toBeUndefined();
  });
});
