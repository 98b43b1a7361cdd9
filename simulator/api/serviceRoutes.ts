import type { CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import { newSecret } from '../domain/SuiteAuth.js';
import type { Route } from '../http/Route.js';
import { WecomError } from '../http/WecomError.js';
import { optString, reqString } from './params.js';

function authCorpInfo(corp: CorpRuntime) {
  return {
    corpid: corp.corpId,
    corp_name: corp.data.name,
    corp_type: 'verified',
    corp_user_max: 200,
    subject_type: 1,
  };
}

function authUserInfo(corp: CorpRuntime) {
  const admin = corp.data.employees[0]!;
  return { userid: admin.userid, open_userid: admin.openUserId, name: admin.name, avatar: '' };
}

/** The corp named by auth_corpid whose permanent_code matches: 48004 when not authorized, 40084 otherwise. */
function corpByPermanentCode(state: SimState, corpId: string, code: string): CorpRuntime {
  const corp = state.corps.get(corpId);
  if (!corp) throw new WecomError(40084, `invalid permanent_code: unknown auth_corpid ${corpId}`);
  if (!corp.authorized)
    throw new WecomError(48004, `authorization of corp ${corpId} is cancelled or missing`);
  if (corp.permanentCode !== code) throw new WecomError(40084, 'invalid permanent_code');
  return corp;
}

function permanentCodeAnswer(state: SimState, body: Record<string, unknown>) {
  const corpId = state.suite.redeemAuthCode(optString(body, 'auth_code'));
  const corp = state.corps.get(corpId)!;
  return {
    corp,
    answer: {
      permanent_code: corp.permanentCode!,
      auth_corp_info: authCorpInfo(corp),
      auth_user_info: authUserInfo(corp),
      register_code_info: { register_code: '', template_id: '', state: '' },
      state: '',
    },
  };
}

function issueCorpToken(state: SimState, corp: CorpRuntime) {
  const token = newSecret(48);
  corp.accessTokens.set(token, state.clock.nowMs() + state.options.tokenTtlS * 1000);
  return { access_token: token, expires_in: state.options.tokenTtlS };
}

/** §1: suite ticket → suite token → permanent code → corp token, plus get_auth_info. */
export function serviceRoutes(): Route[] {
  return [
    {
      path: '/cgi-bin/service/get_suite_token',
      auth: 'none',
      bareSuccess: true,
      handle: ({ state, body }) => {
        if (optString(body, 'suite_id') !== state.options.suiteId) {
          throw new WecomError(40083, `invalid suite_id ${JSON.stringify(body['suite_id'] ?? null)}`);
        }
        if (optString(body, 'suite_secret') !== state.options.suiteSecret)
          throw new WecomError(40080, 'invalid suite_secret');
        state.suite.checkTicket(optString(body, 'suite_ticket'));
        return state.suite.issueSuiteToken();
      },
    },
    {
      path: '/cgi-bin/service/get_permanent_code',
      auth: 'suite',
      handle: ({ state, body }) => {
        const { corp, answer } = permanentCodeAnswer(state, body);
        const agent = { agentid: 1000001, name: '会话存档接口授权', privilege: { level: 1 } };
        return {
          ...issueCorpToken(state, corp),
          ...answer,
          auth_info: { agent: [agent] },
          dealer_corp_info: { corpid: '', corp_name: '' },
        };
      },
    },
    {
      path: '/cgi-bin/service/v2/get_permanent_code',
      auth: 'suite',
      handle: ({ state, body }) => permanentCodeAnswer(state, body).answer,
    },
    {
      path: '/cgi-bin/service/get_corp_token',
      auth: 'suite',
      bareSuccess: true,
      handle: ({ state, body }) => {
        const corp = corpByPermanentCode(
          state,
          reqString(body, 'auth_corpid', 40084),
          reqString(body, 'permanent_code', 40084),
        );
        return issueCorpToken(state, corp);
      },
    },
    ...['/cgi-bin/service/get_auth_info', '/cgi-bin/service/v2/get_auth_info'].map(
      (path): Route => ({
        path,
        auth: 'suite',
        handle: ({ state, body }) => {
          const corp = corpByPermanentCode(
            state,
            reqString(body, 'auth_corpid', 40084),
            reqString(body, 'permanent_code', 40084),
          );
          return {
            auth_corp_info: authCorpInfo(corp),
            auth_info: { agent: [{ agentid: 1000001, name: '会话存档接口授权' }] },
            auth_user_info: authUserInfo(corp),
          };
        },
      }),
    ),
  ];
}
