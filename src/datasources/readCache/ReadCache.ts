// Home-made rather than lru-cache: entries are dropped per corp (a secondary index by corp that
// lru-cache lacks; a key scan per invalidation would be O(entries)) and reads in flight with them.
// Not measured against lru-cache; the per-corp drop decided it.
type Entry = {
  corpId: string;
  /** When the read began (ms): the value is at least that fresh. */
  at: number;
  /** Messages held (1 for a count or a record); known once the read resolved, 0 until then. */
  weight: number;
  value: Promise<unknown>;
};

/** How a read was served: from the cache, by the store with the value kept, by the store with the cache off. */
export type ReadCacheOutcome = 'hit' | 'miss' | 'bypass';

export type ReadCacheOptions = {
  /** An entry is served at most this long after its read began, ms (> 0). */
  ttlMs: number;
  /** Bound on the messages held across entries (a page weighs its items + 1), ≥ 1. */
  maxWeight: number;
  now?: () => number;
  /** Told of every read (metrics: the hit rate, and how often the cache was off). */
  onRead?: (outcome: ReadCacheOutcome) => void;
};

/**
 * One replica's cache of archive reads (newest pages, counts) and corp records, kept per corp.
 * An entry is dropped as soon as its corp changes (`invalidate`: a commit in this process, or an
 * invalidation from another replica), is served at most `ttlMs` after its read began (the bound
 * when an invalidation is lost), and nothing is served or kept while `available` is false (the
 * invalidation feed is down). A read is stored as it starts, so concurrent misses share one
 * query, and an invalidation during a read drops it with the rest: a value read before a change
 * is never served after the change was announced.
 */
export class ReadCache {
  readonly #ttlMs: number;
  readonly #maxWeight: number;
  readonly #now: () => number;
  readonly #onRead: (outcome: ReadCacheOutcome) => void;
  /** In least-recently-used order (Map keeps insertion order; a hit re-inserts). */
  readonly #entries = new Map<string, Entry>();
  readonly #byCorp = new Map<string, Set<string>>();
  #weight = 0;
  #available = false;

  constructor(options: ReadCacheOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${options.ttlMs}`);
    if (!Number.isInteger(options.maxWeight) || options.maxWeight < 1) {
      throw new RangeError(`maxWeight must be an integer >= 1, got ${options.maxWeight}`);
    }
    this.#ttlMs = options.ttlMs;
    this.#maxWeight = options.maxWeight;
    this.#now = options.now ?? Date.now;
    this.#onRead = options.onRead ?? (() => {});
  }

  get available(): boolean {
    return this.#available;
  }

  /** False: every read goes to the store and nothing is kept (what was kept is dropped). */
  set available(up: boolean) {
    if (!up) this.invalidateAll();
    this.#available = up;
  }

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** `load()`'s value for (corpId, key), from the cache while it is good. Treat it as immutable. */
  read<T>(
    corpId: string,
    key: string,
    load: () => Promise<T>,
    weigh: (value: T) => number = () => 1,
  ): Promise<T> {
    if (!this.#available) {
      this.#onRead('bypass');
      return load();
    }
    const id = `${corpId}\u0000${key}`;
    const now = this.#now();
    const hit = this.#entries.get(id);
    if (hit) {
      this.#remove(id, hit);
      if (now - hit.at < this.#ttlMs) {
        this.#insert(id, hit);
        this.#onRead('hit');
        return hit.value as Promise<T>;
      }
    }
    this.#onRead('miss');
    const entry: Entry = { corpId, at: now, weight: 0, value: load() };
    this.#insert(id, entry);
    entry.value.then(
      (value) => {
        if (this.#entries.get(id) !== entry) return;
        entry.weight = weigh(value as T);
        this.#weight += entry.weight;
        this.#evict();
      },
      () => {
        if (this.#entries.get(id) === entry) this.#remove(id, entry);
      },
    );
    return entry.value as Promise<T>;
  }

  /** The corp changed: drop its entries, reads in flight included. */
  invalidate(corpId: string): void {
    const ids = this.#byCorp.get(corpId);
    if (!ids) return;
    for (const id of [...ids]) this.#remove(id, this.#entries.get(id)!);
  }

  invalidateAll(): void {
    this.#entries.clear();
    this.#byCorp.clear();
    this.#weight = 0;
  }

  #insert(id: string, entry: Entry): void {
    this.#entries.set(id, entry);
    this.#weight += entry.weight;
    let ids = this.#byCorp.get(entry.corpId);
    if (!ids) {
      ids = new Set();
      this.#byCorp.set(entry.corpId, ids);
    }
    ids.add(id);
  }

  #remove(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#weight -= entry.weight;
    const ids = this.#byCorp.get(entry.corpId);
    ids?.delete(id);
    if (ids?.size === 0) this.#byCorp.delete(entry.corpId);
  }

  #evict(): void {
    for (const [id, entry] of this.#entries) {
      if (this.#weight <= this.#maxWeight) return;
      this.#remove(id, entry);
    }
  }
}
