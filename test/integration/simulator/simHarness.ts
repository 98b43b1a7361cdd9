import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { createSimulator, type Simulator } from '../../../simulator/createSimulator.js';
import type { SimulatorOptions } from '../../../simulator/simulatorOptions.js';

// biome-ignore lint/suspicious/noExplicitAny: tests probe upstream JSON field by field; unknown would need a cast per access.
export type Json = Record<string, any>;

/** Options for fast, quiet test simulators: no live traffic, small backlog, callbacks nowhere. */
export const TEST_OPTIONS: Partial<SimulatorOptions> = {
  port: 0,
  messageRate: 0,
  backlogPerCorp: 60,
  callbackUrl: 'http://127.0.0.1:9/unreachable',
  callbackTries: 1,
  callbackTimeoutMs: 300,
  callbackRetryDelayMs: 0,
  analysisMs: 0,
  exportPhaseMs: 0,
};

export type Harness = {
  sim: Simulator;
  url: string;
  post(path: string, body: unknown, query?: Record<string, string>): Promise<Json>;
  postRaw(
    path: string,
    body: string,
    query?: Record<string, string>,
  ): Promise<{ status: number; json: Json }>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
  corps(): Promise<Json[]>;
  /** A suite token of the archive app, or of the display app. */
  suiteToken(app?: 'archive' | 'display'): Promise<string>;
  /** Authorizes the app for the corp (create_auth) and returns a corp token of that app. */
  corpToken(corpId: string, app?: 'archive' | 'display'): Promise<string>;
  /** A corp with a token and a public key (version 1) set; the backlog becomes readable. Cached per index. */
  readyCorp(index?: number): Promise<{ corpId: string; token: string; keys: KeyPair; corp: Json }>;
  /** POST with the corp token. */
  api(token: string, path: string, body: unknown): Promise<Json>;
};

export type KeyPair = { publicPem: string; decrypt(b64: string): string };

/** Polls `check` until it is true, up to `tries` event-loop turns of 10 ms; throws otherwise. */
export async function until(check: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function makeKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    // Node 20's privateDecrypt refuses PKCS#1 v1.5; node-forge does not.
    decrypt: (b64) => forgeKey.decrypt(forge.util.decode64(b64), 'RSAES-PKCS1-V1_5'),
  };
}

export async function startHarness(options: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const sim = createSimulator({ ...TEST_OPTIONS, ...options });
  const { url } = await sim.start();
  const qs = (q?: Record<string, string>) => (q ? `?${new URLSearchParams(q).toString()}` : '');
  const postRaw = async (path: string, body: string, query?: Record<string, string>) => {
    const res = await fetch(`${url}${path}${qs(query)}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const post = async (path: string, body: unknown, query?: Record<string, string>) =>
    (await postRaw(path, JSON.stringify(body), query)).json;
  const control = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${url}${path}`, init);
    return { status: res.status, json: (await res.json()) as Json };
  };
  const suiteToken = async (app: 'archive' | 'display' = 'archive') => {
    const { json } = await control('POST', '/__sim/events', { type: 'suite_ticket', app });
    const o = sim.options;
    const r = await post('/cgi-bin/service/get_suite_token', {
      suite_id: app === 'archive' ? o.suiteId : o.displaySuiteId,
      suite_secret: app === 'archive' ? o.suiteSecret : o.displaySuiteSecret,
      suite_ticket: json['suiteTicket'],
    });
    return r['suite_access_token'] as string;
  };
  const corpToken = async (corpId: string, app: 'archive' | 'display' = 'archive') => {
    const st = await suiteToken(app);
    const { json } = await control('POST', '/__sim/events', { type: 'create_auth', corpId, app });
    const perm = await post(
      '/cgi-bin/service/get_permanent_code',
      { auth_code: json['authCode'] },
      { suite_access_token: st },
    );
    const tok = await post(
      '/cgi-bin/service/get_corp_token',
      { auth_corpid: corpId, permanent_code: perm['permanent_code'] },
      { suite_access_token: st },
    );
    return tok['access_token'] as string;
  };
  const corps = async () => (await control('GET', '/__sim/corps')).json['corps'] as Json[];
  const api = (token: string, path: string, body: unknown) => post(path, body, { access_token: token });
  const ready = new Map<number, Promise<{ corpId: string; token: string; keys: KeyPair; corp: Json }>>();
  const readyCorp = (index = 0) => {
    const cached = ready.get(index) ?? makeReady(index);
    ready.set(index, cached);
    return cached;
  };
  const makeReady = async (index: number) => {
    const corp = (await corps())[index]!;
    const token = await corpToken(corp['corpId']);
    const keys = makeKeyPair();
    const r = await api(token, '/cgi-bin/chatdata/set_public_key', {
      public_key: keys.publicPem,
      public_key_ver: 1,
    });
    if (r['errcode'] !== 0) throw new Error(`set_public_key failed: ${JSON.stringify(r)}`);
    return { corpId: corp['corpId'] as string, token, keys, corp };
  };
  return { sim, url, post, postRaw, control, corps, suiteToken, corpToken, readyCorp, api };
}
