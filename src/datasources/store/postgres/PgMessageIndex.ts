import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../../logging/Logger.js';
import { chatKeyOf } from '../chatKeyOf.js';
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
import type { PgPartitions } from './PgPartitions.js';

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

const DAY_S = 86_400;

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
  constructor(
    private readonly pool: PgPool,
    private readonly partitions: PgPartitions,
    private readonly logger: Logger,
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
      const { rows } = await client.query<{ last_seq: number; cursor: string | null }>(
        `SELECT last_seq, cursor FROM sync_state WHERE corp_id = $1 AND stream = 'sync' FOR UPDATE`,
        [corpId],
      );
      const state = rows[0]!;
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

/**
 * A name per distinct statement text (a handful: one per filter combination), so each
 * connection prepares it once and keeps its plan (createPgPool: generic plans).
 */
function statementName(text: string): string {
  let known = STATEMENT_NAMES.get(text);
  if (known === undefined) {
    known = `messages_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    STATEMENT_NAMES.set(text, known);
  }
  return known;
}
const STATEMENT_NAMES = new Map<string, string>();

/** A page may repeat a msgid; the first occurrence counts. */
function dedupe(messages: readonly ArchivedMessage[]): ArchivedMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => !seen.has(m.msgid) && seen.add(m.msgid));
}

/**
 * Inserts the msgids not archived yet with seqs from `lastSeq + 1` in page order. Seqs stay
 * gap-free (the live stream fills gaps from the index, so a gap would cost every subscriber a
 * query); should the primary key still skip a row, the rest are renumbered in the transaction.
 */
async function insertMessages(
  client: pg.PoolClient,
  corpId: string,
  candidates: readonly ArchivedMessage[],
  lastSeq: number,
): Promise<IndexedMessage[]> {
  // The corp's sync_state row is locked, so no other writer adds this corp's msgids meanwhile:
  // what is not archived now is new. The primary key holds send_time, the partition key, so it
  // alone would not catch the same msgid sent again with another time.
  const { rows: known } = await client.query<{ msgid: string }>(
    knownMsgidsQuery(
      corpId,
      candidates.map((m) => m.msgid),
      candidates.map((m) => m.sendTime),
    ),
  );
  const archived = new Set(known.map((r) => r.msgid));
  const messages = candidates.filter((m) => !archived.has(m.msgid));
  if (messages.length === 0) return [];
  const { rows } = await client.query<{ msgid: string; seq: number }>(
    `INSERT INTO messages (corp_id, msgid, seq, send_time, msgtype, sender_type, sender_id, peer_id,
                           chat_id, chat_key, receivers, encrypted_secret_key, encrypted_secret_key_text,
                           public_key_version)
     SELECT $1, t.msgid, t.seq, t.send_time, t.msgtype, t.sender_type, t.sender_id, t.peer_id,
            t.chat_id, t.chat_key, t.receivers,
            CASE WHEN t.canonical THEN decode(t.esk, 'base64') ELSE '\\x'::bytea END,
            CASE WHEN t.canonical THEN NULL ELSE t.esk END, t.pkv
       FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::int[], $6::smallint[], $7::text[],
                   $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::int[], $14::boolean[])
         AS t(msgid, seq, send_time, msgtype, sender_type, sender_id, peer_id, chat_id, chat_key,
              receivers, esk, pkv, canonical)
     ON CONFLICT (corp_id, msgid, send_time) DO NOTHING
     RETURNING msgid, seq`,
    [
      corpId,
      messages.map((m) => m.msgid),
      messages.map((_, i) => lastSeq + i + 1),
      messages.map((m) => m.sendTime),
      messages.map((m) => m.msgtype),
      messages.map((m) => m.sender.type),
      messages.map((m) => m.sender.id),
      messages.map((m) => (m.chatId ? null : (m.receivers[0]?.id ?? null))),
      messages.map((m) => m.chatId),
      messages.map((m) => chatKeyOf(m)),
      messages.map((m) => JSON.stringify(m.receivers.map((r) => [r.type, r.id]))),
      messages.map((m) => m.encryptedSecretKey),
      messages.map((m) => m.publicKeyVersion),
      messages.map((m) => isCanonicalBase64(m.encryptedSecretKey)),
    ],
  );
  const inserted = new Map(rows.map((r) => [r.msgid, r.seq]));
  const fresh = messages.filter((m) => inserted.has(m.msgid));
  const renumber = fresh.some((m, i) => inserted.get(m.msgid) !== lastSeq + i + 1);
  if (renumber) {
    await client.query(
      `UPDATE messages SET seq = t.seq FROM unnest($2::text[], $3::bigint[]) AS t(msgid, seq)
        WHERE messages.corp_id = $1 AND messages.msgid = t.msgid`,
      [corpId, fresh.map((m) => m.msgid), fresh.map((_, i) => lastSeq + i + 1)],
    );
  }
  return fresh.map((m, i) => ({ ...m, corpId, seq: lastSeq + i + 1 }));
}

/** Beyond this many send days in one page, the msgids are looked up in every partition. */
const KNOWN_CHECK_MAX_DAYS = 4;

/**
 * The msgids of a page that are archived already, looked up in the day partitions of the page's
 * send days (and the default partition), by name: a repeated sync_msg record repeats its send
 * time, and probing each msgid in every partition of the retention window (eight in the bench,
 * thirty-odd at the default retention) took about a quarter of PostgreSQL's CPU per ingested
 * message. By name, not through the parent with a send_time range:
 * with that range a generic plan made before a new day partition had statistics scanned the
 * whole day for each page (msgid as a filter: 1.7 s for 300k rows instead of 3 ms).
 */
function knownMsgidsQuery(
  corpId: string,
  msgids: readonly string[],
  sendTimes: readonly number[],
): pg.QueryConfig {
  const days = [...new Set(sendTimes.map((t) => Math.floor(t / DAY_S)))].sort((a, b) => a - b);
  if (days.length > KNOWN_CHECK_MAX_DAYS) {
    return {
      name: 'messages_known_msgids',
      text: 'SELECT msgid FROM messages WHERE corp_id = $1 AND msgid = ANY($2::text[])',
      values: [corpId, msgids],
    };
  }
  const text = [...days.map((d) => `messages_d${d}`), 'messages_default']
    .map((table) => `SELECT msgid FROM ${table} WHERE corp_id = $1 AND msgid = ANY($2::text[])`)
    .join(' UNION ALL ');
  return { name: statementName(text), text, values: [corpId, msgids] };
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
function isCanonicalBase64(text: string): boolean {
  return Buffer.from(text, 'base64').toString('base64') === text;
}

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
