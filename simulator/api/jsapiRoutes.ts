import type { CorpRuntime } from '../domain/CorpRuntime.js';
import { newSecret } from '../domain/SuiteAuth.js';
import { type ApiCall, corpOf, type Route } from '../http/Route.js';
import { INVALID_PARAMETER, WecomError } from '../http/WecomError.js';

const HOUR_MS = 3_600_000;

/**
 * A fresh ticket valid `jsapiTicketTtlS`. Earlier ones stay valid until they expire, as WeCom's
 * do; the hourly budget (400 corp / 100 app tickets) is why callers must cache them.
 */
function issue(call: ApiCall, tickets: Map<string, number>, kind: 'jsapi' | 'agent', perHour: number) {
  const { state, path } = call;
  const corp: CorpRuntime = corpOf(call);
  call.frequency.hit(`${corp.corpId}|ticket:${kind}`, perHour, HOUR_MS, `${path} (${perHour}/hour)`);
  const ticket = newSecret(36);
  const ttlS = state.options.jsapiTicketTtlS;
  tickets.set(ticket, state.clock.nowMs() + ttlS * 1000);
  return { ticket, expires_in: ttlS };
}

/**
 * JS-SDK tickets (docs/upstream.md §6.5: `config` and `agentConfig` signatures): the only GET APIs here,
 * and the only ones that take the display app's corp token (docs/upstream.md §8.3).
 */
export function jsapiRoutes(): Route[] {
  return [
    {
      path: '/cgi-bin/get_jsapi_ticket',
      auth: 'displayCorp',
      method: 'GET',
      handle: (call) =>
        issue(call, corpOf(call).jsapiTickets, 'jsapi', call.state.options.jsapiTicketsPerHour),
    },
    {
      path: '/cgi-bin/ticket/get',
      auth: 'displayCorp',
      method: 'GET',
      handle: (call) => {
        const type = call.query.get('type');
        if (type !== 'agent_config') {
          throw new WecomError(
            INVALID_PARAMETER,
            `invalid parameter: type must be agent_config, got ${JSON.stringify(type)}`,
          );
        }
        return issue(call, corpOf(call).agentTickets, 'agent', call.state.options.agentTicketsPerHour);
      },
    },
  ];
}
