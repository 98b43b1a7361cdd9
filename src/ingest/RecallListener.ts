import type { CorpRegistry } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
import type { StatsAggregator } from '../stats/StatsAggregator.js';
import { ALL_CORPS, type EventBus } from './EventBus.js';

/** Keyword behaviour 6 (docs/upstream.md §3.5): the message was recalled. */
const RECALL = 6;

/**
 * Feeds keyword hits with the RECALL behaviour into the statistics. Every replica listens (hits
 * are published once, but to all replicas); the store counts each message's recall once.
 * Corps authorized later are picked up from corpAuth events.
 */
export class RecallListener {
  readonly #streams: AsyncIterableIterator<unknown>[] = [];
  readonly #corps = new Set<string>();
  #loops: Promise<void>[] = [];

  constructor(
    private readonly deps: { bus: EventBus; corps: CorpRegistry; stats: StatsAggregator; logger: Logger },
  ) {}

  async start(): Promise<void> {
    const auth = this.deps.bus.subscribe('corpAuth', ALL_CORPS);
    this.#streams.push(auth);
    this.#loops.push(
      (async () => {
        for await (const record of auth) if (record.status === 'ACTIVE') this.#listen(record.corpId);
      })(),
    );
    for (const corp of await this.deps.corps.list()) if (corp.status === 'ACTIVE') this.#listen(corp.corpId);
  }

  #listen(corpId: string): void {
    if (this.#corps.has(corpId)) return;
    this.#corps.add(corpId);
    const hits = this.deps.bus.subscribe('keywordHit', corpId);
    this.#streams.push(hits);
    this.#loops.push(
      (async () => {
        for await (const hit of hits) {
          if (!hit.rules.some((r) => r.semantics.includes(RECALL))) continue;
          await this.deps.stats.recall(corpId, hit.msgid).catch((error: unknown) => {
            this.deps.logger.warn(
              { corpId, msgid: hit.msgid, err: (error as Error).message },
              'recall not counted',
            );
          });
        }
      })(),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.#streams.map((s) => s.return?.()));
    await Promise.all(this.#loops);
    this.#loops = [];
  }
}
