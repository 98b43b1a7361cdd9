import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';
import { type Body, optArray, optString, reqString } from './params.js';

const MAX_ITEMS = 100;

function single(call: ApiCall) {
  const corp = corpOf(call);
  const field = call.state.options.userIdField;
  const items = optArray(call.body, 'item') ?? [];
  if (items.length === 0)
    throw new WecomError(INVALID_PARAMETER, 'item must hold at least one {open_userid, external_userid}');
  if (items.length > MAX_ITEMS)
    throw new WecomError(
      301060,
      `agree-status request too large: item must hold <= ${MAX_ITEMS} entries, got ${items.length}`,
    );
  // Under SIM_USERID_FIELD=userid the employee is named by userid; consent is kept by open_userid.
  const employees = new Map(
    corp.data.employees.map((e) => [field === 'userid' ? e.userid : e.openUserId, e.openUserId]),
  );
  const customers = new Set(corp.data.customers.map((c) => c.externalUserId));
  const agreeinfo = items.map((raw) => {
    const item = (raw ?? {}) as Body;
    const user = optString(item, field) ?? '';
    const external = optString(item, 'external_userid') ?? '';
    if (!employees.has(user)) throw new WecomError(301061, `${field} ${JSON.stringify(user)} does not exist`);
    if (!customers.has(external))
      throw new WecomError(301061, `external_userid ${JSON.stringify(external)} does not exist`);
    const openUserId = employees.get(user);
    const consent = corp.data.consents.find(
      (c) => c.openUserId === openUserId && c.externalUserId === external,
    );
    // A pair without a relationship, or a customer who has not answered yet, is not an agreement.
    const status = consent && !consent.pending ? consent.status : 'Disagree';
    return {
      [field]: user,
      external_userid: external,
      agree_status: status,
      status_change_time: consent?.changeTime ?? 0,
    };
  });
  return { agreeinfo };
}

function room(call: ApiCall) {
  const corp = corpOf(call);
  const chatId = reqString(call.body, 'chatid', 710624);
  const group = corp.data.groups.find((g) => g.chatId === chatId);
  if (!group) throw new WecomError(710624, `invalid chatid ${chatId}`);
  const agreeinfo = corp.data.roomConsents
    .filter((c) => c.chatId === chatId)
    .map((c) => ({
      external_userid: c.externalUserId,
      agree_status: c.status,
      status_change_time: c.changeTime,
    }));
  return { agreeinfo };
}

export function agreeRoutes(): Route[] {
  return [
    { path: '/cgi-bin/chatdata/getagreestatus/single', auth: 'corp', handle: single },
    { path: '/cgi-bin/chatdata/getagreestatus/room', auth: 'corp', handle: room },
  ];
}
