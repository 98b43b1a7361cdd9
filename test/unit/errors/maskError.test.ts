import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { WecomError, type WecomErrorCode } from '../../../src/datasources/wecom/WecomError.js';
import { badUserInput } from '../../../src/errors/codes.js';
import { createMaskError } from '../../../src/errors/maskError.js';

const located = (original: Error) =>
  new GraphQLError(original.message, { path: ['corp', 'keywordRules'], originalError: original });

describe('maskError: one mapping for every failure', () => {
  const mask = createMaskError(false);
  const codes: WecomErrorCode[] = [
    'UPSTREAM_ERROR',
    'RATE_LIMITED',
    'UPSTREAM_CONTRACT',
    'UPSTREAM_UNAVAILABLE',
    'UPSTREAM_TIMEOUT',
    'CORP_NOT_AUTHORIZED',
  ];
  for (const code of codes) {
    it(`WecomError ${code} keeps its code, path, errcode and retryable`, () => {
      const wecom = new WecomError(`/cgi-bin/chatdata/search_chat failed (${code})`, {
        code,
        path: '/cgi-bin/chatdata/search_chat?access_token=SECRET',
        errcode: code === 'UPSTREAM_ERROR' ? 301053 : null,
        httpStatus: 200,
        retryable: code === 'UPSTREAM_TIMEOUT',
        hint: null,
      });
      const out = mask(located(wecom), 'Unexpected error.') as GraphQLError;
      expect(out.extensions).toMatchObject({
        code,
        path: '/cgi-bin/chatdata/search_chat',
        errcode: code === 'UPSTREAM_ERROR' ? 301053 : null,
        retryable: code === 'UPSTREAM_TIMEOUT',
      });
      expect(out.path).toEqual(['corp', 'keywordRules']);
      expect(JSON.stringify(out)).not.toContain('SECRET');
    });
  }

  it('finds a WecomError behind a cause chain', () => {
    const wecom = new WecomError('busy', {
      code: 'UPSTREAM_ERROR',
      path: '/x',
      errcode: -1,
      httpStatus: 200,
      retryable: true,
      hint: null,
    });
    const out = mask(located(new Error('wrapped', { cause: wecom })), 'Unexpected error.') as GraphQLError;
    expect(out.extensions['code']).toBe('UPSTREAM_ERROR');
  });

  it('passes coded GraphQL errors through unchanged', () => {
    const coded = badUserInput('first must be 1..100, got 500', 'first', 500);
    const out = mask(located(coded), 'Unexpected error.') as GraphQLError;
    expect(out.message).toBe('first must be 1..100, got 500');
    expect(out.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', value: 500 });
  });

  it('masks anything else, and shows details only when exposeErrors is on', () => {
    const boom = located(new TypeError('secret internals'));
    const masked = mask(boom, 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions['code']).toBe('INTERNAL_SERVER_ERROR');
    const exposed = createMaskError(true)(boom, 'Unexpected error.') as GraphQLError;
    expect(exposed.message).toBe('TypeError: secret internals');
    expect(exposed.extensions['code']).toBe('INTERNAL_SERVER_ERROR');
  });

  it('gives a code-less GraphQL error of the request BAD_REQUEST and 400; at a path, the code alone', () => {
    const request = mask(new GraphQLError('Missing multipart form field "operations"'), 'x') as GraphQLError;
    expect(request.message).toBe('Missing multipart form field "operations"');
    expect(request.extensions).toEqual({ code: 'BAD_REQUEST', http: { status: 400 } });
    const field = mask(new GraphQLError('odd', { path: ['corp', 'name'] }), 'x') as GraphQLError;
    expect(field.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(field.path).toEqual(['corp', 'name']);
  });

  it("makes yoga's unknown-operationName error a spec request error (400, or 200 under application/json)", () => {
    const yogas = new GraphQLError('Could not determine what operation to execute.', {
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
    });
    const out = mask(yogas, 'x') as GraphQLError;
    expect(out.extensions).toEqual({
      code: 'OPERATION_RESOLUTION_FAILURE',
      http: { spec: true, status: 400 },
    });
    expect(mask(out, 'x')).toBe(out);
  });
});
