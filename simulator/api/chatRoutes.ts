import { createHash } from 'node:crypto';
import type { ArchivedMessage } from '../domain/types.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { hasMore } from './hasMore.js';
import {
  type Body,
  charLength,
  limitParam,
  optArray,
  optInt,
  optObject,
  optString,
  reqString,
} from './params.js';

const DAY_S = 86_400;

/** Cursors are bound to the query: a cursor from another search is rejected (50100). */
const queryKind = (prefix: string, ...parts: unknown[]) =>
  `${prefix}-${createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 10)}`;

function groupchatGet(call: ApiCall) {
  const corp = corpOf(call);
  const chatId = reqString(call.body, 'chatid', 710624);
  const group = corp.data.groups.find((g) => g.chatId === chatId);
  if (!group) throw new WecomError(710624, `invalid chatid ${chatId}`);
  if (group.kind !== 'internal') throw new WecomError(301059, `not an internal group: ${chatId}`);
  return {
    creator: group.creator,
    room_create_time: group.createTime,
    members: group.members.map((m) => ({ memberid: m.memberid, jointime: m.jointime, type: m.type })),
  };
}

function queryWord(body: Body): string {
  const q = reqString(body, 'query_word');
  if (charLength(q) < 2)
    throw new WecomError(INVALID_PARAMETER, `query_word must be >= 2 characters, got ${JSON.stringify(q)}`);
  return q;
}

function page<T>(call: ApiCall, kind: string, items: T[], limit: number) {
  const corp = corpOf(call);
  const pos = call.state.cursors.decode(kind, corp.corpId, optString(call.body, 'cursor'), 50100);
  const slice = items.slice(pos, pos + limit);
  const next = pos + slice.length;
  return {
    slice,
    paging: {
      has_more: hasMore(call.state.options, call.path, next < items.length),
      next_cursor: next < items.length ? call.state.cursors.encode(kind, corp.corpId, next) : '',
    },
  };
}

/** Named groups whose current name contains the word (case-insensitive). */
function searchChat(call: ApiCall) {
  const corp = corpOf(call);
  const q = queryWord(call.body).toLowerCase();
  const limit = limitParam(call.body, 50, 100);
  const found = corp.data.groups.filter((g) => g.name !== '' && g.name.toLowerCase().includes(q));
  const { slice, paging } = page(call, queryKind('chat', q), found, limit);
  return { ...paging, chat_list: slice.map((g) => ({ chatid: g.chatId })) };
}

type ChatFilter = (m: ArchivedMessage) => boolean;

function chatFilter(call: ApiCall): ChatFilter {
  const info = optObject(call.body, 'chat_info');
  if (!info) return () => true;
  const type = optInt(info, 'chat_type');
  if (type === undefined) return () => true;
  if (type === 2) {
    const chatId = optString(info, 'chat_id');
    if (!chatId) throw new WecomError(INVALID_PARAMETER, 'chat_info.chat_id is required when chat_type is 2');
    if (!corpOf(call).data.groups.some((g) => g.chatId === chatId))
      throw new WecomError(710606, `chat ${chatId} not in authorized scope`);
    return (m) => m.chatId === chatId;
  }
  if (type !== 1)
    throw new WecomError(710615, `chat_info.chat_type must be 1 (single) or 2 (group), got ${type}`);
  const ids = (optArray(info, 'id_list') ?? []).map((x) => {
    const o = (x ?? {}) as Body;
    const id = optString(o, 'open_userid') || optString(o, 'external_userid');
    if (!id)
      throw new WecomError(
        INVALID_PARAMETER,
        'chat_info.id_list entries need open_userid or external_userid',
      );
    return id;
  });
  if (ids.length !== 2)
    throw new WecomError(
      INVALID_PARAMETER,
      `chat_info.id_list must hold exactly 2 entries for chat_type 1, got ${ids.length}`,
    );
  const [a, b] = ids as [string, string];
  return (m) => {
    if (m.chatId) return false;
    const r = m.receivers[0]?.id;
    return (m.sender.id === a && r === b) || (m.sender.id === b && r === a);
  };
}

/** Newest first; only msgids; default window the last 30 days, at most 30 days wide. */
function searchMsg(call: ApiCall) {
  const { state, body } = call;
  const corp = corpOf(call);
  const q = queryWord(body).toLowerCase();
  const limit = limitParam(body, 50, 100);
  const filter = chatFilter(call);
  const start = optInt(body, 'start_time');
  const end = optInt(body, 'end_time');
  let from = state.clock.nowS() - 30 * DAY_S;
  let to = state.clock.nowS();
  if (end !== undefined) {
    if (start === undefined)
      throw new WecomError(INVALID_PARAMETER, 'start_time is required when end_time is set');
    if (start >= end)
      throw new WecomError(INVALID_PARAMETER, `start_time must be < end_time, got ${start} >= ${end}`);
    if (end - start > 30 * DAY_S)
      throw new WecomError(
        INVALID_PARAMETER,
        `time window must be <= 30 days, got ${((end - start) / DAY_S).toFixed(1)} days`,
      );
    [from, to] = [start, end];
  } else if (start !== undefined) {
    from = start;
  }
  const found = corp.messages
    .filter(
      (m) => m.sendTime >= from && m.sendTime <= to && m.searchText.toLowerCase().includes(q) && filter(m),
    )
    .reverse();
  const { slice, paging } = page(
    call,
    queryKind('msg', q, start ?? null, end ?? null, body['chat_info'] ?? null),
    found,
    limit,
  );
  return { ...paging, msg_list: slice.map((m) => ({ msgid: m.msgid })) };
}

export function chatRoutes(): Route[] {
  return [
    { path: '/cgi-bin/chatdata/groupchat/get', auth: 'corp', handle: groupchatGet },
    { path: '/cgi-bin/chatdata/search_chat', auth: 'corp', handle: searchChat },
    { path: '/cgi-bin/chatdata/search_msg', auth: 'corp', needsKey: true, handle: searchMsg },
  ];
}
