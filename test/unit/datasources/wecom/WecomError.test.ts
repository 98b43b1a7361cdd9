import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { chatdataSchemas } from '../../../../src/datasources/wecom/upstreamSchemas.js';
import {
  parseHint,
  redactSecrets,
  toWecomError,
  WecomError,
} from '../../../../src/datasources/wecom/WecomError.js';

const PATH = '/cgi-bin/chatdata/sync_msg';
const env = (errcode: number, errmsg = 'x') => toWecomError(PATH, { kind: 'envelope', errcode, errmsg });

describe('toWecomError', () => {
  it('classifies envelope errcodes', () => {
    expect(env(-1)).toMatchObject({ code: 'UPSTREAM_ERROR', errcode: -1, retryable: true, httpStatus: 200 });
    expect(env(45033)).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: true });
    expect(env(45009)).toMatchObject({ code: 'RATE_LIMITED', retryable: false });
    expect(env(48004)).toMatchObject({ code: 'CORP_NOT_AUTHORIZED', retryable: false });
    expect(env(40084)).toMatchObject({ code: 'CORP_NOT_AUTHORIZED', retryable: false });
    expect(env(40014)).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    expect(env(710611)).toMatchObject({ code: 'UPSTREAM_ERROR', errcode: 710611, retryable: false });
  });

  it('parses the hint trailer and keeps only the human part of errmsg in the message', () => {
    const errmsg =
      'invalid cursor, hint: [1712540000_37_9f2c], from ip: 10.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=710611';
    const error = env(710611, errmsg);
    expect(error.hint).toBe('1712540000_37_9f2c');
    expect(error.message).toBe('/cgi-bin/chatdata/sync_msg failed with errcode 710611: invalid cursor');
    expect(env(1, 'no trailer').hint).toBeNull();
    expect(parseHint('hint: [] x')).toBe('');
  });

  it('classifies HTTP statuses', () => {
    expect(toWecomError(PATH, { kind: 'http', status: 502 })).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      httpStatus: 502,
      errcode: null,
      retryable: true,
    });
    expect(toWecomError(PATH, { kind: 'http', status: 429 })).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: false,
    });
    expect(toWecomError(PATH, { kind: 'http', status: 404 })).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: false,
    });
  });

  it('classifies timeouts and network errors, thrown or described', () => {
    expect(toWecomError(PATH, { kind: 'timeout', timeoutMs: 800 })).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      retryable: true,
      message: `${PATH} timed out after 800 ms (deadline exceeded)`,
    });
    expect(toWecomError(PATH, new errors.HeadersTimeoutError())).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toWecomError(PATH, refused)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(toWecomError(PATH, new errors.SocketError('other side closed'))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(toWecomError(PATH, new TypeError('bug'))).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: false,
    });
  });

  it('names the API path and the field on contract drift, without echoing values', () => {
    // groupchat/get members are read whole (sync_msg records are classified one by one instead).
    const body = { creator: 'yes', room_create_time: 1, members: [{ memberid: 'wo', type: 1 }] };
    const parsed = chatdataSchemas['groupchat/get'].response.safeParse(body);
    if (parsed.success) throw new Error('expected drift');
    const error = toWecomError(PATH, { kind: 'contract', error: parsed.error, body });
    expect(error.code).toBe('UPSTREAM_CONTRACT');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`${PATH} response broke the contract`);
    expect(error.message).toContain('members[0].jointime:');
    expect(error.message).not.toContain('yes');
    expect(error.message).not.toContain('wo');
  });

  it('strips tokens from paths and messages', () => {
    const error = toWecomError('/cgi-bin/service/get_corp_token?suite_access_token=SEKRET&x=1', {
      kind: 'network',
      cause: Object.assign(new Error('failed GET /x?access_token=SEKRET2'), { code: 'ECONNRESET' }),
    });
    expect(error.path).toBe('/cgi-bin/service/get_corp_token');
    expect(error.message).not.toMatch(/SEKRET/);
    const direct = new WecomError('see /y?access_token=abc', {
      code: 'UPSTREAM_ERROR',
      path: '/y?access_token=abc',
      errcode: null,
      httpStatus: null,
      retryable: false,
      hint: null,
    });
    expect(direct.message).toBe('see /y?access_token=***');
    expect(direct.path).toBe('/y');
    // A 代开发 app's gettoken carries the permanent code as corpsecret in its query string.
    const gettoken = toWecomError('/cgi-bin/gettoken?corpid=wwA&corpsecret=PERMCODE', {
      kind: 'network',
      cause: Object.assign(new Error('failed GET /cgi-bin/gettoken?corpid=wwA&corpsecret=PERMCODE'), {
        code: 'ECONNRESET',
      }),
    });
    expect(gettoken.path).toBe('/cgi-bin/gettoken');
    expect(gettoken.message).not.toContain('PERMCODE');
    expect(redactSecrets('GET /cgi-bin/gettoken?corpid=wwA&corpsecret=PERMCODE&x=1')).toBe(
      'GET /cgi-bin/gettoken?corpid=wwA&corpsecret=***&x=1',
    );
  });

  it('passes an existing WecomError through', () => {
    const original = env(-1);
    expect(toWecomError('/other', original)).toBe(original);
  });
});
