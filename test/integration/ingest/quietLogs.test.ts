import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logging/Logger.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

type Line = { level: string; msg: string | undefined; obj: Record<string, unknown> };

/**
 * What may appear at info in normal operation: onboarding, slow syncs, rotations, the summary,
 * and once-per-event start-up facts (a schema migration, the callback URL verified by WeCom).
 */
const INFO_MESSAGES = new Set([
  'corp authorized',
  'slow sync',
  'public key set upstream',
  'activity',
  'database migration applied',
  'callback URL verified',
]);

/** A sync that indexed something and took this long or more is logged at info. */
const SLOW_SYNC_MS = 1000;
const SYNC_MSG = '/cgi-bin/chatdata/sync_msg';

describe('quiet by default', () => {
  let stack: Stack;
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  beforeAll(async () => {
    stack = await startStack({ indexLookup: true, logger, env: { LOG_SLOW_SYNC_MS: String(SLOW_SYNC_MS) } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Waits (bounded) for the lines logged from index `from` on that `match`; at least one. */
  const logged = (what: string, from: number, match: (l: Line) => boolean) =>
    waitFor(what, () => {
      const found = lines.slice(from).filter(match);
      return found.length > 0 ? found : null;
    }) as Promise<Line[]>;

  /** Creates `count` messages in the corp and waits until the index has them. */
  async function newMessages(corpId: string, count: number): Promise<void> {
    const before = await stack.app.ingest.index.lastSeq(corpId);
    await stack.simPost('/__sim/messages', { corpId, count, msgtype: 1 });
    await waitFor(
      'the new messages indexed',
      async () => (await stack.app.ingest.index.lastSeq(corpId)) >= before + count,
    );
  }

  it('onboarding logs one info line per corp (the archive app); callbacks and quick syncs of new messages log at debug', async () => {
    const authorized = lines.filter((l) => l.msg === 'corp authorized');
    // Each corp authorizes two apps: the archive app's line is the corp's onboarding (corp stored,
    // key set, sync started); the display app's is at debug (and counted in the activity summary).
    expect(authorized.filter((l) => l.level === 'info')).toHaveLength(1 * stack.corps.length);
    expect(authorized.filter((l) => l.level === 'info').every((l) => l.obj['app'] === 'archive')).toBe(true);
    expect(authorized.filter((l) => l.level === 'info').map((l) => l.obj['publicKeyVersion'])).toEqual(
      stack.corps.map(() => 1),
    );
    expect(authorized.filter((l) => l.obj['app'] === 'display').map((l) => l.level)).toEqual(
      stack.corps.map(() => 'debug'),
    );
    const corpId = stack.corps[0]!.corpId;
    const syncedBefore = lines.filter((l) => l.msg === 'corp synced').length;
    await newMessages(corpId, 5);
    await waitFor(
      'the sync logged',
      () => lines.filter((l) => l.msg === 'corp synced').length > syncedBefore,
    );
    expect(lines.filter((l) => l.msg === 'corp synced').every((l) => l.level === 'debug')).toBe(true);
    expect(lines.filter((l) => l.msg === 'callback handled').every((l) => l.level === 'debug')).toBe(true);
    expect(lines.filter((l) => l.msg === 'callback handled').length).toBeGreaterThan(0);
    const info = lines.filter((l) => l.level === 'info').map((l) => l.msg);
    expect(info.filter((m) => !INFO_MESSAGES.has(m ?? ''))).toEqual([]);
  });

  it(`a sync of new messages slower than LOG_SLOW_SYNC_MS logs one info line`, async () => {
    const corpId = stack.corps[1]!.corpId;
    const from = lines.length;
    await stack.simPost('/__sim/faults', { path: SYNC_MSG, corpId, delayMs: SLOW_SYNC_MS + 200, times: 1 });
    await newMessages(corpId, 3);
    // The callback's sync of the new messages (a watchdog pass that finds nothing may come too).
    const slow = await logged(
      'the sync logged',
      from,
      (l) => l.obj['corpId'] === corpId && Number(l.obj['added']) > 0,
    );
    expect(slow.map((l) => [l.level, l.msg, l.obj['corpId']])).toEqual([['info', 'slow sync', corpId]]);
    expect(slow[0]!.obj['added']).toBe(3);
    expect(slow[0]!.obj['ms']).toBeGreaterThanOrEqual(SLOW_SYNC_MS);
  });

  it('a sync that fails logs one warn line (the watchdog retries it later)', async () => {
    const corpId = stack.corps[2]!.corpId;
    const from = lines.length;
    await stack.simPost('/__sim/faults', { path: SYNC_MSG, corpId, errcode: -1, times: 1 });
    await stack.simPost('/__sim/messages', { corpId, count: 2, msgtype: 1 });
    const failed = await logged('the failed sync logged', from, (l) => l.msg === 'corp sync failed');
    expect(failed.map((l) => [l.level, l.obj['corpId'], l.obj['code']])).toEqual([
      ['warn', corpId, 'UPSTREAM_ERROR'],
    ]);
    expect(lines.slice(from).filter((l) => l.obj['corpId'] === corpId && l.level === 'error')).toEqual([]);
  });
});
