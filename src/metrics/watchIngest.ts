import { Gauge } from 'prom-client';
import type { CorpRegistry } from '../datasources/store/ports.js';
import type { Ingest } from '../ingest/createIngest.js';
import type { GatewayMetrics } from './GatewayMetrics.js';

/**
 * Gauges read from the ingestion stores at scrape time, so the ingest code needs no hooks: inbox
 * depth, and per ACTIVE corp the sync lag, the age of the last good sync and the messages indexed.
 * A store that does not answer leaves its gauges out of that scrape.
 */
export function watchIngest(
  metrics: GatewayMetrics,
  ingest: Pick<Ingest, 'inbox' | 'syncState' | 'index'>,
  corps: Pick<CorpRegistry, 'list'>,
  now: () => number = Date.now,
): void {
  const registers = [metrics.registry];
  const inboxDepth = new Gauge({
    name: 'wag_inbox_depth',
    help: 'Callback events queued and not yet acknowledged by a worker.',
    registers,
    async collect() {
      inboxDepth.reset();
      const depth = await ingest.inbox.depth().catch(() => null);
      if (depth !== null) inboxDepth.set(depth);
    },
  });
  type Snapshot = { corpId: string; lagS: number | null; lastOkAgeS: number | null; indexed: number | null };
  // The three per-corp gauges are collected concurrently by one scrape: they share one read.
  let pending: { at: number; rows: Promise<Snapshot[]> } | null = null;
  const snapshot = (): Promise<Snapshot[]> => {
    const t = now();
    if (pending && t - pending.at < 1000) return pending.rows;
    pending = { at: t, rows: readCorps(t) };
    return pending.rows;
  };
  const readCorps = async (t: number): Promise<Snapshot[]> => {
    const list = await corps.list().catch(() => []);
    return Promise.all(
      list
        .filter((c) => c.status === 'ACTIVE')
        .map(async ({ corpId }) => {
          const [state, seq] = await Promise.all([
            ingest.syncState.read(corpId).catch(() => null),
            ingest.index.lastSeq(corpId).catch(() => null),
          ]);
          const okAt = state?.lastSyncOkAt ?? 0;
          const callbackAt = state?.lastCallbackAt ?? null;
          return {
            corpId,
            lagS: state ? (callbackAt !== null && callbackAt > okAt ? (t - callbackAt) / 1000 : 0) : null,
            lastOkAgeS: state?.lastSyncOkAt ? (t - state.lastSyncOkAt) / 1000 : null,
            indexed: seq,
          };
        }),
    );
  };
  const perCorp = (name: string, help: string, pick: (row: Snapshot) => number | null): void => {
    const gauge: Gauge<'corp'> = new Gauge({
      name,
      help,
      labelNames: ['corp'] as const,
      registers,
      async collect() {
        gauge.reset();
        for (const row of await snapshot()) {
          const value = pick(row);
          if (value !== null) gauge.set({ corp: row.corpId }, value);
        }
      },
    });
  };
  perCorp(
    'wag_sync_lag_seconds',
    'Per corp: how long the newest conversation callback has waited for a completed sync (0 when caught up).',
    (r) => r.lagS,
  );
  perCorp(
    'wag_sync_last_success_age_seconds',
    'Per corp: seconds since the last completed sync.',
    (r) => r.lastOkAgeS,
  );
  perCorp(
    'wag_index_messages',
    'Per corp: messages appended to the message index (its last sequence number).',
    (r) => r.indexed,
  );
}
