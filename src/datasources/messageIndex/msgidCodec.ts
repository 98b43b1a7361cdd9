import { varint } from './varint.js';

/** `<up to 20 digits>_<ms timestamp>_external|internal`, the shape WeCom archive msgids have. */
const STRUCTURED = /^(\d{1,20})_(0|[1-9]\d{0,14})_(external|internal)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_U48 = 2 ** 48 - 1;
const TAG_RAW = 64;
const TAG_BASE64 = 65;

/**
 * Packs a msgid into a prefix-free byte string (no encoding is a prefix of another, so the Lua
 * scripts compare a stored record's msgid by comparing bytes at its start). The encoding depends
 * on the msgid alone — it is what the msgid map hashes, so one msgid must always pack the same.
 * - structured (15 B instead of ~42): tag 1..40 = 1 + 2·(digits of the first part − 1) + internal,
 *   the first part as a u64, the timestamp as a u48, both big-endian;
 * - canonical base64: tag 65, varint length, the decoded bytes;
 * - anything else: tag 64, varint length, the UTF-8 bytes.
 */
export const msgidCodec = {
  pack(msgid: string): Buffer {
    const m = STRUCTURED.exec(msgid);
    if (m) {
      const [, id, time, kind] = m as unknown as [string, string, string, string];
      const idValue = BigInt(id);
      const timeValue = Number(time);
      if (idValue <= MAX_U64 && timeValue <= MAX_U48) {
        const out = Buffer.alloc(15);
        out[0] = 1 + (id.length - 1) * 2 + (kind === 'internal' ? 1 : 0);
        out.writeBigUInt64BE(idValue, 1);
        out.writeUIntBE(timeValue, 9, 6);
        return out;
      }
    }
    if (BASE64.test(msgid) && msgid.length % 4 === 0) {
      const bytes = Buffer.from(msgid, 'base64');
      if (bytes.toString('base64') === msgid) return withLength(TAG_BASE64, bytes);
    }
    return withLength(TAG_RAW, Buffer.from(msgid, 'utf8'));
  },

  /** Decodes the packed msgid at `pos`; returns it and the position after it. */
  unpack(buf: Buffer, pos: number): [string, number] {
    const tag = buf[pos];
    if (tag === undefined) throw new RangeError('msgid: truncated');
    if (tag >= 1 && tag <= 40) {
      if (pos + 15 > buf.length) throw new RangeError('msgid: truncated');
      const digits = Math.floor((tag - 1) / 2) + 1;
      const id = buf
        .readBigUInt64BE(pos + 1)
        .toString()
        .padStart(digits, '0');
      const time = buf.readUIntBE(pos + 9, 6);
      return [`${id}_${time}_${tag % 2 === 0 ? 'internal' : 'external'}`, pos + 15];
    }
    if (tag !== TAG_RAW && tag !== TAG_BASE64) throw new RangeError(`msgid: unknown tag ${tag}`);
    const [length, start] = varint.read(buf, pos + 1);
    const end = start + length;
    if (end > buf.length) throw new RangeError('msgid: truncated');
    const bytes = buf.subarray(start, end);
    return [tag === TAG_RAW ? bytes.toString('utf8') : bytes.toString('base64'), end];
  },
};

function withLength(tag: number, bytes: Buffer): Buffer {
  const head: number[] = [tag];
  varint.push(head, bytes.length);
  return Buffer.concat([Buffer.from(head), bytes]);
}
