import type { KeyStore, StoredKey } from '../ports.js';
import type { PgPool } from './createPgPool.js';

type Row = {
  version: number;
  public_key_pem: string;
  sealed_private_key: string;
  created_at: number;
  state: 'pending' | 'active';
};

const toKey = (r: Row): StoredKey => ({
  version: r.version,
  publicKeyPem: r.public_key_pem,
  sealedPrivateKey: r.sealed_private_key,
  createdAt: r.created_at,
  state: r.state,
});

/** `corp_keys`: every version of every corp's key pair. */
export class PgKeyStore implements KeyStore {
  constructor(private readonly pool: PgPool) {}

  async maxVersion(corpId: string): Promise<number> {
    const { rows } = await this.pool.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM corp_keys WHERE corp_id = $1',
      [corpId],
    );
    return rows[0]?.v ?? 0;
  }

  async currentVersion(corpId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ v: number | null }>(
      `SELECT max(version) AS v FROM corp_keys WHERE corp_id = $1 AND state = 'active'`,
      [corpId],
    );
    return rows[0]?.v ?? null;
  }

  async insertPending(corpId: string, key: StoredKey): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO corp_keys (corp_id, version, public_key_pem, sealed_private_key, state, created_at)
       VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (corp_id, version) DO NOTHING`,
      [corpId, key.version, key.publicKeyPem, key.sealedPrivateKey, key.createdAt],
    );
    return result.rowCount === 1;
  }

  async activate(corpId: string, version: number): Promise<void> {
    await this.pool.query(`UPDATE corp_keys SET state = 'active' WHERE corp_id = $1 AND version = $2`, [
      corpId,
      version,
    ]);
  }

  async deletePending(corpId: string, version: number): Promise<void> {
    await this.pool.query(`DELETE FROM corp_keys WHERE corp_id = $1 AND version = $2 AND state = 'pending'`, [
      corpId,
      version,
    ]);
  }

  async load(corpId: string, version: number): Promise<StoredKey | null> {
    const { rows } = await this.pool.query<Row>({
      name: 'corp_keys_load',
      text: `SELECT version, public_key_pem, sealed_private_key, created_at, state
               FROM corp_keys WHERE corp_id = $1 AND version = $2`,
      values: [corpId, version],
    });
    return rows[0] ? toKey(rows[0]) : null;
  }

  async corpsWithPending(): Promise<string[]> {
    const { rows } = await this.pool.query<{ corp_id: string }>(
      `SELECT DISTINCT corp_id FROM corp_keys WHERE state = 'pending'`,
    );
    return rows.map((r) => r.corp_id);
  }

  async pending(corpId: string): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT version, public_key_pem, sealed_private_key, created_at, state
         FROM corp_keys WHERE corp_id = $1 AND state = 'pending' ORDER BY version DESC`,
      [corpId],
    );
    return rows.map(toKey);
  }

  async purge(corpId: string): Promise<void> {
    await this.pool.query('DELETE FROM corp_keys WHERE corp_id = $1', [corpId]);
  }
}
