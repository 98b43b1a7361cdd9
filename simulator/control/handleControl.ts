import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackDelivery, UrlVerification } from '../callbacks/CallbackEmitter.js';
import type { SimState } from '../domain/SimState.js';
import type { CallStats } from '../http/CallStats.js';
import type { Fault, FaultInjector } from '../http/FaultInjector.js';
import type { FrequencyLimiter } from '../http/Limits.js';
import { readBody } from '../http/readBody.js';
import { clientIp, sendJson } from '../http/sendJson.js';
import { errorEnvelope } from '../http/WecomError.js';
import { type ControlBody, ControlError, int, optStr, str } from './ControlError.js';
import { corpView } from './corpView.js';
import { corpFrom, fireEvent } from './fireEvent.js';

export type ControlDeps = {
  state: SimState;
  stats: CallStats;
  faults: FaultInjector;
  frequency: FrequencyLimiter;
  deliveries: () => readonly CallbackDelivery[];
  /** `seq` of the first event sent (see CallbackEmitter), to compare with the URL checks'. */
  firstEventSeq: () => number | null;
  verifications: () => readonly UrlVerification[];
  verifyCallbackUrl: () => Promise<UrlVerification[]>;
};

const EXPORT_CODE_TTL_MS = 5 * 60_000;

function parse(raw: Buffer): ControlBody {
  if (raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as ControlBody;
  } catch {
    // fall through
  }
  throw new ControlError('body must be a JSON object');
}

function parseFault(b: ControlBody): Fault {
  const fault: Fault = { path: str(b, 'path') };
  if (b['corpId'] !== undefined) fault.corpId = str(b, 'corpId');
  if (b['errcode'] !== undefined) fault.errcode = int(b, 'errcode', -1, 999_999_999);
  if (b['httpStatus'] !== undefined) fault.httpStatus = int(b, 'httpStatus', 100, 599);
  if (b['delayMs'] !== undefined) fault.delayMs = int(b, 'delayMs', 0, 120_000);
  if (b['responseLost'] !== undefined) {
    if (typeof b['responseLost'] !== 'boolean')
      throw new ControlError(`responseLost must be a boolean, got ${JSON.stringify(b['responseLost'])}`);
    fault.responseLost = b['responseLost'];
  }
  if (b['times'] !== undefined) fault.times = int(b, 'times', 1, 1_000_000);
  if (b['rate'] !== undefined) {
    const r = b['rate'];
    if (typeof r !== 'number' || r < 0 || r > 1)
      throw new ControlError(`rate must be a number 0..1, got ${JSON.stringify(r)}`);
    fault.rate = r;
  }
  if (
    fault.errcode === undefined &&
    fault.httpStatus === undefined &&
    fault.delayMs === undefined &&
    !fault.responseLost
  ) {
    throw new ControlError('a fault needs errcode, httpStatus, delayMs or responseLost');
  }
  return fault;
}

/** Display-component stand-in: content only for the right per-message (or summary) secret key. */
function render(state: SimState, url: URL, ip: string): [number, unknown] {
  const secret = url.searchParams.get('secret_key') ?? '';
  const resultId = url.searchParams.get('result_id');
  if (resultId) {
    for (const corp of state.corps.values()) {
      const s = corp.summaries.get(resultId);
      if (!s) continue;
      if (s.secretKey !== secret) return [403, errorEnvelope(710605, 'decrypt fail: wrong secret_key', ip)];
      return [200, { result_id: resultId, content: { summary: s.text } }];
    }
    return [404, errorEnvelope(710601, `unknown result_id ${resultId}`, ip)];
  }
  const msgid = url.searchParams.get('msgid') ?? '';
  for (const corp of state.corps.values()) {
    const m = corp.byId.get(msgid);
    if (!m) continue;
    if (m.secretKey !== secret)
      return [403, errorEnvelope(710605, 'decrypt msg fail: check msgid and secret_key', ip)];
    return [200, { msgid, msgtype: m.msgtype, content: m.content }];
  }
  return [404, errorEnvelope(710601, `invalid msgid ${JSON.stringify(msgid)}`, ip)];
}

function stats(deps: ControlDeps) {
  const deliveries = deps.deliveries();
  const byInfoType: Record<string, { ok: number; failed: number }> = {};
  for (const d of deliveries) {
    const e = byInfoType[d.infoType] ?? { ok: 0, failed: 0 };
    byInfoType[d.infoType] = e;
    if (d.ok) e.ok += 1;
    else e.failed += 1;
  }
  const verifications = deps.verifications();
  return {
    calls: deps.stats.snapshot(),
    /** The calls made with each app's suite_access_token (e.g. get_corp_token per app). */
    suiteCalls: deps.stats.suiteSnapshot(),
    callbacks: {
      total: deliveries.length,
      byInfoType,
      recent: deliveries.slice(-50),
      firstSeq: deps.firstEventSeq(),
    },
    urlVerification: {
      ok: verifications.filter((v) => v.ok).length,
      failed: verifications.filter((v) => !v.ok).length,
      last: verifications.at(-1) ?? null,
    },
    nowMs: deps.state.clock.nowMs(),
  };
}

async function route(deps: ControlDeps, req: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const { state } = deps;
  const key = `${req.method} ${url.pathname}`;
  const body = req.method === 'POST' ? parse(await readBody(req)) : {};
  switch (key) {
    case 'GET /__sim/stats':
      return [200, stats(deps)];
    case 'POST /__sim/stats/reset':
      deps.stats.reset();
      return [200, { ok: true }];
    case 'GET /__sim/corps':
      return [200, { corps: state.corpList().map(corpView) }];
    case 'GET /__sim/render':
      return render(state, url, clientIp(req.socket.remoteAddress));
    case 'POST /__sim/messages': {
      const corp = corpFrom(state, body);
      const count = int(body, 'count', 1, 1000, 1);
      const chatId = optStr(body, 'chatId') ?? null;
      if (chatId && !corp.data.groups.some((g) => g.chatId === chatId))
        throw new ControlError(`chatId ${chatId} is not a group of ${corp.corpId}`, 404);
      const msgtype = body['msgtype'] === undefined ? undefined : int(body, 'msgtype', 0, 28);
      const malformed = int(body, 'malformed', 0, count, 0);
      const created = state.createMessages(corp, count, chatId, msgtype, malformed);
      const tokens = state.notifier.flush(corp);
      return [
        200,
        {
          msgids: created.map((m) => m.msgid),
          malformed: created.filter((m) => m.malformed).map((m) => ({ msgid: m.msgid, kind: m.malformed })),
          dropped: count - created.length,
          ...tokens,
        },
      ];
    }
    case 'POST /__sim/events':
      return [200, fireEvent(state, body)];
    case 'POST /__sim/verify-url':
      return [200, { results: await deps.verifyCallbackUrl() }];
    case 'GET /__sim/faults':
      return [200, { faults: deps.faults.list() }];
    case 'POST /__sim/faults':
      deps.faults.add(parseFault(body));
      return [200, { faults: deps.faults.list() }];
    case 'DELETE /__sim/faults':
      deps.faults.clear();
      return [200, { faults: [] }];
    case 'POST /__sim/limits/reset':
      deps.frequency.reset();
      return [200, { ok: true }];
    case 'POST /__sim/export-code': {
      const corp = corpFrom(state, body);
      const code = randomBytes(24).toString('base64url');
      corp.exportCodes.set(code, { expiresAtMs: state.clock.nowMs() + EXPORT_CODE_TTL_MS, used: false });
      return [200, { code }];
    }
    case 'POST /__sim/clock': {
      const seconds = body['advanceSeconds'];
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        throw new ControlError(
          `advanceSeconds must be a number >= 0, got ${JSON.stringify(seconds ?? null)}`,
        );
      }
      state.clock.advance(seconds);
      return [200, { nowMs: state.clock.nowMs() }];
    }
    default:
      throw new ControlError(`unknown control endpoint ${key}`, 404);
  }
}

export async function handleControl(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  // The render stand-in is read by browser pages on another origin (the gateway's /console).
  if (url.pathname === '/__sim/render') res.setHeader('access-control-allow-origin', '*');
  try {
    const [status, body] = await route(deps, req, url);
    sendJson(res, status, body);
  } catch (e) {
    const status = e instanceof ControlError ? e.status : 400;
    sendJson(res, status, { error: (e as Error).message });
  }
}
