import type { CorpRecord } from '../../src/datasources/store/ports.js';

/**
 * An ACTIVE corp's registry record. The PostgreSQL stores archive only for registered corps
 * (a cancelled corp's sync cannot write after its purge), so tests that write to the archive
 * directly register their corps first.
 */
export function corpRecord(corpId: string, overrides: Partial<CorpRecord> = {}): CorpRecord {
  return {
    corpId,
    name: corpId,
    status: 'ACTIVE',
    authorizedAt: Date.now(),
    cancelledAt: null,
    publicKeyVersion: 1,
    ...overrides,
  };
}
