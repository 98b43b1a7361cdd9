import type pg from 'pg';
import { chatKeyOf } from '../chatKeyOf.js';
import type { IndexedMessage } from '../MessageIndex.js';
import type { ArchivedMessage } from '../ports.js';

const DAY_S = 86_400;

/**
 * Inserts the msgids not archived yet with seqs from `lastSeq + 1` in page order. Seqs stay
 * gap-free (the live stream fills gaps from the index, so a gap would cost every subscriber a
 * query); should the primary key still skip a row, the rest are renumbered in the transaction.
 */
export async function insertMessages(
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
  // Unnamed: the text names days, so a named statement per text would pile up prepared
  // statements on every pooled connection, a few more each day, for the life of the process.
  // Planning five index probes each page costs far less than the probes.
  return { text, values: [corpId, msgids] };
}

function isCanonicalBase64(text: string): boolean {
  return Buffer.from(text, 'base64').toString('base64') === text;
}
