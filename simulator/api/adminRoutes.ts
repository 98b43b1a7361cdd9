import { corpOf, type Route } from '../http/Route.js';
import { WecomError } from '../http/WecomError.js';
import { hasMore } from './hasMore.js';
import { limitParam, optString, reqString } from './params.js';

/** set_public_key, get_auth_user_list and get_corp_auth_info: the admin side of the archive. */
export function adminRoutes(): Route[] {
  return [
    {
      path: '/cgi-bin/chatdata/set_public_key',
      auth: 'corp',
      handle: (call) => {
        const pem = reqString(call.body, 'public_key', 40211);
        const ver = call.body['public_key_ver'];
        if (typeof ver !== 'number' || !Number.isInteger(ver) || ver < 1) {
          throw new WecomError(
            40212,
            `public_key_ver must be a positive integer, got ${JSON.stringify(ver ?? null)}`,
          );
        }
        call.state.setPublicKey(corpOf(call), pem, ver);
        return {};
      },
    },
    {
      path: '/cgi-bin/chatdata/get_auth_user_list',
      auth: 'corp',
      handle: (call) => {
        const corp = corpOf(call);
        const limit = limitParam(call.body, 200, 1000);
        const pos = call.state.cursors.decode(
          'authusers',
          corp.corpId,
          optString(call.body, 'cursor'),
          50100,
        );
        const users = corp.data.employees;
        const page = users.slice(pos, pos + limit);
        const next = pos + page.length;
        const field = call.state.options.userIdField;
        return {
          auth_user_list: page.map((e) => ({
            [field]: field === 'userid' ? e.userid : e.openUserId,
            edition_list: e.editions,
          })),
          has_more: hasMore(call.state.options, call.path, next < users.length),
          next_cursor: next < users.length ? call.state.cursors.encode('authusers', corp.corpId, next) : '',
        };
      },
    },
    {
      path: '/cgi-bin/chatdata/get_corp_auth_info',
      auth: 'corp',
      handle: (call) => {
        const corp = corpOf(call);
        const now = call.state.clock.nowS();
        const editions = [...new Set(corp.data.employees.flatMap((e) => e.editions))].sort();
        return {
          auth_edition_list: editions.map((edition) => {
            const users = corp.data.employees.filter((e) => e.editions.includes(edition));
            return {
              edition,
              auth_scope: {
                userid_list: users.map((e) => e.openUserId),
                department_id_list: [],
                tag_id_list: [],
              },
              status: 1,
              begin_time: now - 30 * 86_400,
              end_time: now + 335 * 86_400,
              msg_duration_days: 180,
              auth_user_count: users.length,
            };
          }),
        };
      },
    },
  ];
}
