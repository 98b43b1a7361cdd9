import { afterAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce } from '../../helpers/archiveCheck.js';
import { type MidSync, startMidSync } from '../../helpers/midSyncHarness.js';
import { waitFor } from '../../helpers/waitFor.js';

describe('kill -9 in the middle of a sync, then restart', () => {
  let h: MidSync | undefined;
  afterAll(async () => h?.stop());

  it('leaves every archived message in the index exactly once', async () => {
    h = await startMidSync('crash', 'k');
    process.kill(h.first.pid, 'SIGKILL');
    await h.first.stop(0);
    const totals = h.totals();
    const atKill = await h.counts();
    expect(atKill.some((n, i) => n < totals[i]!)).toBe(true);

    // The replacement catches every corp up from its checkpoint at start (taking over the dead
    // process's lease once it lapses).
    await h.replace();
    await waitFor(
      'every corp caught up',
      async () => (await h!.counts()).every((n, i) => n >= totals[i]!),
      40_000,
    );
    for (const corpId of h.corpIds) await expectExactlyOnce(h.index, h.sim, corpId);
  }, 90_000);
});
