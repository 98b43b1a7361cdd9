import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ArchivedMessage } from '../datasources/store/ports.js';
import { describeIssues } from '../datasources/wecom/endpoints/describeIssues.js';

/**
 * The msgtypes documented in docs/upstream.md §3.1 (0 unsupported … 28 note). Any other value is
 * an unknown msgtype, kept aside with its record rather than archived as a type nothing can name
 * (docs/upstream.md §3.1 says why).
 */
export const MAX_MSGTYPE = 28;

/**
 * A sync_msg record kept aside: it broke the documented shape, so it is not archived, but it is
 * not lost either (issue 11, point 5).
 *  - `msgid`: the record's msgid when it has a usable one (a non-empty string), else null. No id
 *    is made up: a derived id would pass for a WeCom msgid wherever it is shown or searched.
 *  - `digest`: sha256 (hex) of `raw`; with `msgid` null it is the entry's identity, so the same
 *    page quarantined twice (a retried page) is recognised.
 *  - `raw`: the record as JSON (metadata and the encrypted key only, as sync_msg returns).
 *  - `reason`: which field broke which rule.
 */
export type QuarantineEntry = { msgid: string | null; digest: string; raw: string; reason: string };

export type ClassifiedRecord =
  | { kind: 'message'; message: ArchivedMessage }
  | { kind: 'quarantine'; entry: QuarantineEntry };

const party = z.object({ type: z.number().int(), id: z.string() });

/** One record of the documented shape (docs/upstream.md §3.1); unknown extra fields are ignored. */
const record = z.object({
  msgid: z.string().min(1),
  sender: party,
  receiver_list: z.array(party).default([]),
  chatid: z.string().optional(),
  send_time: z.number().int(),
  msgtype: z
    .number()
    .int()
    .refine((t) => t >= 0 && t <= MAX_MSGTYPE, {
      error: (iss) => `msgtype must be a documented msgtype 0..${MAX_MSGTYPE}, got ${String(iss.input)}`,
    }),
  service_encrypt_info: z.object({
    encrypted_secret_key: z.string().min(1),
    public_key_ver: z.number().int().min(1),
  }),
});

/**
 * One raw `sync_msg` record (the page envelope is validated strictly elsewhere) → the message to
 * archive, or a quarantine entry that says why not. Pure: the caller stores the page's messages,
 * its entries and the cursor together.
 */
export function classifySyncRecord(corpId: string, raw: unknown): ClassifiedRecord {
  const parsed = record.safeParse(raw, { reportInput: true });
  if (parsed.success) {
    const m = parsed.data;
    return {
      kind: 'message',
      message: {
        corpId,
        msgid: m.msgid,
        sender: { type: m.sender.type, id: m.sender.id },
        receivers: m.receiver_list.map((r) => ({ type: r.type, id: r.id })),
        chatId: m.chatid ? m.chatid : null,
        sendTime: m.send_time,
        msgtype: m.msgtype,
        encryptedSecretKey: m.service_encrypt_info.encrypted_secret_key,
        publicKeyVersion: m.service_encrypt_info.public_key_ver,
      },
    };
  }
  const text = JSON.stringify(raw) ?? String(raw);
  const msgid = (raw as { msgid?: unknown } | null)?.msgid;
  return {
    kind: 'quarantine',
    entry: {
      msgid: typeof msgid === 'string' && msgid !== '' ? msgid : null,
      digest: createHash('sha256').update(text).digest('hex'),
      raw: text,
      // Types only, never values: a record may carry a key we must not echo into logs.
      reason: describeIssues(parsed.error.issues, raw, 'types'),
    },
  };
}
