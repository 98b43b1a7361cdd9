import type { CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import type { SimApp } from '../domain/SuiteAuth.js';
import type { AgreeStatus } from '../domain/types.js';
import { type ControlBody, ControlError, int, optStr, str } from './ControlError.js';

export function corpFrom(state: SimState, body: ControlBody): CorpRuntime {
  const corpId = str(body, 'corpId');
  const corp = state.corps.get(corpId);
  if (!corp) throw new ControlError(`unknown corpId ${corpId}`, 404);
  return corp;
}

function consent(state: SimState, corp: CorpRuntime, body: ControlBody) {
  const externalUserId = str(body, 'externalUserId');
  const status = (optStr(body, 'status') ?? 'Agree') as AgreeStatus;
  if (status !== 'Agree' && status !== 'Disagree')
    throw new ControlError(`status must be Agree or Disagree, got ${status}`);
  const now = state.clock.nowS();
  const chatId = optStr(body, 'chatId');
  if (chatId) {
    const entry = corp.data.roomConsents.find(
      (c) => c.chatId === chatId && c.externalUserId === externalUserId,
    );
    if (!entry) throw new ControlError(`${externalUserId} is not an external member of ${chatId}`, 404);
    Object.assign(entry, { status, changeTime: now });
    if (status === 'Agree') {
      state.notifier.send('chat_archive_audit_approved_room', {
        AuthCorpId: corp.corpId,
        ExternalUserID: externalUserId,
        ChatId: chatId,
      });
    }
    return { chatId, externalUserId, status };
  }
  const openUserId = str(body, 'openUserId');
  const entry = corp.data.consents.find(
    (c) => c.openUserId === openUserId && c.externalUserId === externalUserId,
  );
  if (!entry) throw new ControlError(`${externalUserId} is not a customer of ${openUserId}`, 404);
  Object.assign(entry, { status, changeTime: now, pending: false });
  if (status === 'Agree') {
    state.notifier.send('chat_archive_audit_approved_single', {
      AuthCorpId: corp.corpId,
      OpenUserID: openUserId,
      ExternalUserID: externalUserId,
    });
  }
  return { openUserId, externalUserId, status };
}

function appFrom(body: ControlBody): SimApp {
  const app = optStr(body, 'app') ?? 'archive';
  if (app !== 'archive' && app !== 'display')
    throw new ControlError(`app must be archive or display, got ${app}`);
  return app;
}

/** suite_ticket: a new one, or (`ticket`) one pushed before, again, with its own older TimeStamp. */
function suiteTicket(state: SimState, body: ControlBody) {
  const app = appFrom(body);
  const suite = state.suiteOf(app);
  const again = optStr(body, 'ticket');
  const ticket = again ?? suite.issueTicket();
  const timeStamp = suite.ticketTimeStamp(ticket);
  if (timeStamp === null) throw new ControlError(`ticket was not pushed by the ${app} suite`);
  state.notifier.send('suite_ticket', { SuiteTicket: ticket, TimeStamp: timeStamp }, app);
  return { suiteTicket: ticket, timeStamp };
}

const TYPES = [
  'suite_ticket',
  'create_auth',
  'cancel_auth',
  'change_auth',
  'reset_permanent_code',
  'advanced_api_expired',
  'trial_expired',
  'consent',
  'conversation_new_message',
  'hit_keyword',
  'export_finished',
  'custom',
];

/** POST /__sim/events: pushes one callback now, with the state change it stands for. */
export function fireEvent(state: SimState, body: ControlBody): Record<string, unknown> {
  const type = str(body, 'type');
  const n = state.notifier;
  switch (type) {
    case 'suite_ticket':
      return suiteTicket(state, body);
    case 'create_auth': {
      const app = appFrom(body);
      const authCode = state.authorize(corpFrom(state, body), app);
      n.send('create_auth', { AuthCode: authCode }, app);
      return { authCode };
    }
    case 'reset_permanent_code': {
      // A new permanent code for the corp; the old one stops working (docs/upstream.md §8.2).
      const app = appFrom(body);
      const corp = corpFrom(state, body);
      if (!corp.grant(app).authorized)
        throw new ControlError(`${corp.corpId} has not authorized the ${app} app`);
      const authCode = state.authorize(corp, app);
      n.send('reset_permanent_code', { AuthCorpId: corp.corpId, AuthCode: authCode }, app);
      return { authCode };
    }
    case 'cancel_auth':
    case 'change_auth': {
      const app = appFrom(body);
      const corp = corpFrom(state, body);
      // notify: false changes the state without the callback, as when WeCom's delivery of it
      // was lost or came before the cancel took effect upstream.
      const notify = body['notify'] ?? true;
      if (typeof notify !== 'boolean')
        throw new ControlError(`notify must be a boolean, got ${JSON.stringify(notify)}`);
      if (type === 'cancel_auth') state.cancel(corp, app);
      if (notify) n.send(type, { AuthCorpId: corp.corpId }, app);
      return { corpId: corp.corpId, notified: notify };
    }
    case 'advanced_api_expired':
    case 'trial_expired': {
      // Nested XML, as the SKIT sample of these events (docs/upstream.md §8.2).
      const corp = corpFrom(state, body);
      const edition = body['edition'] === undefined ? 1 : int(body, 'edition', 0, 99);
      n.send(type, {
        ServiceCorpId: state.options.providerCorpId,
        AuthCorpId: corp.corpId,
        ChatArchiveApi: { Edition: edition },
      });
      return { corpId: corp.corpId, edition };
    }
    case 'custom': {
      // Any InfoType with text fields: how a receiver copes with events it does not know.
      const infoType = str(body, 'infoType');
      const fields = (body['fields'] ?? {}) as Record<string, unknown>;
      if (
        typeof fields !== 'object' ||
        Array.isArray(fields) ||
        Object.values(fields).some((v) => typeof v !== 'string')
      )
        throw new ControlError('fields must be an object of strings');
      n.send(infoType, fields as Record<string, string>, appFrom(body));
      return { infoType };
    }
    case 'consent':
      return consent(state, corpFrom(state, body), body);
    case 'conversation_new_message':
    case 'hit_keyword': {
      const corp = corpFrom(state, body);
      const tokens = type === 'hit_keyword' ? corp.hitTokens : corp.syncTokens;
      const token = n.issueToken(tokens);
      n.send(type, { AuthCorpId: corp.corpId, Token: token });
      return { token };
    }
    case 'export_finished': {
      const corp = corpFrom(state, body);
      const jobId = str(body, 'jobId');
      n.send('chat_archive_export_finished', { AuthCorpId: corp.corpId, JobId: jobId });
      return { jobId };
    }
    default:
      throw new ControlError(`type must be one of ${TYPES.join('|')}, got ${type}`);
  }
}
