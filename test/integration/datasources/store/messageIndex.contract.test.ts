import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chatKeyOf,
  indexedParticipants,
  singleChatKey,
} from '../../../../src/datasources/store/chatKeyOf.js';
import {
  CheckpointMovedError,
  type IndexedMessage,
  type MessageIndex,
  type MessageQuery,
} from '../../../../src/datasources/store/MessageIndex.js';
import { MemoryMessageIndex } from '../../../../src/datasources/store/memory/MemoryMessageIndex.js';
import type { ArchivedMessage, SyncStateTable } from '../../../../src/datasources/store/ports.js';
import { createPgPool } from '../../../../src/datasources/store/postgres/createPgPool.js';
import { migrate } from '../../../../src/datasources/store/postgres/migrate.js';
import { PgMessageIndex } from '../../../../src/datasources/store/postgres/PgMessageIndex.js';
import { PgPartitions } from '../../../../src/datasources/store/postgres/PgPartitions.js';
import { PgSyncStateTable } from '../../../../src/datasources/store/postgres/PgSyncStateTable.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { freshSchema } from '../../../helpers/postgres.js';

const CORP = 'wwcorpA';
const T0 = 1_712_540_000;

function msg(n: number, over: Partial<ArchivedMessage> = {}): ArchivedMessage {
  return {
    corpId: CORP,
    msgid: `m${n}`,
    sender: { type: 1, id: 'woAlice' },
    receivers: [{ type: 2, id: 'wmBob' }],
    chatId: null,
    sendTime: T0 + n * 10,
    msgtype: 1,
    encryptedSecretKey: randomBytes(256).toString('base64'),
    publicKeyVersion: 1,
    ...over,
  };
}

/** 30 messages: single chat Alice↔Bob (both directions), a group, three types. */
function fixture(): ArchivedMessage[] {
  return Array.from({ length: 30 }, (_, i) => {
    if (i % 3 === 0)
      return msg(i, {
        chatId: 'wrGroup1',
        receivers: [
          { type: 1, id: 'woCarol' },
          { type: 2, id: 'wmBob' },
        ],
      });
    if (i % 3 === 1)
      return msg(i, {
        sender: { type: 2, id: 'wmBob' },
        receivers: [{ type: 1, id: 'woAlice' }],
        msgtype: 2,
      });
    return msg(i, { msgtype: 7 });
  });
}

/**
 * A deterministic archive of `n` messages (send times non-decreasing, often equal) over 6 groups
 * and 12 single chats with 32-character ids, in the three msgid shapes the index packs
 * differently: WeCom's `<digits>_<ms>_<kind>`, base64, anything else.
 */
function archive(n: number, corpId = CORP): ArchivedMessage[] {
  let state = 7;
  const rnd = (k: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * k);
  };
  const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(30, 'A')}`;
  const staff = Array.from({ length: 8 }, (_, i) => id('wo', i));
  const customers = Array.from({ length: 10 }, (_, i) => id('wm', i));
  const groups = Array.from({ length: 6 }, (_, g) => ({
    chatId: id('wr', g),
    members: [...staff.slice(g % 4, (g % 4) + 3), ...customers.slice(g, g + (g % 3))],
  }));
  const key = randomBytes(256).toString('base64');
  return Array.from({ length: n }, (_, i) => {
    const sendTime = T0 + Math.floor(i / 3);
    const msgid =
      i % 3 === 0
        ? `${String(1_000_000_007 * (i + 1)).padStart(19, '0')}_${sendTime * 1000 + (i % 1000)}_external`
        : i % 3 === 1
          ? Buffer.from(`msg-${i}-0123456789abcdef`).toString('base64')
          : `raw-${i}`;
    const common = {
      corpId,
      msgid,
      sendTime,
      msgtype: rnd(10) < 6 ? 1 : rnd(29),
      encryptedSecretKey: key,
      publicKeyVersion: 1 + (i % 3),
    };
    if (rnd(2) === 0) {
      const group = groups[rnd(groups.length)]!;
      const from = group.members[rnd(group.members.length)]!;
      return {
        ...common,
        sender: { type: from.startsWith('wm') ? 2 : 1, id: from },
        receivers: group.members
          .filter((m) => m !== from)
          .map((m) => ({ type: m.startsWith('wm') ? 2 : 1, id: m })),
        chatId: group.chatId,
      };
    }
    const pair = rnd(12);
    const [a, b] = [staff[pair % 8]!, customers[pair % 10]!];
    const [from, to] = rnd(2) === 0 ? [a, b] : [b, a];
    return {
      ...common,
      sender: { type: from.startsWith('wm') ? 2 : 1, id: from },
      receivers: [{ type: to.startsWith('wm') ? 2 : 1, id: to }],
      chatId: null,
    };
  });
}

/** What a listing must return, from the fixture (seq = position + 1). */
function expected(messages: readonly ArchivedMessage[], q: Omit<MessageQuery, 'first' | 'corpId'>) {
  return messages
    .map((m, i) => ({ ...m, seq: i + 1 }))
    .filter(
      (m) =>
        (q.chatKey === undefined || chatKeyOf(m) === q.chatKey) &&
        (q.participantId === undefined || indexedParticipants(m).includes(q.participantId)) &&
        (q.msgtype === undefined || m.msgtype === q.msgtype) &&
        (q.from === undefined || m.sendTime >= q.from) &&
        (q.to === undefined || m.sendTime < q.to) &&
        (q.after === undefined || (q.direction === 'desc' ? m.seq < q.after : m.seq > q.after)),
    );
}

/** Every page of a listing, following `endSeq`. */
async function walk(index: MessageIndex, q: Omit<MessageQuery, 'after'>): Promise<IndexedMessage[]> {
  const all: IndexedMessage[] = [];
  let after: number | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await index.query({ ...q, after });
    all.push(...page.items);
    if (!page.hasMore) return all;
    after = page.endSeq ?? undefined;
  }
  throw new Error('no end');
}

/** Appends in uneven batches, each also repeating a message of its own and two earlier ones. */
async function appendInBatches(index: MessageIndex, messages: readonly ArchivedMessage[]) {
  const added: IndexedMessage[] = [];
  const sizes = [1, 2, 57, 58, 300, 1, 1000, 7];
  for (let at = 0, k = 0; at < messages.length; k++) {
    const batch = messages.slice(at, at + sizes[k % sizes.length]!);
    const repeats = [batch[0]!, ...(at > 0 ? [messages[0]!, messages[Math.floor(at / 2)]!] : [])];
    added.push(...(await index.append(CORP, [...batch, ...repeats])));
    at += batch.length;
  }
  return added;
}

type Implementation = { index: MessageIndex; state: SyncStateTable; cleanup(): Promise<void> };

const states = new WeakMap<MessageIndex, SyncStateTable>();
const stateOf = (index: MessageIndex): SyncStateTable => states.get(index)!;

const implementations: [string, () => Promise<Implementation>][] = [
  [
    'memory',
    async () => {
      const index = new MemoryMessageIndex();
      return { index, state: index.state, cleanup: async () => {} };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = await freshSchema('ix');
      const pool = createPgPool(schema.url, silentLogger, 6);
      await migrate(pool, silentLogger);
      return {
        index: new PgMessageIndex(pool, new PgPartitions(pool, silentLogger), silentLogger),
        state: new PgSyncStateTable(pool),
        cleanup: async () => {
          await pool.end();
          await schema.drop();
        },
      };
    },
  ],
];

/** A UTC day boundary near T0: retention works in whole days (partitions in PostgreSQL). */
const D0 = Math.floor(T0 / 86_400) * 86_400;

for (const [name, create] of implementations) {
  describe(`MessageIndex contract: ${name}`, () => {
    let index: MessageIndex;
    let cleanup: () => Promise<void> = async () => {};

    beforeEach(async () => {
      await cleanup();
      const made = await create();
      ({ index, cleanup } = made);
      states.set(index, made.state);
    });
    afterAll(async () => cleanup());

    it('appends idempotently by msgid and assigns increasing seqs', async () => {
      const first = await index.append(CORP, [msg(1), msg(2), msg(1)]);
      expect(first.map((m) => [m.msgid, m.seq])).toEqual([
        ['m1', 1],
        ['m2', 2],
      ]);
      const again = await index.append(CORP, [msg(2), msg(3)]);
      expect(again.map((m) => [m.msgid, m.seq])).toEqual([['m3', 3]]);
      expect(await index.lastSeq(CORP)).toBe(3);
      expect(await index.count({ corpId: CORP })).toBe(3);
    });

    it('round-trips every field, including the secret-key ciphertext', async () => {
      const original = msg(5, {
        chatId: 'wrG',
        receivers: [
          { type: 1, id: 'woX' },
          { type: 3, id: 'wbRobot' },
        ],
      });
      await index.append(CORP, [original]);
      expect(await index.get(CORP, 'm5')).toEqual({ ...original, seq: 1 });
      expect(await index.getMany(CORP, ['nope', 'm5'])).toEqual([null, { ...original, seq: 1 }]);
      expect(await index.get('wwOtherCorp', 'm5')).toBeNull();
    });

    it('pages in archive order both ways with exclusive seq cursors', async () => {
      await index.append(CORP, fixture());
      const page1 = await index.query({ corpId: CORP, first: 12 });
      expect(page1.items.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(page1.hasMore).toBe(true);
      const page3 = await index.query({ corpId: CORP, first: 12, after: 24 });
      expect(page3.items.map((m) => m.seq)).toEqual([25, 26, 27, 28, 29, 30]);
      expect(page3.hasMore).toBe(false);
      const newest = await index.query({ corpId: CORP, first: 3, direction: 'desc' });
      expect(newest.items.map((m) => m.seq)).toEqual([30, 29, 28]);
      const older = await index.query({ corpId: CORP, first: 3, direction: 'desc', after: 28 });
      expect(older.items.map((m) => m.seq)).toEqual([27, 26, 25]);
    });

    it('filters by chat (both directions of a single chat share one key), participant and type', async () => {
      await index.append(CORP, fixture());
      const single = await index.query({
        corpId: CORP,
        chatKey: singleChatKey('wmBob', 'woAlice'),
        first: 100,
      });
      expect(single.items).toHaveLength(20);
      expect(new Set(single.items.map((m) => m.sender.id))).toEqual(new Set(['woAlice', 'wmBob']));
      const group = await index.query({ corpId: CORP, chatKey: 'wrGroup1', first: 100 });
      expect(group.items.map((m) => m.msgid)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i * 3}`));
      // Bob receives the group messages too, but participant matching covers sender + single-chat receiver.
      expect(await index.count({ corpId: CORP, participantId: 'wmBob' })).toBe(20);
      expect(await index.count({ corpId: CORP, participantId: 'woCarol' })).toBe(0);
      expect(await index.count({ corpId: CORP, msgtype: 7 })).toBe(10);
      expect(await index.count({ corpId: CORP, msgtype: 7, participantId: 'wmBob' })).toBe(10);
      const combined = await index.query({ corpId: CORP, msgtype: 2, participantId: 'woAlice', first: 4 });
      expect(combined.items.map((m) => m.msgid)).toEqual(['m1', 'm4', 'm7', 'm10']);
      expect(combined.hasMore).toBe(true);
    });

    it('applies a send-time window [from, to)', async () => {
      await index.append(CORP, fixture());
      const window = { corpId: CORP, from: T0 + 50, to: T0 + 120 };
      const page = await index.query({ ...window, first: 100 });
      expect(page.items.map((m) => m.msgid)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
      expect(await index.count(window)).toBe(7);
      expect(await index.count({ ...window, chatKey: 'wrGroup1' })).toBe(2);
      expect(await index.count({ corpId: CORP, from: T0 + 10_000 })).toBe(0);
      const desc = await index.query({ ...window, first: 2, direction: 'desc' });
      expect(desc.items.map((m) => m.msgid)).toEqual(['m11', 'm10']);
    });

    it('keeps seqs, pages and counts right across thousands of messages (buckets, chunks, map splits)', async () => {
      const messages = archive(3000);
      const added = await appendInBatches(index, messages);
      expect(added.map((m) => [m.msgid, m.seq])).toEqual(messages.map((m, i) => [m.msgid, i + 1]));
      expect(await index.lastSeq(CORP)).toBe(3000);
      expect(await index.count({ corpId: CORP })).toBe(3000);
      // Every message both ways, in pages that do not line up with any bucket.
      const asc = await walk(index, { corpId: CORP, first: 37 });
      expect(asc.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      expect(asc).toEqual(messages.map((m, i) => ({ ...m, seq: i + 1 })));
      const desc = await walk(index, { corpId: CORP, first: 41, direction: 'desc' });
      expect(desc.map((m) => m.seq)).toEqual(messages.map((_, i) => 3000 - i));
      // Lists of every size: a chat, a participant, a type, and filters combined.
      const one = messages[4]!;
      const filters: Omit<MessageQuery, 'corpId' | 'first'>[] = [
        { chatKey: chatKeyOf(messages.find((m) => m.chatId)!) },
        { chatKey: chatKeyOf(messages.find((m) => !m.chatId)!) },
        { participantId: one.sender.id },
        { msgtype: 1 },
        { msgtype: messages.find((m) => m.msgtype !== 1)!.msgtype },
        { msgtype: 1, participantId: one.sender.id },
      ];
      for (const filter of filters) {
        const want = expected(messages, filter);
        expect(want.length).toBeGreaterThan(0);
        const got = await walk(index, { corpId: CORP, ...filter, first: 29 });
        expect(got.map((m) => m.seq)).toEqual(want.map((m) => m.seq));
        const back = await walk(index, { corpId: CORP, ...filter, first: 31, direction: 'desc' });
        expect(back.map((m) => m.seq)).toEqual(want.map((m) => m.seq).reverse());
        expect(await index.count({ corpId: CORP, ...filter })).toBe(want.length);
        // A page starting at any cursor, both ways.
        for (const after of [1, 255, 256, 257, 1500, 2999]) {
          for (const direction of ['asc', 'desc'] as const) {
            const page = await index.query({ corpId: CORP, ...filter, after, direction, first: 5 });
            expect(page.items.map((m) => m.seq)).toEqual(
              (direction === 'asc'
                ? expected(messages, { ...filter, after })
                : expected(messages, { ...filter, after, direction }).reverse()
              )
                .slice(0, 5)
                .map((m) => m.seq),
            );
          }
        }
      }
      // Random lookups, present and absent, one by one and together.
      const picks = messages.filter((_, i) => i % 29 === 3);
      const got = await index.getMany(CORP, [...picks.map((m) => m.msgid), 'absent', `${picks[0]!.msgid}x`]);
      expect(got).toEqual([...picks.map((m) => ({ ...m, seq: messages.indexOf(m) + 1 })), null, null]);
      expect(await index.get(CORP, messages[2999]!.msgid)).toEqual({ ...messages[2999]!, seq: 3000 });
    });

    it('applies send-time windows over many buckets', async () => {
      const messages = archive(2000);
      await index.append(CORP, messages);
      const chatKey = chatKeyOf(messages.find((m) => m.chatId)!);
      for (const [from, to] of [
        [T0, T0 + 1],
        [T0 + 100, T0 + 101],
        [T0 + 57, T0 + 400],
        [T0 + 333, undefined],
        [undefined, T0 + 20],
        [T0 + 700, T0 + 10_000],
        [T0 + 10_000, undefined],
      ] as const) {
        for (const filter of [{}, { chatKey }, { msgtype: 1 }]) {
          const want = expected(messages, { ...filter, from, to });
          expect(await index.count({ corpId: CORP, ...filter, from, to })).toBe(want.length);
          const page = await index.query({ corpId: CORP, ...filter, from, to, first: 7 });
          expect(page.items.map((m) => m.seq)).toEqual(want.slice(0, 7).map((m) => m.seq));
          const last = await index.query({ corpId: CORP, ...filter, from, to, first: 7, direction: 'desc' });
          expect(last.items.map((m) => m.seq)).toEqual(
            want
              .slice(-7)
              .reverse()
              .map((m) => m.seq),
          );
        }
      }
    });

    it('finds time bounds inside runs of equal send times that span buckets', async () => {
      // 150 messages a second: every run of equal times crosses a record bucket boundary.
      const messages = archive(1200).map((m, i) => ({ ...m, sendTime: T0 + Math.floor(i / 150) }));
      await index.append(CORP, messages);
      for (let k = 0; k <= 8; k++) {
        for (const filter of [{}, { msgtype: 1 }]) {
          const window = { from: T0 + k, to: T0 + k + 1 };
          const want = expected(messages, { ...filter, ...window });
          expect(await index.count({ corpId: CORP, ...filter, ...window })).toBe(want.length);
          const page = await index.query({ corpId: CORP, ...filter, ...window, first: 3 });
          expect(page.items.map((m) => m.seq)).toEqual(want.slice(0, 3).map((m) => m.seq));
        }
      }
    });

    it('drops whole days before the retention cutoff, for every corp, and keeps appending after', async () => {
      // 3000 messages over three days; corp B has one message on each day.
      const messages = archive(3000).map((m, i) => ({
        ...m,
        sendTime: D0 + Math.floor(i / 1000) * 86_400 + (i % 1000),
      }));
      await index.append(CORP, messages);
      await index.append(
        'wwCorpB',
        [0, 1, 2].map((d) => msg(d, { corpId: 'wwCorpB', sendTime: D0 + d * 86_400 })),
      );
      const chatKey = chatKeyOf(messages.find((m) => m.chatId)!);
      const cut = D0 + 86_400;
      const removed = 1000;
      expect(await index.dropBefore(cut)).toBe(removed + 1);
      expect(await index.dropBefore(cut)).toBe(0);
      const kept = messages.slice(removed);
      expect(await index.count({ corpId: CORP })).toBe(kept.length);
      expect(await index.count({ corpId: 'wwCorpB' })).toBe(2);
      expect(await index.lastSeq(CORP)).toBe(3000);
      for (const filter of [{}, { chatKey }, { msgtype: 1 }]) {
        const want = expected(messages, filter).filter((m) => m.sendTime >= cut);
        expect(await index.count({ corpId: CORP, ...filter })).toBe(want.length);
        expect((await walk(index, { corpId: CORP, ...filter, first: 97 })).map((m) => m.seq)).toEqual(
          want.map((m) => m.seq),
        );
        const back = await walk(index, { corpId: CORP, ...filter, first: 97, direction: 'desc' });
        expect(back.map((m) => m.seq)).toEqual(want.map((m) => m.seq).reverse());
        // A cursor from before the cutoff resumes at the first message kept.
        const resumed = await index.query({ corpId: CORP, ...filter, after: 10, first: 1 });
        expect(resumed.items[0]?.seq).toBe(want[0]?.seq);
      }
      expect(await index.getMany(CORP, [messages[0]!.msgid, messages[removed - 1]!.msgid])).toEqual([
        null,
        null,
      ]);
      expect(await index.get(CORP, messages[removed]!.msgid)).toEqual({
        ...messages[removed]!,
        seq: removed + 1,
      });
      // A dropped msgid is new again; a kept one is still a duplicate.
      const again = await index.append(CORP, [messages[5]!, messages[2000]!]);
      expect(again.map((m) => [m.msgid, m.seq])).toEqual([[messages[5]!.msgid, 3001]]);
      expect(await index.get(CORP, messages[5]!.msgid)).toEqual({ ...messages[5]!, seq: 3001 });
      // Everything.
      expect(await index.dropBefore(D0 + 100 * 86_400)).toBe(kept.length + 1 + 2);
      expect(await index.count({ corpId: CORP })).toBe(0);
      expect(await index.count({ corpId: CORP, chatKey })).toBe(0);
      expect((await index.query({ corpId: CORP, first: 10 })).items).toEqual([]);
      expect((await index.query({ corpId: CORP, chatKey, first: 10, direction: 'desc' })).items).toEqual([]);
      expect(await index.get(CORP, messages[2999]!.msgid)).toBeNull();
      expect(await index.lastSeq(CORP)).toBe(3001);
      const later = archive(300).map((m) => ({
        ...m,
        msgid: `later-${m.msgid}`,
        sendTime: D0 + 200 * 86_400 + (m.sendTime - T0),
      }));
      const added = await index.append(CORP, later);
      expect(added.map((m) => m.seq)).toEqual(later.map((_, i) => 3002 + i));
      expect((await walk(index, { corpId: CORP, chatKey, first: 50 })).map((m) => m.seq)).toEqual(
        expected(later, { chatKey }).map((m) => m.seq + 3001),
      );
      expect(await index.count({ corpId: CORP, msgtype: 1 })).toBe(expected(later, { msgtype: 1 }).length);
    });

    it('is idempotent by msgid in and across batches, whatever the msgid looks like', async () => {
      const ids = [
        '10958372969718811103_1603875609704_external',
        '00012_5_internal',
        '12_5_internal',
        '18446744073709551615_1_internal',
        '18446744073709551616_1_internal',
        '1_0123_external',
        'CAQQluDa4QUY0On2rYSAgAMgzPrShAE=',
        'abcd',
        'ab==',
        'abc',
        'ünïcødé message id',
        'x',
      ];
      const batch = ids.map((msgid, i) => msg(i, { msgid }));
      const first = await index.append(CORP, [...batch, batch[3]!, batch[0]!, msg(99, { msgid: 'x' })]);
      expect(first.map((m) => [m.msgid, m.seq])).toEqual(ids.map((id, i) => [id, i + 1]));
      expect(first[11]).toEqual({ ...batch[11]!, seq: 12 });
      const second = await index.append(CORP, [
        msg(50, { msgid: '12_5_internal' }),
        msg(51),
        ...batch.slice(5),
      ]);
      expect(second.map((m) => [m.msgid, m.seq])).toEqual([['m51', 13]]);
      expect(await index.getMany(CORP, [...ids].reverse())).toEqual(
        batch.map((m, i) => ({ ...m, seq: i + 1 })).reverse(),
      );
      expect(await index.get(CORP, '0012_5_internal')).toBeNull();
      expect(await index.get(CORP, '12_5_external')).toBeNull();
    });

    it('recognises an archived msgid whether its page spans one send day or many', async () => {
      // Six send days: more than the PostgreSQL archive looks up day by day in one page.
      const days = Array.from({ length: 6 }, (_, d) => msg(100 + d, { sendTime: D0 + d * 86_400 + 60 }));
      expect(await index.append(CORP, days)).toHaveLength(6);
      for (const m of days) expect(await index.append(CORP, [m])).toEqual([]);
      expect(await index.append(CORP, [...days].reverse())).toEqual([]);
      // The same msgid at another time of its day, and next to a new message of another day.
      const moved = { ...days[2]!, sendTime: days[2]!.sendTime + 3600 };
      const added = await index.append(CORP, [moved, msg(200, { sendTime: D0 + 9 * 86_400 })]);
      expect(added.map((m) => [m.msgid, m.seq])).toEqual([['m200', 7]]);
      expect(await index.count({ corpId: CORP })).toBe(7);
    });

    it('round-trips unusual field values', async () => {
      const odd = [
        msg(1, { encryptedSecretKey: 'c2VjcmV0LWtleQ', sendTime: 0 }),
        msg(2, { encryptedSecretKey: 'a-b_c', msgtype: -3, publicKeyVersion: 70_000, sendTime: 5 }),
        msg(3, { receivers: [], encryptedSecretKey: '', sendTime: 4 }),
        msg(4, { sender: { type: 7, id: 'same' }, receivers: [{ type: 7, id: 'same' }], sendTime: 2 ** 40 }),
        msg(5, { chatId: 'wr', receivers: [], msgtype: 2 ** 31 - 1 }),
      ];
      await index.append(CORP, odd);
      expect(
        await index.getMany(
          CORP,
          odd.map((m) => m.msgid),
        ),
      ).toEqual(odd.map((m, i) => ({ ...m, seq: i + 1 })));
      expect((await index.query({ corpId: CORP, first: 10 })).items).toEqual(
        odd.map((m, i) => ({ ...m, seq: i + 1 })),
      );
      expect(await index.count({ corpId: CORP, chatKey: singleChatKey('same', 'same') })).toBe(1);
    });

    it('never indexes a msgid twice under concurrent appends', async () => {
      const messages = archive(600);
      const slices = [messages.slice(0, 400), messages.slice(200, 600), messages.slice(100, 500), messages];
      const added = (await Promise.all(slices.map((slice) => index.append(CORP, slice)))).flat();
      expect(added).toHaveLength(600);
      expect(new Set(added.map((m) => m.msgid)).size).toBe(600);
      expect(added.map((m) => m.seq).sort((a, b) => a - b)).toEqual(messages.map((_, i) => i + 1));
      expect(await index.count({ corpId: CORP })).toBe(600);
    });

    it('commits a page with its quarantined records and its cursor, and refuses a moved cursor', async () => {
      const state = () => stateOf(index);
      const first = await index.commitPage(CORP, {
        messages: [msg(1), msg(2)],
        quarantined: [
          { msgid: 'bad-1', digest: 'd1', raw: '{"msgid":"bad-1"}', reason: 'service_encrypt_info: missing' },
        ],
        cursor: { from: null, to: 'c1' },
        now: 1000,
      });
      expect(first.map((m) => m.seq)).toEqual([1, 2]);
      expect(await state().read(CORP, 'sync')).toMatchObject({
        cursor: 'c1',
        cursorUpdatedAt: 1000,
        quarantined: 1,
      });
      // A worker that read the cursor before the page above lost the race: nothing of it is written.
      await expect(
        index.commitPage(CORP, { messages: [msg(3)], cursor: { from: null, to: 'c1-other' }, now: 2000 }),
      ).rejects.toBeInstanceOf(CheckpointMovedError);
      expect(await index.count({ corpId: CORP })).toBe(2);
      expect(await state().read(CORP, 'sync')).toMatchObject({ cursor: 'c1', quarantined: 1 });
      // The repeated page (a crash between fetch and commit) adds only what is new.
      const second = await index.commitPage(CORP, {
        messages: [msg(2), msg(3)],
        // The same bad record again (one entry), and a new one.
        quarantined: [
          { msgid: 'bad-1', digest: 'd1', raw: '{"msgid":"bad-1"}', reason: 'service_encrypt_info: missing' },
          { msgid: null, digest: 'd2', raw: '[]', reason: 'not an object' },
        ],
        cursor: { from: 'c1', to: 'c2' },
        now: 3000,
      });
      expect(second.map((m) => [m.msgid, m.seq])).toEqual([['m3', 3]]);
      expect(await state().read(CORP, 'sync')).toMatchObject({ cursor: 'c2', quarantined: 2 });
      const listed = await index.quarantined(CORP, 1);
      expect(listed.hasMore).toBe(true);
      expect(listed.items).toEqual([
        expect.objectContaining({
          msgid: 'bad-1',
          reason: 'service_encrypt_info: missing',
          recordedAt: 1000,
        }),
      ]);
      const rest = await index.quarantined(CORP, 10, listed.items[0]!.id);
      expect(rest).toEqual({ hasMore: false, items: [expect.objectContaining({ msgid: null, raw: '[]' })] });
      await index.purgeCorp(CORP);
      expect(await state().read(CORP, 'sync')).toMatchObject({ cursor: null, quarantined: 0 });
      expect((await index.quarantined(CORP, 10)).items).toEqual([]);
    });

    it('keeps corps apart and purges one corp whole', async () => {
      await index.append(CORP, fixture());
      await index.append('wwCorpB', [msg(1)]);
      expect(await index.count({ corpId: CORP })).toBe(30);
      expect((await index.query({ corpId: CORP, chatKey: 'wrGroup1', first: 100 })).items[0]?.msgid).toBe(
        'm0',
      );
      await index.purgeCorp(CORP);
      expect(await index.count({ corpId: CORP })).toBe(0);
      expect(await index.lastSeq(CORP)).toBe(0);
      expect(await index.get('wwCorpB', 'm1')).not.toBeNull();
    });
  });
}
