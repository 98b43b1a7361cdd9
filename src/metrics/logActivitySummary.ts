import type { Counter } from 'prom-client';
import type { CorpRegistry } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';

export type ActivitySources = {
  logger: Logger;
  corps: Pick<CorpRegistry, 'list'>;
  /** The message index's per-corp sequence: its growth is what was indexed. */
  lastSeq: (corpId: string) => Promise<number>;
  graphqlRequests: Counter<string>;
  upstreamCalls: Counter<string>;
  /** Authorizations completed, by `app`: the display app's are logged only here. */
  corpsAuthorized: Counter<string>;
};

/**
 * The info-level heartbeat that replaces per-sync and per-callback lines: every `intervalS`, one
 * line with what happened since the last one (messages indexed per corp, GraphQL operations,
 * upstream calls and how many failed, authorizations completed per app). A period with nothing
 * new logs nothing. Returns `stop`.
 */
export function logActivitySummary(sources: ActivitySources, intervalS: number): () => void {
  if (intervalS <= 0) return () => {};
  let last: Snapshot | null = null;
  const tick = async (): Promise<void> => {
    const now = await snapshot(sources);
    if (last) {
      const indexed: Record<string, number> = {};
      for (const [corpId, seq] of now.seqs) {
        const added = seq - (last.seqs.get(corpId) ?? seq);
        if (added > 0) indexed[corpId] = added;
      }
      const operations = now.operations - last.operations;
      const upstreamCalls = now.upstreamCalls - last.upstreamCalls;
      const upstreamErrors = now.upstreamErrors - last.upstreamErrors;
      const messagesIndexed = Object.values(indexed).reduce((a, b) => a + b, 0);
      const authorized: Record<string, number> = {};
      for (const [app, n] of now.authorized) {
        const added = n - (last.authorized.get(app) ?? 0);
        if (added > 0) authorized[app] = added;
      }
      const authorizations = Object.values(authorized).reduce((a, b) => a + b, 0);
      if (messagesIndexed + operations + upstreamCalls + authorizations > 0) {
        sources.logger.info(
          {
            periodS: intervalS,
            messagesIndexed,
            indexed,
            operations,
            upstreamCalls,
            upstreamErrors,
            ...(authorizations > 0 ? { authorized } : {}),
          },
          'activity',
        );
      }
    }
    last = now;
  };
  const failed = (error: unknown) => sources.logger.warn({ err: error }, 'activity summary failed');
  tick().catch(failed);
  const timer = setInterval(() => tick().catch(failed), intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

type Snapshot = {
  seqs: Map<string, number>;
  operations: number;
  upstreamCalls: number;
  upstreamErrors: number;
  /** Authorizations completed so far, by app. */
  authorized: Map<string, number>;
};

async function snapshot(s: ActivitySources): Promise<Snapshot> {
  const corps = await s.corps.list();
  const seqs = new Map(
    await Promise.all(corps.map(async (c) => [c.corpId, await s.lastSeq(c.corpId)] as const)),
  );
  const sum = async (counter: Counter<string>, keep: (labels: Record<string, unknown>) => boolean) =>
    (await counter.get()).values.filter((v) => keep(v.labels)).reduce((n, v) => n + v.value, 0);
  return {
    seqs,
    operations: await sum(s.graphqlRequests, () => true),
    upstreamCalls: await sum(s.upstreamCalls, () => true),
    upstreamErrors: await sum(s.upstreamCalls, (l) => l['result'] !== 'ok'),
    authorized: new Map(
      (await s.corpsAuthorized.get()).values.map((v) => [String(v.labels['app']), v.value]),
    ),
  };
}
