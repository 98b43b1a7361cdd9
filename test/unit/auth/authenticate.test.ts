import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Access } from '../../../src/auth/Access.js';
import { createAuthenticator } from '../../../src/auth/authenticate.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('API keys', () => {
  const authenticate = createAuthenticator([
    { id: 'plain', key: 'k-plain', corps: ['*'], scopes: ['corp:read'] },
    { id: 'hashed', key: `sha256:${sha('k-hashed')}`, corps: ['wwA'], scopes: ['corp:read', 'admin'] },
  ]);

  it('accepts plain and sha256 keys, with or without the Bearer scheme', () => {
    expect(authenticate('Bearer k-plain')?.id).toBe('plain');
    expect(authenticate('bearer   k-hashed ')?.id).toBe('hashed');
    expect(authenticate('k-hashed')?.id).toBe('hashed');
  });

  it('rejects missing, empty, wrong and hash-as-key values', () => {
    for (const value of [
      undefined,
      null,
      '',
      'Bearer ',
      'Bearer wrong',
      `Bearer sha256:${sha('k-hashed')}`,
    ]) {
      expect(authenticate(value)).toBeNull();
    }
  });

  it('refuses a malformed stored hash at startup', () => {
    expect(() => createAuthenticator([{ id: 'x', key: 'sha256:abc', corps: ['*'], scopes: [] }])).toThrow(
      /64 hex digits/,
    );
  });
});

describe('Access', () => {
  const access = new Access({ id: 'c', key: 'k', corps: ['wwA'], scopes: ['corp:read'] });

  it('checks the corp before the scope', () => {
    expect(() => access.requireCorp('wwB', 'admin')).toThrow(/may not access corp "wwB"/);
    expect(() => access.requireCorp('wwA', 'admin')).toThrow(/lacks scope admin/);
    expect(access.requireCorp('wwA').id).toBe('c');
  });

  it('UNAUTHENTICATED without a client', () => {
    expect(() => new Access(null).requireCorp('wwA')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
  });
});
