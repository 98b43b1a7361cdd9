import type { AuthEvents } from '../datasources/corps/ports.js';
import type { CorpRecord, CorpRegistry } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
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
  const authorized = (record: CorpRecord) => {
    deps.bus.publish('corpAuth', ALL_CORPS, record);
    deps.syncer.sync(record.corpId, 'authorized').catch(() => {
      // Recorded in the corp's sync state; the watchdog retries.
    });
    return record;
  };
  return {
    async createAuth(authCode) {
      return authorized(await inner.createAuth(authCode));
    },
    async resetPermanentCode(authCode) {
      return authorized(await inner.resetPermanentCode(authCode));
    },
    async changeAuth(corpId) {
      await inner.changeAuth(corpId);
      await publish(corpId);
    },
    async cancelAuth(corpId) {
      // The registry no longer holds a cancelled corp: publish the record as it was cancelled.
      const cancelled = await inner.cancelAuth(corpId);
      if (cancelled) deps.bus.publish('corpAuth', ALL_CORPS, cancelled);
      return cancelled;
    },
    async recheckCancels() {
      const cancelled = await inner.recheckCancels();
      for (const record of cancelled) deps.bus.publish('corpAuth', ALL_CORPS, record);
      return cancelled;
    },
    async archiveExpired(corpId, expiry) {
      await inner.archiveExpired(corpId, expiry);
      await publish(corpId);
    },
    recordEventFailure: (corpId, failure) => inner.recordEventFailure(corpId, failure),
    async markIfOrphan(corpId) {
      const marked = await inner.markIfOrphan(corpId);
      if (marked) await publish(corpId);
      return marked;
    },
  };
}
