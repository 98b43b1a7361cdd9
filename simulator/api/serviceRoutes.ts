import type { AppGrant, CorpRuntime } from '../domain/CorpRuntime.js';
import type { SimState } from '../domain/SimState.js';
import { newSecret, type SimApp, type SuiteAuth } from '../domain/SuiteAuth.js';
import type { ApiCall, Route } from '../http/Route.js';
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

/**
 * The corp named by auth_corpid whose permanent_code of this app matches: 48004 when the app is
 * not authorized (or cancelled), 40084 otherwise.
 */
function corpByPermanentCode(state: SimState, app: SimApp, corpId: string, code: string): CorpRuntime {
  const corp = state.corps.get(corpId);
  if (!corp) throw new WecomError(40084, `invalid permanent_code: unknown auth_corpid ${corpId}`);
  const grant = corp.grant(app);
  if (!grant.authorized)
    throw new WecomError(48004, `authorization of corp ${corpId} is cancelled or missing`);
  if (grant.permanentCode !== code) throw new WecomError(40084, 'invalid permanent_code');
  return corp;
}

/** Each app is an agent of its own in the corp; the display app's is what agentConfig needs. */
const AGENTS = {
  archive: { agentid: 1000001, name: '会话内容存档接口授权' },
  display: { agentid: 1000002, name: '会话展示' },
} as const;

function suiteOf(call: ApiCall): SuiteAuth {
  if (!call.suite) throw new Error(`route ${call.path} needs suite auth`);
  return call.suite;
}

function permanentCodeAnswer(call: ApiCall) {
  const { state, body } = call;
  const suite = suiteOf(call);
  const corpId = suite.redeemAuthCode(optString(body, 'auth_code'));
  const corp = state.corps.get(corpId)!;
  return {
    corp,
    answer: {
      permanent_code: corp.grant(suite.app).permanentCode!,
      auth_corp_info: authCorpInfo(corp),
      auth_user_info: authUserInfo(corp),
      register_code_info: { register_code: '', template_id: '', state: '' },
      state: '',
    },
  };
}

/** A corp access token of one app, valid tokenTtlS; tokenOwner (handleUpstream) finds its app by the grant. */
export function issueCorpToken(state: SimState, grant: AppGrant) {
  const token = newSecret(48);
  grant.accessTokens.set(token, state.clock.nowMs() + state.options.tokenTtlS * 1000);
  return { access_token: token, expires_in: state.options.tokenTtlS };
}

/** docs/upstream.md §1: suite ticket → suite token → permanent code → corp token, plus get_auth_info; per app. */
export function serviceRoutes(): Route[] {
  return [
    {
      path: '/cgi-bin/service/get_suite_token',
      auth: 'none',
      bareSuccess: true,
      handle: ({ state, body }) => {
        const suite = [state.suite, state.displaySuite].find(
          (s) => s.suiteId === optString(body, 'suite_id'),
        );
        if (!suite)
          throw new WecomError(40083, `invalid suite_id ${JSON.stringify(body['suite_id'] ?? null)}`);
        if (optString(body, 'suite_secret') !== suite.suiteSecret)
          throw new WecomError(40080, 'invalid suite_secret');
        suite.checkTicket(optString(body, 'suite_ticket'));
        return suite.issueSuiteToken();
      },
    },
    {
      path: '/cgi-bin/service/get_permanent_code',
      auth: 'suite',
      handle: (call) => {
        const { corp, answer } = permanentCodeAnswer(call);
        const app = suiteOf(call).app;
        return {
          ...issueCorpToken(call.state, corp.grant(app)),
          ...answer,
          auth_info: { agent: [{ ...AGENTS[app], privilege: { level: 1 } }] },
          dealer_corp_info: { corpid: '', corp_name: '' },
        };
      },
    },
    {
      path: '/cgi-bin/service/v2/get_permanent_code',
      auth: 'suite',
      handle: (call) => permanentCodeAnswer(call).answer,
    },
    {
      path: '/cgi-bin/service/get_corp_token',
      auth: 'suite',
      bareSuccess: true,
      handle: (call) => {
        const app = suiteOf(call).app;
        if (app === 'display' && call.state.options.displayAppKind === 'customized') {
          // [I] A 代开发 app's corp token comes from gettoken (docs/upstream.md §1.3); which errcode
          // WeCom gives its suite here is unpublished: 48001, "api unauthorized" for this app.
          throw new WecomError(
            48001,
            'api unauthorized: the display app is a 代开发 app; get its corp token from /cgi-bin/gettoken with the permanent code as corpsecret',
          );
        }
        const corp = corpByPermanentCode(
          call.state,
          app,
          reqString(call.body, 'auth_corpid', 40084),
          reqString(call.body, 'permanent_code', 40084),
        );
        return issueCorpToken(call.state, corp.grant(app));
      },
    },
    ...['/cgi-bin/service/get_auth_info', '/cgi-bin/service/v2/get_auth_info'].map(
      (path): Route => ({
        path,
        auth: 'suite',
        handle: (call) => {
          const app = suiteOf(call).app;
          const corp = corpByPermanentCode(
            call.state,
            app,
            reqString(call.body, 'auth_corpid', 40084),
            reqString(call.body, 'permanent_code', 40084),
          );
          return {
            auth_corp_info: authCorpInfo(corp),
            auth_info: { agent: [AGENTS[app]] },
            auth_user_info: authUserInfo(corp),
          };
        },
      }),
    ),
  ];
}
