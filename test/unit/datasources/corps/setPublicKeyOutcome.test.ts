import { describe, expect, it } from 'vitest';
import { setPublicKeyOutcome } from '../../../../src/datasources/corps/setPublicKeyOutcome.js';
import { WecomError } from '../../../../src/datasources/wecom/WecomError.js';

const PATH = '/cgi-bin/chatdata/set_public_key';
const envelope = (errcode: number) =>
  new WecomError(`errcode ${errcode}`, {
    code: 'UPSTREAM_ERROR',
    path: PATH,
    errcode,
    httpStatus: 200,
    retryable: false,
    hint: null,
  });
const timeout = () =>
  new WecomError('timed out', {
    code: 'UPSTREAM_TIMEOUT',
    path: PATH,
    errcode: null,
    httpStatus: null,
    retryable: true,
    hint: null,
  });
const http502 = () =>
  new WecomError('bad gateway', {
    code: 'UPSTREAM_UNAVAILABLE',
    path: PATH,
    errcode: null,
    httpStatus: 502,
    retryable: true,
    hint: null,
  });

/** The upstream's answers in order: `ok`, an errcode, or a thrown failure. */
function upstream(...answers: (0 | number | Error)[]) {
  let calls = 0;
  const send = async () => {
    const answer = answers[calls++];
    if (answer === undefined) throw new Error('unexpected extra call');
    if (answer instanceof Error) throw answer;
    if (answer !== 0) throw envelope(answer);
  };
  return { send, calls: () => calls };
}

describe('setPublicKeyOutcome: set_public_key is never retried blindly', () => {
  it.each([
    ['ok', [0], 'applied', 1],
    ['40212 on a fresh version: the upstream holds a newer one', [40212], 'version-taken', 1],
    ['40211: refused, the key was never used', [40211], 'refused', 1],
    ['timeout, then ok: applied now', [timeout(), 0], 'applied', 2],
    [
      'timeout, then 40212 for the same version: the first call took effect',
      [timeout(), 40212],
      'applied',
      2,
    ],
    ['502, then 40212', [http502(), 40212], 'applied', 2],
    ['timeout twice: unknown, keep the key', [timeout(), timeout()], 'unknown', 2],
    ['timeout, then 45009: says nothing of the first call, keep the key', [timeout(), 45009], 'unknown', 2],
  ] as const)('%s', async (_name, answers, kind, calls) => {
    const u = upstream(...answers);
    expect((await setPublicKeyOutcome(u.send)).kind).toBe(kind);
    expect(u.calls()).toBe(calls);
  });

  it('reads 40212 as applied when the version may have been sent before (repair of a pending key)', async () => {
    const u = upstream(40212);
    expect((await setPublicKeyOutcome(u.send, true)).kind).toBe('applied');
    expect(u.calls()).toBe(1);
  });
});
