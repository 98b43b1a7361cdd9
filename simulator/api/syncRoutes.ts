import type { CorpRuntime } from '../domain/CorpRuntime.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { hasMore } from './hasMore.js';
import { messageWire } from './messageWire.js';
import { checkResponseSize, limitParam, optInt, optString } from './params.js';

/**
 * A callback token must be one this corp received and < 10 min old. A bad token is an error
 * (40058) rather than a silent fall-back to the strict limit [I]. Without a token the call pays
 * the strict per-minute budget (45009).
 */
function checkToken(call: ApiCall, corp: CorpRuntime, tokens: Map<string, number>): void {
  const token = optString(call.body, 'token');
  if (token === undefined || token === '') {
    call.frequency.hit(
      `${corp.corpId}|${call.path}|tokenless`,
      call.state.options.tokenlessSyncPerMinute,
      60_000,
      `${call.path} without token`,
    );
    return;
  }
  if (Buffer.byteLength(token) > 128)
    throw new WecomError(INVALID_PARAMETER, `invalid token: must be <= 128 bytes`);
  const expires = tokens.get(token);
  if (expires === undefined)
    throw new WecomError(INVALID_PARAMETER, 'invalid token: not issued to this corp');
  if (call.state.clock.nowMs() >= expires)
    throw new WecomError(INVALID_PARAMETER, 'invalid token: expired (valid 10 min)');
}

function syncMsg(call: ApiCall) {
  const { state, body } = call;
  const corp = corpOf(call);
  const pos = state.cursors.decode('sync', corp.corpId, optString(body, 'cursor'), 710611, 128);
  checkToken(call, corp, corp.syncTokens);
  const limit = limitParam(body, 200, 1000);
  // Only the last 5 days: a cursor pointing at expired messages resumes at the window's start.
  const start = Math.max(pos, corp.firstInWindow(state.clock.nowS()));
  const page = corp.messages.slice(start, start + limit);
  const next = start + page.length;
  const msgList = page.map((m) => messageWire(m));
  checkResponseSize(msgList, state.options.syncMaxResponseBytes, limit);
  return {
    has_more: hasMore(state.options, call.path, next < corp.messages.length),
    next_cursor: state.cursors.encode('sync', corp.corpId, next),
    msg_list: msgList,
  };
}

function hitMsgList(call: ApiCall) {
  const { state, body } = call;
  const corp = corpOf(call);
  const pos = state.cursors.decode('hit', corp.corpId, optString(body, 'cursor'), 710611, 64);
  checkToken(call, corp, corp.hitTokens);
  const limit = limitParam(body, 200, 1000);
  const needDetail = optInt(body, 'need_detail') === 1;
  const floor = state.clock.nowS() - 5 * 86_400;
  let start = pos;
  while (start < corp.hits.length && corp.byId.get(corp.hits[start]!.msgid)!.sendTime < floor) start += 1;
  const page = corp.hits.slice(start, start + limit);
  const next = start + page.length;
  const msgList = page.map((h) => ({
    msgid: h.msgid,
    ...(needDetail ? { msg_detail: messageWire(corp.byId.get(h.msgid)!, false) } : {}),
    hit_rule_list: h.hits,
  }));
  checkResponseSize(msgList, state.options.syncMaxResponseBytes, limit);
  return {
    has_more: hasMore(state.options, call.path, next < corp.hits.length),
    next_cursor: state.cursors.encode('hit', corp.corpId, next),
    msg_list: msgList,
  };
}

export function syncRoutes(): Route[] {
  return [
    { path: '/cgi-bin/chatdata/sync_msg', auth: 'corp', needsKey: true, handle: syncMsg },
    { path: '/cgi-bin/chatdata/keyword/get_hit_msg_list', auth: 'corp', needsKey: true, handle: hitMsgList },
  ];
}
