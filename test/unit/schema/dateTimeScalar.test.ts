import { type GraphQLScalarType, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.js';

const DateTime = schema.getType('DateTime') as GraphQLScalarType;
const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return [(error as { extensions?: { code?: string } }).extensions?.code, (error as Error).message];
  }
  return 'no error';
};

describe('DateTime (graphql-scalars DateTimeISO, fast path for Unix seconds)', () => {
  it('serializes Unix seconds, Dates and ISO strings to the same ISO-8601 string', () => {
    const iso = '2024-04-08T01:33:20.000Z';
    expect(DateTime.serialize(1_712_540_000)).toBe(iso);
    expect(DateTime.serialize(1_712_540_000.5)).toBe('2024-04-08T01:33:20.500Z');
    expect(DateTime.serialize(new Date(iso))).toBe(iso);
    expect(DateTime.serialize('2024-04-08T09:33:20+08:00')).toBe(iso);
    expect(() => DateTime.serialize(Number.NaN)).toThrow(/invalid Date/);
  });

  it('parses RFC 3339 input; anything else is BAD_USER_INPUT restating the format', () => {
    expect((DateTime.parseValue('2024-04-08T09:33:20+08:00') as Date).toISOString()).toBe(
      '2024-04-08T01:33:20.000Z',
    );
    const literal = { kind: Kind.STRING, value: '2024-04-08T01:33:20Z' } as const;
    expect((DateTime.parseLiteral(literal, undefined) as Date).getTime()).toBe(1_712_540_000_000);
    const contract = 'DateTime must be an ISO-8601 string like 2024-04-08T01:33:20Z, got';
    expect(codeOf(() => DateTime.parseValue('yesterday'))).toEqual([
      'BAD_USER_INPUT',
      `${contract} "yesterday"`,
    ]);
    // Without a zone the instant is ambiguous (Date would read it as server-local time).
    expect(codeOf(() => DateTime.parseValue('2024-04-08T01:33:20'))).toEqual([
      'BAD_USER_INPUT',
      `${contract} "2024-04-08T01:33:20"`,
    ]);
    expect(codeOf(() => DateTime.parseLiteral({ kind: Kind.STRING, value: '2024-13-01T00:00:00Z' }))).toEqual(
      ['BAD_USER_INPUT', `${contract} "2024-13-01T00:00:00Z"`],
    );
  });
});
