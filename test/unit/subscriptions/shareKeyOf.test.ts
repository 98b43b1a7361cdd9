import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../../src/config/config.js';
import { shareKeyOf } from '../../../src/subscriptions/shareKeyOf.js';

const client: ClientConfig = { id: 'a', key: 'k', corps: ['ww1'], scopes: ['corp:read'] } as ClientConfig;
const LIVE = parse(
  'subscription ($c: String!, $after: String) { messageAdded(corpId: $c, after: $after) { cursor } }',
);
const key = (over: Partial<Parameters<typeof shareKeyOf>[0]> = {}) =>
  shareKeyOf({ document: LIVE, operationName: null, variables: { c: 'ww1' }, client, ...over });

describe('shareKeyOf', () => {
  it('gives identical subscriptions of one client the same key', () => {
    expect(key()).not.toBeNull();
    expect(key()).toBe(key({ variables: { c: 'ww1' } }));
    // An explicit null cursor is live too (its own group: variables are compared as sent).
    expect(key({ variables: { c: 'ww1', after: null } })).not.toBeNull();
  });

  it('separates other variables, documents, clients and access', () => {
    const other = parse(
      'subscription ($c: String!) { messageAdded(corpId: $c) { cursor message { msgid } } }',
    );
    const keys = [
      key(),
      key({ variables: { c: 'ww2' } }),
      key({ document: other }),
      key({ client: { ...client, id: 'b' } }),
      key({ client: { ...client, corps: ['*'] } }),
      key({ client: { ...client, scopes: ['corp:read', 'admin'] } as ClientConfig }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never shares a replay (after set by variable, literal or default), a query, or an anonymous caller', () => {
    expect(key({ variables: { c: 'ww1', after: 'Y3Vy' } })).toBeNull();
    expect(
      key({ document: parse('subscription { messageAdded(corpId: "ww1", after: "Y3Vy") { cursor } }') }),
    ).toBeNull();
    expect(
      key({
        document: parse(
          'subscription ($a: String = "Y3Vy") { messageAdded(corpId: "ww1", after: $a) { cursor } }',
        ),
      }),
    ).toBeNull();
    expect(key({ document: parse('query { corps { corpId } }') })).toBeNull();
    expect(key({ client: null })).toBeNull();
  });
});
