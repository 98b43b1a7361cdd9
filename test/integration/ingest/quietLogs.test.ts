import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logging/Logger.js';
import { type Stack, startStack } from '../../helpers/startStack.js';
import { waitFor } from '../../helpers/waitFor.js';

type Line = { level: string; msg: string | undefined; app?: unknown };

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

describe('quiet by default', () => {
  let stack: Stack;
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, app: (obj as { app?: unknown }).app });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  beforeAll(async () => {
    stack = await startStack({ indexLookup: true, logger, env: { LOG_SLOW_SYNC_MS: '60000' } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('onboarding logs one info line per corp and app; callbacks and quick syncs of new messages log at debug', async () => {
    const authorized = lines.filter((l) => l.level === 'info' && l.msg === 'corp authorized');
    // Each corp authorizes two apps (the archive and the display app): one line each.
    expect(authorized.filter((l) => l.app === 'archive')).toHaveLength(stack.corps.length);
    expect(authorized.filter((l) => l.app === 'display')).toHaveLength(stack.corps.length);
    expect(authorized).toHaveLength(2 * stack.corps.length);
    const corpId = stack.corps[0]!.corpId;
    const before = await stack.app.ingest.index.lastSeq(corpId);
    const syncedBefore = lines.filter((l) => l.msg === 'corp synced').length;
    await stack.simPost('/__sim/messages', { corpId, count: 5, msgtype: 1 });
    await waitFor(
      'the new messages indexed',
      async () => (await stack.app.ingest.index.lastSeq(corpId)) >= before + 5,
    );
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
});
