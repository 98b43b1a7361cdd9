import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamCallEvent } from '../datasources/wecom/WecomHttp.js';

const TOKEN_PATHS: Record<string, string> = {
  '/cgi-bin/service/get_suite_token': 'suite',
  '/cgi-bin/service/get_corp_token': 'corp',
  // A 代开发 display app's corp token (WECOM_DISPLAY_APP_KIND=customized).
  '/cgi-bin/gettoken': 'corp_gettoken',
};
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Operation names are chosen by clients: past this many distinct ones, new names count as `other`. */
const MAX_OPERATION_NAMES = 200;

/**
 * Every Prometheus series of the gateway, in one registry served on /metrics. Series computed
 * from stores (inbox depth, sync lag, indexed messages) are gauges whose `collect()` reads at
 * scrape time: see watchIngest.ts.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operationNames = new Set<string>();

  readonly graphqlRequests = new Counter({
    name: 'wag_graphql_requests_total',
    help: 'GraphQL operations by operation name, transport and outcome (ok or the first error code).',
    labelNames: ['operation', 'transport', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'wag_graphql_request_duration_seconds',
    help: 'GraphQL request latency (HTTP, until the response is ready; subscriptions until set up).',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'wag_graphql_rejections_total',
    help: 'Operations refused by a protection: limit (depth, aliases, tokens, directives, cost), rate, persisted, csrf, body.',
    labelNames: ['protection'] as const,
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'wag_upstream_calls_total',
    help: 'Upstream attempts by API path and result: ok, the errcode, http_<status>, upstream_timeout, …, circuit_open, blocked_45009.',
    labelNames: ['path', 'result'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'wag_upstream_call_duration_seconds',
    help: 'Upstream attempt latency by API path.',
    labelNames: ['path'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly tokenRefreshes = new Counter({
    name: 'wag_token_refreshes_total',
    help: 'Upstream tokens fetched: suite, corp (get_corp_token) or corp_gettoken (a 代开发 display app).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly callbacksIgnored = new Counter({
    name: 'wag_callback_events_ignored_total',
    help:
      'Well-signed callback events acknowledged without being acted on, by InfoType and reason: ' +
      'unknown_info_type, unusable (fields off the contract), foreign_suite.',
    labelNames: ['info_type', 'reason'] as const,
    registers: [this.registry],
  });
  readonly callbacksFailed = new Counter({
    name: 'wag_callback_events_failed_total',
    help: 'Callback events given up on (failed for good, not retried any more), by InfoType and error code.',
    labelNames: ['info_type', 'code'] as const,
    registers: [this.registry],
  });
  readonly onboarding = new Counter({
    name: 'wag_onboarding_events_total',
    help:
      'Authorization trouble by app and kind: outcome_unknown (a permanent-code exchange lost its answer), ' +
      'authorization_lost (the corp needs reset_permanent_code), cancel_unconfirmed (a cancel_auth the upstream did not confirm), ' +
      'cancel_confirmed_late (one confirmed and applied by its re-check), cancel_recheck_expired (one dropped, still unconfirmed after the window).',
    labelNames: ['app', 'kind'] as const,
    registers: [this.registry],
  });
  readonly readCacheReads = new Counter({
    name: 'wag_read_cache_reads_total',
    help:
      "Reads through this replica's read cache (corp records, first pages, counts), by outcome: hit (served " +
      'from memory), miss (read from PostgreSQL and kept), bypass (read from PostgreSQL while the cache is off: ' +
      'its invalidation feed is down). Hit rate = hit / (hit + miss).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly corpsAuthorized = new Counter({
    name: 'wag_corps_authorized_total',
    help:
      'Corp authorizations completed, by app (archive: corp stored and its public key set; display: corp stored). ' +
      'A redelivered create_auth counts again.',
    labelNames: ['app'] as const,
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'wag_subscriptions_active',
    help: 'Live GraphQL subscriptions (graphql-ws and SSE).',
    registers: [this.registry],
  });
  #wsConnections: () => number = () => 0;
  readonly wsConnections = new Gauge({
    name: 'wag_graphql_ws_connections',
    help: 'Open graphql-ws connections.',
    registers: [this.registry],
    collect: () => {
      this.wsConnections.set(this.#wsConnections());
    },
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** WecomHttp's observer. */
  readonly observeUpstream = (call: UpstreamCallEvent): void => {
    this.upstreamCalls.inc({ path: call.path, result: call.result });
    if (call.ms > 0) this.upstreamDuration.observe({ path: call.path }, call.ms / 1000);
    const kind = TOKEN_PATHS[call.path];
    if (kind && call.result === 'ok') this.tokenRefreshes.inc({ kind });
  };

  /** WeCom chooses InfoTypes, but a label must stay bounded and plain. */
  infoTypeLabel(infoType: string): string {
    return /^[a-z][a-z0-9_]{0,47}$/.test(infoType) ? infoType : 'other';
  }

  countWsConnections(count: () => number): void {
    this.#wsConnections = count;
  }

  /** A bounded label for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'other';
    if (this.#operationNames.has(name)) return name;
    if (this.#operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.#operationNames.add(name);
    return name;
  }
}
