import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { bareResponse } from '../../../../src/datasources/wecom/endpoints/common.js';
import { uploadMediaReconciled } from '../../../../src/datasources/wecom/reconcile/uploadMediaReconciled.js';
import { WecomHttp } from '../../../../src/datasources/wecom/WecomHttp.js';
import { silentLogger } from '../../../../src/logging/Logger.js';
import { failure, seedCorp, wire } from '../harness.js';
import { type StubReply, type StubUpstream, startStubUpstream } from '../stubUpstream.js';

// Issue 11, point 4: a call that changes state upstream is never repeated when it may already
// have happened; reads and harmless repeats keep their retries.
const CREATE_RULE = '/cgi-bin/chatdata/keyword/create_rule';
const SYNC = '/cgi-bin/chatdata/sync_msg';
const UPLOAD = '/cgi-bin/media/upload';
const RULE = { name: 'r', keyword: { word_list: ['报价'] } };

let stub: StubUpstream;
let ctx: ReturnType<typeof wire>;

beforeEach(async () => {
  stub = await startStubUpstream();
  ctx = wire(stub, new MemoryKeyValueStore(), { timeoutMs: 300, retries: 2 });
  await ctx.tokens.setSuiteTicket('ticket-1', 1);
  await seedCorp(ctx.corps, 'wwcorp1');
  // A corp token first, so the scripted replies below meet only the calls under test.
  await ctx.tokens.getCorpToken('wwcorp1');
});
afterEach(async () => {
  await ctx.http.close();
  await stub.close();
});

describe('state-changing calls after a lost answer', () => {
  it.each<[string, StubReply]>([
    ['a timeout', { delayMs: 1000, json: { errcode: 0, errmsg: 'ok', rule_id: 'late' } }],
    ['a dropped connection', { drop: true }],
    ['a 502 without a WeCom envelope', { status: 502, raw: '<html>bad gateway</html>' }],
  ])('keyword/create_rule after %s is UPSTREAM_OUTCOME_UNKNOWN after one attempt', async (_, reply) => {
    stub.script(CREATE_RULE, reply, { json: { errcode: 0, errmsg: 'ok', rule_id: 'second' } });
    const error = await failure(ctx.api.chatdata('wwcorp1', 'keyword/create_rule', RULE));
    expect(error).toMatchObject({ code: 'UPSTREAM_OUTCOME_UNKNOWN', retryable: false, path: CREATE_RULE });
    expect(error.message).toContain('may have taken effect upstream');
    expect(error.message).toContain('again creates a second rule');
    expect(stub.count(CREATE_RULE)).toBe(1);
  });

  it('a WeCom refusal (-1 system busy, 45033) is retried: the envelope says nothing happened', async () => {
    stub.script(
      CREATE_RULE,
      { json: { errcode: -1, errmsg: 'system busy' } },
      { json: { errcode: 45033, errmsg: 'api concurrent out of limit' } },
      { json: { errcode: 0, errmsg: 'ok', rule_id: 'kr1' } },
    );
    expect(await ctx.api.chatdata('wwcorp1', 'keyword/create_rule', RULE)).toEqual({ rule_id: 'kr1' });
    expect(stub.count(CREATE_RULE)).toBe(3);
  });

  it('a 503 that carries a WeCom envelope is that errcode, not an unknown outcome', async () => {
    stub.script(
      CREATE_RULE,
      { status: 503, json: { errcode: -1, errmsg: 'system busy' } },
      { json: { errcode: 0, errmsg: 'ok', rule_id: 'kr2' } },
    );
    expect(await ctx.api.chatdata('wwcorp1', 'keyword/create_rule', RULE)).toEqual({ rule_id: 'kr2' });
  });

  it('reads are retried after a timeout', async () => {
    stub.script(SYNC, { delayMs: 1000 });
    const page = await ctx.api.chatdata('wwcorp1', 'sync_msg', { limit: 10 });
    expect(page.next_cursor).toBe('c1');
    expect(stub.count(SYNC)).toBe(2);
  });

  // Not repeated blindly by the HTTP layer: the one repeat is the explicit reconcile, whose
  // answer is the only media id the caller sees (the lost one expires upstream unused).
  it('media/upload after a dropped connection: one attempt here, one more by its reconcile', async () => {
    stub.script(UPLOAD, { drop: true });
    const bytes = new Uint8Array([1, 2, 3]);
    const error = await failure(ctx.api.uploadMedia('wwcorp1', 'template.txt', bytes));
    expect(error).toMatchObject({ code: 'UPSTREAM_OUTCOME_UNKNOWN', path: UPLOAD });
    expect(error.message).toContain('expires after 3 days');
    expect(stub.count(UPLOAD)).toBe(1);
    stub.script(UPLOAD, { drop: true });
    const media = await uploadMediaReconciled(ctx.api, 'wwcorp1', 'template.txt', bytes);
    expect(media.mediaId).toBe('media-1');
    expect(stub.count(UPLOAD)).toBe(3);
  });

  it('a connection that could not be opened sent nothing: retryable, not an unknown outcome', async () => {
    const closed = new WecomHttp({
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 300,
      retries: 1,
      backoffBaseMs: 1,
      logger: silentLogger,
    });
    const error = await failure(closed.postJson(CREATE_RULE, { access_token: 't' }, RULE, bareResponse));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    await closed.close();
  });
});
