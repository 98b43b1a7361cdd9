import type { Logger } from '../datasources/Logger.js';
import type { AuthEvents, CorpRegistry } from '../datasources/ports.js';
import type { CorpSyncer } from './CorpSyncer.js';
import { ALL_CORPS, type EventBus } from './EventBus.js';

/**
 * The corp onboarding, plus what ingestion adds: every authorization change is published
 * (`corpAuthorizationChanged`), and a newly authorized corp is synced at once in the background
 * (its backlog is archived from the first public key on).
 */
export function notifyingAuthEvents(
  inner: AuthEvents,
  deps: { corps: CorpRegistry; bus: EventBus; syncer: CorpSyncer; logger: Logger },
): AuthEvents {
  const publish = async (corpId: string) => {
    const record = await deps.corps.get(corpId);
    if (record) deps.bus.publish('corpAuth', ALL_CORPS, record);
  };
  return {
    async createAuth(authCode) {
      const record = await inner.createAuth(authCode);
      deps.bus.publish('corpAuth', ALL_CORPS, record);
      deps.syncer.sync(record.corpId, 'authorized').catch(() => {
        // Recorded in the corp's sync state; the watchdog retries.
      });
      return record;
    },
    async changeAuth(corpId) {
      await inner.changeAuth(corpId);
      await publish(corpId);
    },
    async cancelAuth(corpId) {
      await inner.cancelAuth(corpId);
      await publish(corpId);
    },
  };
}
