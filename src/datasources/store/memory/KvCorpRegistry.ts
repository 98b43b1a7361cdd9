import type { CorpRecord, CorpRegistry, KeyValueStore } from '../ports.js';
import type { SecretBox } from '../secretBox.js';

const recordKey = (corpId: string): string => `corp:rec:${corpId}`;
const codeKey = (corpId: string): string => `corp:pc:${corpId}`;
/** AAD of the sealed permanent code: a code copied under another corp id does not open. */
const codeContext = (corpId: string): string => `permanent_code:${corpId}`;

/** Authorized corps in the KV; permanent codes sealed with the master key. */
export class KvCorpRegistry implements CorpRegistry {
  readonly #kv: KeyValueStore;
  readonly #box: SecretBox;

  constructor(kv: KeyValueStore, box: SecretBox) {
    this.#kv = kv;
    this.#box = box;
  }

  async list(): Promise<CorpRecord[]> {
    const keys = await this.#kv.keys('corp:rec:');
    const records = await Promise.all(keys.map((k) => this.#kv.get(k)));
    return records
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as CorpRecord)
      .sort((a, b) => a.corpId.localeCompare(b.corpId));
  }

  async get(corpId: string): Promise<CorpRecord | null> {
    const raw = await this.#kv.get(recordKey(corpId));
    return raw === null ? null : (JSON.parse(raw) as CorpRecord);
  }

  async upsert(record: CorpRecord, permanentCode?: string): Promise<void> {
    if (!record.corpId) throw new Error('CorpRecord.corpId must be a non-empty string');
    // Code first: a record visible as ACTIVE must already have its code.
    if (permanentCode !== undefined) {
      await this.#kv.set(codeKey(record.corpId), this.#box.seal(permanentCode, codeContext(record.corpId)));
    }
    await this.#kv.set(recordKey(record.corpId), JSON.stringify(record));
  }

  async getPermanentCode(corpId: string): Promise<string | null> {
    const sealed = await this.#kv.get(codeKey(corpId));
    return sealed === null ? null : this.#box.open(sealed, codeContext(corpId));
  }

  async remove(corpId: string): Promise<void> {
    // Record first: once it leaves list() nothing asks for the code; a crash in between leaves
    // only a sealed code that the next create_auth of the corp overwrites.
    await this.#kv.delete(recordKey(corpId));
    await this.#kv.delete(codeKey(corpId));
  }
}
