import { gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '../../../src/datasources/store/ports.js';
import { messageTypeName } from '../../../src/resolvers/messageType.js';
import { MAX_BREAKDOWN_ROWS } from '../../../src/resolvers/statisticsBreakdownResolvers.js';
import { PgStatsStore } from '../../../src/stats/PgStatsStore.js';
import { gqlErrors, type Json } from '../../helpers/graphqlCall.js';
import { archiveAll, type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

const READER_KEY = 'breakdown-reader-key';
const DAY_S = 86_400;

const BREAKDOWN = gql`
  query ($corpId: String!, $from: DateTime!, $to: DateTime!, $by: [StatisticsDimension!]!) {
    corp(corpId: $corpId) {
      statisticsBreakdown(from: $from, to: $to, by: $by) {
        from to rows { day employeeId type msgtype direction messages }
      }
    }
  }
`;

type Row = {
  day: string | null;
  employeeId: string | null;
  type: string | null;
  msgtype: number | null;
  direction: string | null;
  messages: number;
};

/**
 * An independent reading of docs/statistics.md over the archived messages: direction from the
 * participant types (1 employee, 2 customer), and each message counted for the employees among
 * its sender and, in a single chat, its receiver.
 */
function expectedRows(messages: ArchivedMessage[], byEmployee: boolean): Row[] {
  const counts = new Map<string, Row>();
  for (const m of messages) {
    const types = new Set(m.receivers.map((r) => r.type));
    const direction =
      m.sender.type === 1
        ? types.has(2)
          ? 'EMPLOYEE_TO_CUSTOMER'
          : 'INTERNAL'
        : m.sender.type === 2 && types.has(1)
          ? 'CUSTOMER_TO_EMPLOYEE'
          : 'OTHER';
    const parties = m.chatId === null ? [m.sender, ...m.receivers.slice(0, 1)] : [m.sender];
    const employees = byEmployee
      ? [...new Set(parties.filter((p) => p.type === 1).map((p) => p.id))]
      : [null];
    const day = new Date(Math.floor(m.sendTime / DAY_S) * DAY_S * 1000).toISOString();
    for (const employeeId of employees) {
      const row = { day, employeeId, type: messageTypeName(m.msgtype), msgtype: m.msgtype, direction };
      const key = JSON.stringify(row);
      const existing = counts.get(key) ?? { ...row, messages: 0 };
      existing.messages += 1;
      counts.set(key, existing);
    }
  }
  const order = (r: Row) =>
    JSON.stringify([r.day, r.employeeId, String(r.msgtype).padStart(6, '0'), r.direction]);
  return [...counts.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

describe('Corp.statisticsBreakdown over PostgreSQL', () => {
  let stack: Stack;
  let corpId: string;
  let otherCorpId: string;
  let archived: ArchivedMessage[];
  let window: { from: string; to: string };

  beforeAll(async () => {
    stack = await startStack({
      redis: true,
      clients: (ids) => [{ id: 'reader', key: READER_KEY, corps: [ids[0]!], scopes: ['corp:read'] }],
    });
    corpId = stack.corps[0]!.corpId;
    otherCorpId = stack.corps[1]!.corpId;
    archived = await archiveAll(stack, corpId);
    await waitFor('statistics caught up with the archive', async () => {
      const [last, mark] = await Promise.all([
        stack.app.ingest.index.lastSeq(corpId),
        stack.app.ingest.statistics.store.watermark(corpId),
      ]);
      return last === archived.length && mark === last;
    });
    const days = archived.map((m) => Math.floor(m.sendTime / DAY_S));
    window = {
      from: new Date(Math.min(...days) * DAY_S * 1000).toISOString(),
      to: new Date((Math.max(...days) + 1) * DAY_S * 1000).toISOString(),
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts per employee × message type × day × direction as the archived messages do', async () => {
    expect(archived.length).toBeGreaterThan(0);
    expect(stack.app.ingest.statistics.store).toBeInstanceOf(PgStatsStore);
    const res: Json = await stack.client(READER_KEY).request(BREAKDOWN, {
      corpId,
      ...window,
      by: ['EMPLOYEE', 'MESSAGE_TYPE', 'DAY', 'DIRECTION'],
    });
    const b = res.corp.statisticsBreakdown;
    expect([b.from, b.to]).toEqual([window.from, window.to]);
    const expected = expectedRows(archived, true);
    expect(new Set(expected.map((r) => r.employeeId)).size).toBeGreaterThan(1);
    expect(b.rows).toEqual(expected);
  });

  it('counts every message once without EMPLOYEE, and the total matches the archive', async () => {
    const client = stack.client(READER_KEY);
    const all: Json = await client.request(BREAKDOWN, {
      corpId,
      ...window,
      by: ['DAY', 'MESSAGE_TYPE', 'DIRECTION'],
    });
    expect(all.corp.statisticsBreakdown.rows).toEqual(
      expectedRows(archived, false).map((r) => ({ ...r, employeeId: null })),
    );
    const total: Json = await client.request(BREAKDOWN, { corpId, ...window, by: [] });
    expect(total.corp.statisticsBreakdown.rows).toEqual([
      { day: null, employeeId: null, type: null, msgtype: null, direction: null, messages: archived.length },
    ]);
  });

  it('refuses a breakdown over the row cap instead of cutting it', async () => {
    const pool = stack.app.datasources.durable.pool;
    if (!pool) throw new Error('the stack runs on PostgreSQL');
    // A day of 2020, outside every other window here: one rollup row per made-up employee.
    const day = Math.floor(Date.UTC(2020, 0, 1) / 1000 / DAY_S);
    await pool.query(
      `INSERT INTO message_rollup (corp_id, day, employee_id, msgtype, direction, messages)
       SELECT $1, $2, 'woCap' || i, 1, 'INTERNAL', 1 FROM generate_series(1, $3::int) AS i`,
      [corpId, day, MAX_BREAKDOWN_ROWS + 1],
    );
    const at = (d: number) => new Date(d * DAY_S * 1000).toISOString();
    const vars = { corpId, from: at(day), to: at(day + 1) };
    const over = await gqlErrors(stack.client(READER_KEY), BREAKDOWN, { ...vars, by: ['EMPLOYEE'] });
    expect(over.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'by' });
    expect(over.errors[0]!.message).toContain(`at most ${MAX_BREAKDOWN_ROWS} rows`);
    const total: Json = await stack.client(READER_KEY).request(BREAKDOWN, { ...vars, by: ['DAY'] });
    // Made-up employee rows only, no corp row: nothing without EMPLOYEE.
    expect(total.corp.statisticsBreakdown.rows).toEqual([]);
  });

  it('enforces corp access and argument rules', async () => {
    const client = stack.client(READER_KEY);
    const foreign = await gqlErrors(client, BREAKDOWN, { corpId: otherCorpId, ...window, by: ['DAY'] });
    expect(foreign.errors[0]!.extensions?.['code']).toBe('FORBIDDEN');
    const tooLong = await gqlErrors(client, BREAKDOWN, {
      corpId,
      from: '2024-01-01T00:00:00Z',
      to: '2024-06-01T00:00:00Z',
      by: ['DAY'],
    });
    expect(tooLong.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(tooLong.errors[0]!.message).toContain('at most 92 days, got 152.0 days');
    const twice = await gqlErrors(client, BREAKDOWN, { corpId, ...window, by: ['DAY', 'EMPLOYEE', 'DAY'] });
    expect(twice.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'by' });
    expect(twice.errors[0]!.message).toBe('by must name each dimension at most once, got DAY more than once');
  });
});
