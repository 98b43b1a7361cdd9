import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import type { SimApp, SuiteAuth } from '../domain/SuiteAuth.js';
import type { CallStats } from './CallStats.js';
import type { Delays } from './Delays.js';
import type { FaultInjector } from './FaultInjector.js';
import type { ConcurrencyLimiter, FrequencyLimiter } from './Limits.js';
import type { ApiCall, Route } from './Route.js';
import { readBody } from './readBody.js';
import { clientIp, sendJson } from './sendJson.js';
import { errorEnvelope, WecomError } from './WecomError.js';

export type UpstreamDeps = {
  state: SimState;
  routes: Map<string, Route>;
  stats: CallStats;
  faults: FaultInjector;
  frequency: FrequencyLimiter;
  concurrency: ConcurrencyLimiter;
  delays: Delays;
};

type TokenOwner = { corp: CorpRuntime; app: SimApp };

/** The corp and app a corp access_token was issued to, even when expired (limits are keyed per corp). */
function tokenOwner(state: SimState, token: string | null): TokenOwner | null {
  if (!token) return null;
  for (const corp of state.corps.values()) {
    if (corp.accessTokens.has(token)) return { corp, app: 'archive' };
    if (corp.display.accessTokens.has(token)) return { corp, app: 'display' };
  }
  return null;
}

const APP_NAME = { archive: '会话内容存档接口授权 (archive) app', display: 'display app' } as const;

function authenticateCorp(state: SimState, token: string | null, app: SimApp): CorpRuntime {
  if (token === null || token === '') throw new WecomError(41001, 'access_token missing');
  const owner = tokenOwner(state, token);
  if (!owner) throw new WecomError(40014, `invalid access_token`);
  const grant = owner.corp.grant(owner.app);
  if (state.clock.nowMs() >= grant.accessTokens.get(token)!)
    throw new WecomError(42001, 'access_token expired');
  // The two apps have separate permissions (docs/upstream.md §8.3): the archive APIs need the archive
  // authorization's token, the JS-SDK tickets the display app's.
  if (owner.app !== app) {
    throw new WecomError(
      48001,
      `api unauthorized: this API needs a token of the ${APP_NAME[app]}, got one of the ${APP_NAME[owner.app]}`,
    );
  }
  if (!grant.authorized) {
    throw new WecomError(48004, `api forbidden: authorization of corp ${owner.corp.corpId} is cancelled`);
  }
  return owner.corp;
}

function authenticateSuite(state: SimState, token: string | null): SuiteAuth {
  const suite =
    [state.suite, state.displaySuite].find((s) => token !== null && s.issued(token)) ?? state.suite;
  suite.checkSuiteToken(token);
  return suite;
}

function parseJson(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WecomError(47001, 'data format error, Warning: wrong json format.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WecomError(47001, 'data format error, Warning: wrong json format. body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * One upstream call: count → concurrency slot → injected fault → JSON → token → frequency →
 * handler. Every failure is a WeCom envelope; nothing becomes an HTTP 500.
 */
export async function handleUpstream(
  deps: UpstreamDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { state, stats } = deps;
  const path = url.pathname;
  const ip = clientIp(req.socket.remoteAddress);
  stats.count(path);
  const route = deps.routes.get(path);
  let lost = false;
  /** A lost response: whatever the call did stays done, and the client gets no answer at all. */
  const answer = (status: number, body: unknown) => {
    if (lost) res.socket?.destroy();
    else sendJson(res, status, body);
  };
  const fail = (e: WecomError) => answer(e.httpStatus, errorEnvelope(e.errcode, e.message, ip));
  if (!route) {
    // WeCom has no documented code for an unknown cgi; 404 + 48001 ("api forbidden") keeps it a
    // non-retryable failure that a client cannot mistake for success or for a busy system.
    await readBody(req).catch(() => undefined);
    return fail(new WecomError(48001, `api forbidden: unknown api ${path}`, 404));
  }
  const accessToken = url.searchParams.get(route.auth === 'suite' ? 'suite_access_token' : 'access_token');
  const corpRoute = route.auth === 'corp' || route.auth === 'displayCorp';
  const owner = corpRoute ? tokenOwner(state, accessToken) : null;
  const limitKey = `${owner?.corp.corpId ?? (corpRoute ? 'anonymous' : 'suite')}|${path}`;
  let release: (() => void) | null = null;
  try {
    release = deps.concurrency.acquire(limitKey, state.options.concurrency);
    const raw = await readBody(req);
    const fault = deps.faults.take(path, owner?.corp.corpId ?? null);
    lost = fault?.responseLost === true;
    if (fault?.delayMs) await deps.delays.sleep(fault.delayMs);
    if (fault?.httpStatus) {
      return sendJson(res, fault.httpStatus, { error: `injected HTTP ${fault.httpStatus}` });
    }
    if (fault?.errcode !== undefined) throw new WecomError(fault.errcode, `injected fault ${fault.errcode}`);
    const method = route.method ?? 'POST';
    if (req.method !== method) throw new WecomError(43002, `require ${method} method, got ${req.method}`);
    const contentType = req.headers['content-type'] ?? '';
    const body = route.multipart ? {} : parseJson(raw);
    let corp: CorpRuntime | null = null;
    let suite: SuiteAuth | null = null;
    if (route.auth === 'suite') {
      suite = authenticateSuite(state, accessToken);
      stats.countSuite(suite.app, path);
    }
    if (route.auth === 'corp') corp = authenticateCorp(state, accessToken, 'archive');
    if (route.auth === 'displayCorp') corp = authenticateCorp(state, accessToken, 'display');
    deps.frequency.hit(limitKey, state.options.ratePerMinute, 60_000, path);
    deps.frequency.hit(limitKey, state.options.ratePerHour, 3_600_000, path);
    if (route.needsKey && corp && corp.keys.version === null) {
      throw new WecomError(710659, 'public key not set: call set_public_key before reading the archive');
    }
    const call: ApiCall = {
      state,
      path,
      body,
      query: url.searchParams,
      ip,
      raw,
      contentType,
      corp,
      suite,
      frequency: deps.frequency,
    };
    const result = await route.handle(call);
    answer(200, route.bareSuccess ? result : { errcode: 0, errmsg: 'ok', ...result });
  } catch (e) {
    if (e instanceof WecomError) return fail(e);
    // A simulator bug: report it as WeCom's "system busy" (-1) rather than an HTTP 500.
    console.error(`[simulator] ${path} failed`, e);
    fail(new WecomError(-1, `system busy: ${(e as Error).message}`));
  } finally {
    release?.();
  }
}
