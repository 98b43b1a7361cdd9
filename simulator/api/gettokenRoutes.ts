import type { Route } from '../http/Route.js';
import { WecomError } from '../http/WecomError.js';
import { issueCorpToken } from './serviceRoutes.js';

/**
 * `GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET` (docs/upstream.md §1.3): how a 代开发 app gets
 * a corp token, its permanent code in the corp being the secret. The only app here with a secret
 * of that kind is the display app when it is a 代开发 app (displayAppKind `customized`); in
 * `third_party` mode no secret matches. The token is the display app's: the JS-SDK ticket APIs
 * take it and the archive APIs refuse it (48001), like get_corp_token's.
 */
export function gettokenRoutes(): Route[] {
  return [
    {
      path: '/cgi-bin/gettoken',
      auth: 'none',
      method: 'GET',
      handle: ({ state, query }) => {
        const corpId = query.get('corpid') ?? '';
        const secret = query.get('corpsecret') ?? '';
        if (corpId === '') throw new WecomError(41002, 'corpid missing');
        if (secret === '') throw new WecomError(41004, 'corpsecret missing');
        const corp = state.corps.get(corpId);
        if (!corp) throw new WecomError(40013, `invalid corpid ${JSON.stringify(corpId)}`);
        const grant = corp.display;
        // A cancelled app has no code left (SimState.cancel), and a reset one only its newest.
        const valid =
          state.options.displayAppKind === 'customized' && grant.authorized && grant.permanentCode === secret;
        if (!valid)
          throw new WecomError(40001, 'invalid credential: corpsecret is not a valid secret of this corp');
        return issueCorpToken(state, grant);
      },
    },
  ];
}
