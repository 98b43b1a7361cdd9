import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logging/Logger.js';
import type { Json } from '../../helpers/graphqlCall.js';
import { ADMIN_KEY, archiveAll, type Stack, startStack } from '../../helpers/startStack.js';

type Line = { level: string; obj: Record<string, unknown>; msg: string | undefined };

/** Keeps what the gateway logs, for assertions. */
function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('unknown times, one bad item in a list, masked errors in the log', () => {
  let stack: Stack;
  const lines: Line[] = [];
  /** Operations graphql-jit compiled (src/plugins/useJitExecution.ts), by name. */
  const compiled: (string | null)[] = [];
  beforeAll(async () => {
    stack = await startStack({
      logger: recordingLogger(lines),
      jit: { onCompile: (name) => compiled.push(name) },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  async function post(
    query: string,
    variables: Record<string, unknown>,
    requestId: string,
    operationName?: string,
  ) {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_KEY}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({ query, variables, operationName }),
    });
    return (await res.json()) as {
      data: Json;
      errors?: { message: string; path: unknown[]; extensions: Json }[];
    };
  }

  it('a consent nobody changed has changedAt null, not 1970', async () => {
    const corp = stack.corps[0]!;
    const known = new Set(corp.consents.map((c) => `${c.openUserId}|${c.externalUserId}`));
    const pair = corp.employees
      .flatMap((e) => corp.customers.map((c) => ({ employee: e.openUserId, customer: c.externalUserId })))
      .find((p) => !known.has(`${p.employee}|${p.customer}`))!;
    const { employee, customer } = pair;
    const body = await post(
      'query($c: String!, $p: [ConsentPairInput!]!) { corp(corpId: $c) { consents(pairs: $p) { status changedAt } } }',
      { c: corp.corpId, p: [{ employeeId: employee, externalUserId: customer }] },
      'consent-1',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.corp.consents).toHaveLength(1);
    expect(body.data.corp.consents[0].changedAt).toBeNull();
  });

  it('one undecryptable key nulls that item alone, with its error at its path, logged with request id and stack; interpreted and compiled alike', async () => {
    const corpId = stack.corps[0]!.corpId;
    const [good, bad] = await archiveAll(stack, corpId);
    stack.messages.add([
      { ...bad!, encryptedSecretKey: Buffer.from('not an RSA ciphertext').toString('base64') },
    ]);
    // Queries are compiled once they repeat (useJitExecution's compileAfter): the first run is
    // interpreted, the later ones run compiled.
    const runs = ['display-keys-1', 'display-keys-2', 'display-keys-3'];
    for (const [i, requestId] of runs.entries()) {
      const body = await post(
        'query DisplayKeys($c: String!, $ids: [ID!]!) { corp(corpId: $c) { corpId displayKeys(messageIds: $ids) { messageId secretKey } } }',
        { c: corpId, ids: [good!.msgid, bad!.msgid] },
        requestId,
        'DisplayKeys',
      );
      expect(compiled.includes('DisplayKeys'), `compiled by run ${i + 1}`).toBe(i > 0);
      expect(body.data.corp.corpId, requestId).toBe(corpId);
      expect(body.data.corp.displayKeys[0], requestId).toMatchObject({ messageId: good!.msgid });
      expect(body.data.corp.displayKeys[1], requestId).toBeNull();
      expect(body.errors, requestId).toEqual([
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 74 }],
          path: ['corp', 'displayKeys', 1],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);

      const logged = lines.filter((l) => l.msg === 'masked error' && l.obj['requestId'] === requestId);
      expect(logged, requestId).toHaveLength(1);
      expect(logged[0]!.obj).toMatchObject({ path: 'corp.displayKeys.1' });
      expect(String((logged[0]!.obj['err'] as Error).stack)).toMatch(/\n\s+at /);
    }
    expect(lines.filter((l) => l.msg === 'masked error')).toHaveLength(runs.length);
  });
});
