import type pg from 'pg';
import { CorpNotRegisteredError } from '../CorpNotRegisteredError.js';

/**
 * True while corp `$1` is in the registry (`corps`), read with a key-share lock: the registry
 * row's delete (a confirmed cancel) waits for the transaction that read it, and every statement
 * after the delete sees it gone. A write guarded by it cannot outlive the cancel's purge.
 */
export const CORP_REGISTERED = 'EXISTS (SELECT 1 FROM corps WHERE corp_id = $1 FOR KEY SHARE)';

/** In a transaction: refuses to go on for a corp the registry no longer holds. */
export async function assertCorpRegistered(client: pg.PoolClient, corpId: string): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT ${CORP_REGISTERED} AS ok`, [corpId]);
  if (!rows[0]?.ok) throw new CorpNotRegisteredError(corpId);
}
