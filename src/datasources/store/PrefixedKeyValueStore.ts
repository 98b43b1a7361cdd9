import type { KeyValueStore } from './ports.js';

/**
 * A view of a KeyValueStore under a key prefix, so one implementation can serve the second app
 * (the display app's tokens, tickets and authorizations) without its keys meeting the archive
 * app's. It does not own the store: close() leaves it open.
 */
export class PrefixedKeyValueStore implements KeyValueStore {
  constructor(
    private readonly inner: KeyValueStore,
    private readonly prefix: string,
  ) {}

  get(key: string): Promise<string | null> {
    return this.inner.get(this.prefix + key);
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.inner.set(this.prefix + key, value, ttlMs);
  }
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.inner.setIfAbsent(this.prefix + key, value, ttlMs);
  }
  deleteIfEquals(key: string, value: string): Promise<boolean> {
    return this.inner.deleteIfEquals(this.prefix + key, value);
  }
  extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.inner.extendIfEquals(this.prefix + key, value, ttlMs);
  }
  delete(...keys: string[]): Promise<void> {
    return this.inner.delete(...keys.map((key) => this.prefix + key));
  }
  async keys(prefix: string): Promise<string[]> {
    return (await this.inner.keys(this.prefix + prefix)).map((key) => key.slice(this.prefix.length));
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  async close(): Promise<void> {}
}
