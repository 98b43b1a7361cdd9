import type { CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import type { AgreeStatus } from '../domain/types.js';
import { type ControlBody, ControlError, optStr, str } from './ControlError.js';

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

/** POST /__sim/events: pushes one callback now, with the state change it stands for. */
export function fireEvent(state: SimState, body: ControlBody): Record<string, unknown> {
  const type = str(body, 'type');
  const n = state.notifier;
  switch (type) {
    case 'suite_ticket': {
      const ticket = state.suite.issueTicket();
      n.send('suite_ticket', { SuiteTicket: ticket });
      return { suiteTicket: ticket };
    }
    case 'create_auth': {
      const authCode = state.authorize(corpFrom(state, body));
      n.send('create_auth', { AuthCode: authCode });
      return { authCode };
    }
    case 'cancel_auth':
    case 'change_auth': {
      const corp = corpFrom(state, body);
      if (type === 'cancel_auth') state.cancel(corp);
      n.send(type, { AuthCorpId: corp.corpId });
      return { corpId: corp.corpId };
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
      throw new ControlError(
        `type must be one of suite_ticket|create_auth|cancel_auth|change_auth|consent|conversation_new_message|hit_keyword|export_finished, got ${type}`,
      );
  }
}
