import type { KeyValueStore } from '../ports.js';

type Entry = { value: string; expiresAt: number | null };

/** Single-process store for embedded mode and tests. Expiry is checked lazily on access. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();
  #writes = 0;

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#put(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    if (this.#live(key)?.value !== value) return false;
    this.#entries.delete(key);
    return true;
  }

  async extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)?.value !== value) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix) && this.#live(key)) out.push(key);
    }
    return out;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #put(key: string, value: string, ttlMs: number | undefined): void {
    if (ttlMs !== undefined && (!Number.isFinite(ttlMs) || ttlMs <= 0)) {
      throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
    }
    this.#entries.set(key, { value, expiresAt: ttlMs === undefined ? null : Date.now() + ttlMs });
    // Expired locks and tokens nobody reads again would otherwise stay forever.
    if (++this.#writes % 1000 === 0) this.#sweep();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt != null && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt != null && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
