import type { KeyStore, StoredKey } from '../ports.js';

/** Key versions in process memory (a single replica without PostgreSQL). */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, Map<number, StoredKey>>();

  #corp(corpId: string): Map<number, StoredKey> {
    let keys = this.#keys.get(corpId);
    if (!keys) {
      keys = new Map();
      this.#keys.set(corpId, keys);
    }
    return keys;
  }

  async maxVersion(corpId: string): Promise<number> {
    return Math.max(0, ...(this.#keys.get(corpId)?.keys() ?? []));
  }

  async currentVersion(corpId: string): Promise<number | null> {
    const active = [...(this.#keys.get(corpId)?.values() ?? [])].filter((k) => k.state === 'active');
    return active.length === 0 ? null : Math.max(...active.map((k) => k.version));
  }

  async insertPending(corpId: string, key: StoredKey): Promise<boolean> {
    const keys = this.#corp(corpId);
    if (keys.has(key.version)) return false;
    keys.set(key.version, { ...key, state: 'pending' });
    return true;
  }

  async activate(corpId: string, version: number): Promise<void> {
    const key = this.#keys.get(corpId)?.get(version);
    if (key) key.state = 'active';
  }

  async deletePending(corpId: string, version: number): Promise<void> {
    const keys = this.#keys.get(corpId);
    if (keys?.get(version)?.state === 'pending') keys.delete(version);
  }

  async load(corpId: string, version: number): Promise<StoredKey | null> {
    const key = this.#keys.get(corpId)?.get(version);
    return key ? { ...key } : null;
  }

  async corpsWithPending(): Promise<string[]> {
    return [...this.#keys]
      .filter(([, keys]) => [...keys.values()].some((k) => k.state === 'pending'))
      .map(([id]) => id);
  }

  async pending(corpId: string): Promise<StoredKey[]> {
    return [...(this.#keys.get(corpId)?.values() ?? [])]
      .filter((k) => k.state === 'pending')
      .sort((a, b) => b.version - a.version)
      .map((k) => ({ ...k }));
  }

  async purge(corpId: string): Promise<void> {
    this.#keys.delete(corpId);
  }
}
