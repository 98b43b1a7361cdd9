import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { singleChatKey } from '../../../src/datasources/messageIndex/chatKeyOf.js';
import { MemoryMessageIndex } from '../../../src/datasources/messageIndex/MemoryMessageIndex.js';
import type { MessageIndex } from '../../../src/datasources/messageIndex/MessageIndex.js';
import { RedisMessageIndex } from '../../../src/datasources/messageIndex/RedisMessageIndex.js';
import type { ArchivedMessage } from '../../../src/datasources/ports.js';
import { purgePrefix, redisAvailable, testRedisUrl, uniquePrefix } from '../../helpers/redis.js';

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

const implementations: [string, boolean, () => Promise<{ index: MessageIndex; cleanup(): Promise<void> }>][] =
  [
    ['memory', true, async () => ({ index: new MemoryMessageIndex(), cleanup: async () => {} })],
    [
      'redis',
      redisAvailable,
      async () => {
        const prefix = uniquePrefix('ix');
        const redis = new Redis(testRedisUrl);
        return {
          index: new RedisMessageIndex(redis, prefix),
          cleanup: async () => {
            await purgePrefix(prefix);
            redis.disconnect();
          },
        };
      },
    ],
  ];

for (const [name, available, create] of implementations) {
  describe.skipIf(!available)(`MessageIndex contract: ${name}`, () => {
    let index: MessageIndex;
    let cleanup: () => Promise<void> = async () => {};

    beforeEach(async () => {
      await cleanup();
      ({ index, cleanup } = await create());
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

    it('trims by send time and keeps corps apart', async () => {
      await index.append(CORP, fixture());
      await index.append('wwCorpB', [msg(1)]);
      expect(await index.trim(CORP, T0 + 100)).toBe(10);
      expect(await index.count({ corpId: CORP })).toBe(20);
      expect(await index.get(CORP, 'm9')).toBeNull();
      expect((await index.query({ corpId: CORP, chatKey: 'wrGroup1', first: 100 })).items[0]?.msgid).toBe(
        'm12',
      );
      await index.purgeCorp(CORP);
      expect(await index.count({ corpId: CORP })).toBe(0);
      expect(await index.lastSeq(CORP)).toBe(0);
      expect(await index.get('wwCorpB', 'm1')).not.toBeNull();
    });
  });
}
