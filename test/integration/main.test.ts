import { describe, expect, it } from 'vitest';
import { spawnGateway } from '../helpers/spawnGateway.js';
import { waitFor } from '../helpers/waitFor.js';

/** pino's level number for info. */
const INFO = 30;

type Printed = { text: string; json: { level: number; msg?: string; app?: string; corpId?: string } | null };

/**
 * `npm start` as a new user runs it: embedded mode, LOG_LEVEL=info, live demo traffic. Once the
 * gateway is ready it prints the banner, and that is the last thing printed at info while it
 * serves: onboarding (one `corp authorized` per demo corp) comes before it, the live traffic's
 * syncs after it are at debug. The process's own stdout and stderr, read until it exits.
 */
describe('src/main.ts in embedded mode', () => {
  it('prints the banner last at info once the demo corps are onboarded; routine work after it stays below info', async () => {
    const gateway = await spawnGateway(
      {
        // Embedded mode keeps its state in memory: none of the test servers' URLs.
        REDIS_URL: undefined,
        DATABASE_URL: undefined,
        WECOM_API_BASE: undefined,
        SIM_PORT: '0',
        SIM_MESSAGE_RATE: '20',
        LOG_LEVEL: 'info',
        LOG_SLOW_SYNC_MS: '60000',
        LOG_SUMMARY_INTERVAL_S: '0',
      },
      60_000,
    );
    try {
      // Live traffic after the banner: wait until the index has grown past what it held then.
      const indexed = async () => {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer demo-key' },
          body: JSON.stringify({
            query: '{ corps(first: 10) { edges { node { syncState { indexedMessages } } } } }',
          }),
        });
        const body = (await res.json()) as {
          data: { corps: { edges: { node: { syncState: { indexedMessages: number } } }[] } };
        };
        return body.data.corps.edges.reduce((n, e) => n + e.node.syncState.indexedMessages, 0);
      };
      const atBanner = await indexed();
      await waitFor(
        'live messages indexed after the banner',
        async () => (await indexed()) >= atBanner + 20,
        30_000,
      );
    } finally {
      await gateway.stop();
    }

    const printed: Printed[] = gateway
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((text) => ({ text, json: text.startsWith('{') ? (JSON.parse(text) as Printed['json']) : null }));
    const banner = printed.findIndex((p) => p.text.startsWith('Gateway:'));
    expect(printed.slice(banner, banner + 4).map((p) => p.text.split(/\s+/)[0])).toEqual([
      'Gateway:',
      'GraphiQL:',
      'Console:',
      'API',
    ]);
    expect(printed.slice(banner + 4, banner + 5)[0]?.text).not.toMatch(/^(Gateway|GraphiQL|Console|API)/);
    const before = printed.slice(0, banner);
    const onboarded = before.filter((p) => p.json?.msg === 'corp authorized' && p.json.level === INFO);
    expect(onboarded.map((p) => p.json?.app)).toEqual(['archive', 'archive', 'archive']);
    expect(new Set(onboarded.map((p) => p.json?.corpId)).size).toBe(3);
    // After the banner, until the stop was asked for: nothing at info or above.
    const after = printed.slice(banner + 4);
    const stopping = after.findIndex((p) => p.json?.msg === 'stopping');
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(after.slice(0, stopping).filter((p) => p.json === null || p.json.level >= INFO)).toEqual([]);
  }, 120_000);
});
