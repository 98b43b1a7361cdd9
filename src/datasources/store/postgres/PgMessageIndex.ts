import type { Logger } from '../../../logging/Logger.js';
import { CorpNotRegisteredError } from '../CorpNotRegisteredError.js';
import {
  CheckpointMovedError,
  type IndexedMessage,
  type MessageIndex,
  type MessagePage,
  type MessageQuery,
  type PageCommit,
  type StoredQuarantinedRecord,
} from '../MessageIndex.js';
import type { ArchivedMessage } from '../ports.js';
import { inTransaction, type PgPool } from './createPgPool.js';
import { insertMessages } from './insertMessages.js';
import type { PgPartitions } from './PgPartitions.js';
import { CORP_REGISTERED } from './registeredCorp.js';
import { statementName } from './statementName.js';

type MessageRow = {
  corp_id: string;
  msgid: string;
  seq: number;
  send_time: number;
  msgtype: number;
  sender_type: number;
  sender_id: string;
  chat_id: string | null;
  receivers: [number, string][];
  encrypted_secret_key: Buffer;
  encrypted_secret_key_text: string | null;
  public_key_version: number;
};

const COLUMNS = `corp_id, msgid, seq, send_time, msgtype, sender_type, sender_id, chat_id, receivers,
  encrypted_secret_key, encrypted_secret_key_text, public_key_version`;

/**
 * The archive in PostgreSQL (`messages`, partitioned by send day; see migrations). A page, its
 * quarantined records and its cursor commit in one transaction that first locks the corp's
 * `sync_state` row: writers of one corp are serialized whatever the leases say, the cursor is
 * compared and set, seqs are given without gaps, and a msgid already archived is skipped
 * (ON CONFLICT on the primary key), so a crash anywhere repeats at most one uncommitted page.
 */
export class PgMessageIndex implements MessageIndex {
  /**
   * `registeredOnly`: a page commits only while the corp is in the registry (`corps`), read with
   * a key-share lock, so the registry row's delete waits for a commit under way and every later
   * commit is refused (CorpNotRegisteredError): a sync that fetched a page before a cancel cannot
   * archive it after the purge. Off for stores used without a registry (tests of the index alone).
   */
  constructor(
    private readonly pool: PgPool,
    private readonly partitions: PgPartitions,
    private readonly logger: Logger,
    private readonly options: { registeredOnly?: boolean } = {},
  ) {}

  append(corpId: string, messages: readonly ArchivedMessage[]): Promise<IndexedMessage[]> {
    return this.commitPage(corpId, { messages, now: Date.now() });
  }

  async commitPage(corpId: string, page: PageCommit): Promise<IndexedMessage[]> {
    const unique = dedupe(page.messages);
    if (unique.length > 0) await this.partitions.ensureFor(unique.map((m) => m.sendTime));
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO sync_state (corp_id, stream) VALUES ($1, 'sync') ON CONFLICT (corp_id, stream) DO NOTHING`,
        [corpId],
      );
      // The registry check rides on the checkpoint's lock, no round trip of its own (a row inserted
      // above for an unregistered corp goes with the rollback).
      const registered = this.options.registeredOnly ? CORP_REGISTERED : 'true';
      const { rows } = await client.query<{ last_seq: number; cursor: string | null; registered: boolean }>(
        `SELECT last_seq, cursor, ${registered} AS registered
           FROM sync_state WHERE corp_id = $1 AND stream = 'sync' FOR UPDATE`,
        [corpId],
      );
      const state = rows[0]!;
      if (!state.registered) throw new CorpNotRegisteredError(corpId);
      if (page.cursor && state.cursor !== page.cursor.from) {
        throw new CheckpointMovedError(
          `corp ${corpId}: the sync cursor moved while a page was fetched; another worker archived it`,
        );
      }
      const fresh = unique.length > 0 ? await insertMessages(client, corpId, unique, state.last_seq) : [];
      const quarantined = page.quarantined ?? [];
      let kept = 0;
      if (quarantined.length > 0) {
        const result = await client.query(
          `INSERT INTO quarantined_records (corp_id, msgid, digest, raw, reason, recorded_at)
           SELECT $1, t.msgid, t.digest, t.raw, t.reason, $6
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(msgid, digest, raw, reason)
           ON CONFLICT (corp_id, digest) DO NOTHING`,
          [
            corpId,
            quarantined.map((q) => q.msgid),
            quarantined.map((q) => q.digest),
            quarantined.map((q) => q.raw),
            quarantined.map((q) => q.reason),
            page.now,
          ],
        );
        kept = result.rowCount ?? 0;
      }
      await client.query(
        `UPDATE sync_state SET last_seq = last_seq + $2, message_count = message_count + $2,
                quarantined_count = quarantined_count + $3,
                cursor = COALESCE($4, cursor),
                cursor_updated_at = CASE WHEN $4::text IS NULL THEN cursor_updated_at ELSE $5 END
          WHERE corp_id = $1 AND stream = 'sync'`,
        [corpId, fresh.length, kept, page.cursor?.to ?? null, page.now],
      );
      return fresh;
    });
  }

  async get(corpId: string, msgid: string): Promise<IndexedMessage | null> {
    return (await this.getMany(corpId, [msgid]))[0] ?? null;
  }

  async getMany(corpId: string, msgids: readonly string[]): Promise<(IndexedMessage | null)[]> {
    if (msgids.length === 0) return [];
    const { rows } = await this.pool.query<MessageRow>({
      name: 'messages_get_many',
      text: `SELECT ${COLUMNS} FROM messages WHERE corp_id = $1 AND msgid = ANY($2::text[])`,
      values: [corpId, msgids],
    });
    const byId = new Map(rows.map((r) => [r.msgid, toMessage(r)]));
    return msgids.map((id) => byId.get(id) ?? null);
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const desc = query.direction === 'desc';
    const { where, values } = whereOf(query);
    if (query.after !== undefined) {
      values.push(query.after);
      where.push(`seq ${desc ? '<' : '>'} $${values.length}`);
    }
    values.push(query.first + 1);
    const text = `SELECT ${COLUMNS} FROM messages WHERE ${where.join(' AND ')}
        ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $${values.length}`;
    const { rows } = await this.pool.query<MessageRow>({ name: statementName(text), text, values });
    const hasMore = rows.length > query.first;
    const items = (hasMore ? rows.slice(0, query.first) : rows).map(toMessage);
    return { items, hasMore, endSeq: items.at(-1)?.seq ?? null };
  }

  async count(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): Promise<number> {
    const filtered =
      query.chatKey !== undefined ||
      query.participantId !== undefined ||
      query.msgtype !== undefined ||
      query.from !== undefined ||
      query.to !== undefined;
    if (!filtered) {
      // The corp's total is kept with its checkpoint: no count over the archive for the common case.
      const { rows } = await this.pool.query<{ n: number }>({
        name: 'messages_total',
        text: `SELECT message_count AS n FROM sync_state WHERE corp_id = $1 AND stream = 'sync'`,
        values: [query.corpId],
      });
      return rows[0]?.n ?? 0;
    }
    const { where, values } = whereOf(query);
    const text = `SELECT count(*)::bigint AS n FROM messages WHERE ${where.join(' AND ')}`;
    const { rows } = await this.pool.query<{ n: number }>({ name: statementName(text), text, values });
    return rows[0]?.n ?? 0;
  }

  async lastSeq(corpId: string): Promise<number> {
    const { rows } = await this.pool.query<{ last_seq: number }>({
      name: 'messages_last_seq',
      text: `SELECT last_seq FROM sync_state WHERE corp_id = $1 AND stream = 'sync'`,
      values: [corpId],
    });
    return rows[0]?.last_seq ?? 0;
  }

  async dropBefore(beforeSendTime: number): Promise<number> {
    const removed = await this.partitions.dropBefore(beforeSendTime);
    let total = 0;
    for (const [corpId, n] of removed) {
      total += n;
      await this.pool.query(
        `UPDATE sync_state SET message_count = GREATEST(0, message_count - $2) WHERE corp_id = $1 AND stream = 'sync'`,
        [corpId, n],
      );
    }
    if (total > 0) this.logger.info({ removed: total }, 'archive retention removed messages');
    return total;
  }

  async quarantined(
    corpId: string,
    first: number,
    afterId?: number,
  ): Promise<{ items: StoredQuarantinedRecord[]; hasMore: boolean }> {
    const { rows } = await this.pool.query<{
      id: number;
      msgid: string | null;
      digest: string;
      raw: string;
      reason: string;
      recorded_at: number;
    }>(
      `SELECT id, msgid, digest, raw, reason, recorded_at FROM quarantined_records
        WHERE corp_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [corpId, afterId ?? 0, first + 1],
    );
    const hasMore = rows.length > first;
    return {
      items: rows.slice(0, first).map((r) => ({
        id: r.id,
        msgid: r.msgid,
        digest: r.digest,
        raw: r.raw,
        reason: r.reason,
        recordedAt: r.recorded_at,
      })),
      hasMore,
    };
  }

  /** One statement per table: the corp's archive, its quarantine and its checkpoint go together. */
  async purgeCorp(corpId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM messages WHERE corp_id = $1', [corpId]);
      await client.query('DELETE FROM quarantined_records WHERE corp_id = $1', [corpId]);
      await client.query(`DELETE FROM sync_state WHERE corp_id = $1`, [corpId]);
    });
  }
}

/** A page may repeat a msgid; the first occurrence counts. */
function dedupe(messages: readonly ArchivedMessage[]): ArchivedMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => !seen.has(m.msgid) && seen.add(m.msgid));
}

function whereOf(query: Omit<MessageQuery, 'after' | 'first' | 'direction'>): {
  where: string[];
  values: unknown[];
} {
  const values: unknown[] = [query.corpId];
  const where = ['corp_id = $1'];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (query.chatKey !== undefined) add((p) => `chat_key = ${p}`, query.chatKey);
  if (query.participantId !== undefined)
    add((p) => `(sender_id = ${p} OR peer_id = ${p})`, query.participantId);
  if (query.msgtype !== undefined) add((p) => `msgtype = ${p}`, query.msgtype);
  if (query.from !== undefined) add((p) => `send_time >= ${p}`, query.from);
  if (query.to !== undefined) add((p) => `send_time < ${p}`, query.to);
  return { where, values };
}

/** True when the bytes give this very string back (so storing the bytes loses nothing). */
function toMessage(r: MessageRow): IndexedMessage {
  return {
    corpId: r.corp_id,
    msgid: r.msgid,
    seq: r.seq,
    sender: { type: r.sender_type, id: r.sender_id },
    receivers: r.receivers.map(([type, id]) => ({ type, id })),
    chatId: r.chat_id,
    sendTime: r.send_time,
    msgtype: r.msgtype,
    encryptedSecretKey: r.encrypted_secret_key_text ?? r.encrypted_secret_key.toString('base64'),
    publicKeyVersion: r.public_key_version,
  };
}
