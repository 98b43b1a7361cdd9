import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logging/Logger.js';
import { type Collected, sseSubscribe, wsSubscribe } from '../../helpers/liveClients.js';
import { ADMIN_KEY, archiveAll, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

type Line = { level: string; obj: Record<string, unknown>; msg: string | undefined };
type Added = { messageAdded: { message: { msgid: string } } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIVE = 'subscription($c: String!) { messageAdded(corpId: $c) { message { msgid } } }';
const MASKED = [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];

/**
 * Every masked error leaves one log line with its request id and stack, whichever part masked
 * it: an execution error (the operation's logger), or what never became a result — here a
 * subscription source that throws mid-stream (the message index gone while the stream reads a
 * gap from it), over SSE and graphql-ws — which yoga masks and its logger would report again.
 */
describe('masked errors in the log', () => {
  let stack: Stack;
  let corpId: string;
  const lines: Line[] = [];
  const record = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  beforeAll(async () => {
    stack = await startStack({ logger });
    corpId = stack.corps[0]!.corpId;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** The lines logged from `from` on that report a masked error, and yoga's own error lines. */
  const since = (from: number) => ({
    masked: lines.slice(from).filter((l) => l.msg === 'masked error'),
    yoga: lines.slice(from).filter((l) => l.obj['from'] === 'graphql-yoga' && l.level !== 'debug'),
  });

  /**
   * Once `live` has received a message (it is past its replay and following the bus), the
   * messages table disappears and a batch that leaves a gap is published: the stream reads the gap
   * from the index, which throws. The table is back before this returns.
   */
  async function throwMidStream(live: Collected<Added>): Promise<unknown[]> {
    const { msgids } = await stack.simPost<{ msgids: string[] }>('/__sim/messages', { corpId, count: 1 });
    const [first] = await live.waitForCount(1);
    expect(first!.messageAdded.message.msgid).toBe(msgids[0]);
    const last = await stack.app.ingest.index.lastSeq(corpId);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query('ALTER TABLE messages RENAME TO messages_away');
      stack.app.ingest.bus.publish('message', corpId, {
        corpId,
        fromSeq: last + 2,
        toSeq: last + 2,
        messages: [],
      });
      await waitFor('the stream to fail', () => live.errors.length > 0);
    } finally {
      await db.query('ALTER TABLE messages_away RENAME TO messages');
      await db.end();
    }
    await live.completed;
    return live.errors;
  }

  /**
   * Runs `throwMidStream` on `live` and checks what was logged for it: one `masked error` line at
   * error with the store's error and its stack, and no line of yoga's own. Returns the line.
   */
  async function loggedOnce(live: Collected<Added>): Promise<Line> {
    const from = lines.length;
    try {
      expect(await throwMidStream(live)).toMatchObject([MASKED]);
    } finally {
      await live.stop();
    }
    const { masked, yoga } = since(from);
    expect(masked).toHaveLength(1);
    expect(masked[0]).toMatchObject({ level: 'error', obj: { code: 'INTERNAL_SERVER_ERROR' } });
    const err = masked[0]!.obj['err'] as Error;
    expect(err.message).toMatch(/relation "messages" does not exist/);
    expect(String(err.stack)).toMatch(/\n\s+at /);
    expect(yoga).toEqual([]);
    return masked[0]!;
  }

  it('a subscription source that throws mid-stream over SSE: masked, logged once with the request id and stack', async () => {
    const headers = { 'x-request-id': 'sse-1' };
    const line = await loggedOnce(
      sseSubscribe<Added>(stack.graphqlUrl, ADMIN_KEY, LIVE, { c: corpId }, headers),
    );
    expect(line.obj['requestId']).toBe('sse-1');
  });

  it('the same over graphql-ws, with the operation’s own request id', async () => {
    const line = await loggedOnce(wsSubscribe<Added>(stack.graphqlUrl, ADMIN_KEY, LIVE, { c: corpId }));
    expect(line.obj['requestId']).toMatch(UUID);
  });

  it('an execution error over graphql-ws is logged with that operation’s request id and path', async () => {
    const [good, bad] = await archiveAll(stack, corpId);
    stack.messages.add([
      { ...bad!, encryptedSecretKey: Buffer.from('not an RSA ciphertext').toString('base64') },
    ]);
    const from = lines.length;
    const query =
      'query($c: String!, $ids: [ID!]!) { corp(corpId: $c) { displayKeys(messageIds: $ids) { messageId } } }';
    const results: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const op = wsSubscribe<unknown>(stack.graphqlUrl, ADMIN_KEY, query, {
        c: corpId,
        ids: [good!.msgid, bad!.msgid],
      });
      await op.completed;
      results.push(op.errors);
      await op.stop();
    }
    expect(results).toEqual([
      [[{ ...MASKED[0], locations: [{ line: 1, column: 55 }], path: ['corp', 'displayKeys', 1] }]],
      [[{ ...MASKED[0], locations: [{ line: 1, column: 55 }], path: ['corp', 'displayKeys', 1] }]],
    ]);
    const { masked, yoga } = since(from);
    expect(masked.map((l) => l.obj['path'])).toEqual(['corp.displayKeys.1', 'corp.displayKeys.1']);
    const ids = masked.map((l) => String(l.obj['requestId']));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(2);
    expect(yoga).toEqual([]);
  });
});
