import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEMO_DISPLAY_SUITE,
  DEMO_PROVIDER_CORPID,
  DEMO_SUITE,
  loadConfig,
} from '../../../src/config/config.js';
import { TEST_APPS_ENV } from '../../helpers/testApps.js';

const UPSTREAM = {
  WECOM_API_BASE: 'https://qyapi.weixin.qq.com',
  GATEWAY_MASTER_KEY: 'unit-test-master-key-0123',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  GATEWAY_CLIENTS: JSON.stringify([{ id: 'a', key: 'k', corps: ['*'], scopes: ['corp:read'] }]),
  ...TEST_APPS_ENV,
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the two apps and the provider corpid', () => {
  it('embedded mode needs nothing: demo values for both apps, one callback crypto, specapi off', () => {
    const config = loadConfig({});
    expect(config.suite).toEqual(DEMO_SUITE);
    expect(config.providerCorpId).toBe(DEMO_PROVIDER_CORPID);
    expect(config.displaySuite).toEqual({
      ...DEMO_DISPLAY_SUITE,
      callbackToken: DEMO_SUITE.callbackToken,
      callbackAesKey: DEMO_SUITE.callbackAesKey,
    });
    expect(config.specapi).toBe(false);
  });

  it('upstream mode takes real values, and the display app may have its own callback crypto', () => {
    const config = loadConfig({
      ...UPSTREAM,
      WECOM_DISPLAY_CALLBACK_TOKEN: 'displayOwnToken',
      WECOM_DISPLAY_CALLBACK_AES_KEY: 'D1s2p3l4a5y6O7w8n9K0e1y2A3b4c5d6e7f8g9h0i1j',
      WECOM_SPECAPI: 'on',
    });
    expect(config.providerCorpId).toBe(TEST_APPS_ENV.WECOM_PROVIDER_CORPID);
    expect(config.displaySuite).toMatchObject({
      suiteId: TEST_APPS_ENV.WECOM_DISPLAY_SUITE_ID,
      callbackToken: 'displayOwnToken',
    });
    expect(config.suite.callbackToken).toBe(TEST_APPS_ENV.WECOM_CALLBACK_TOKEN);
    expect(config.specapi).toBe(true);
  });

  // The forged cancel_auth of issue 11 was signed with the demo Token and AESKey: a gateway
  // reachable from outside must never accept those. A missing suite id silently became the demo
  // one: the real suite's events were then taken for another app's, and its calls refused.
  it.each([
    ['WECOM_SUITE_ID', DEMO_SUITE.suiteId],
    ['WECOM_CALLBACK_TOKEN', DEMO_SUITE.callbackToken],
    ['WECOM_CALLBACK_AES_KEY', DEMO_SUITE.callbackAesKey],
    ['WECOM_SUITE_SECRET', DEMO_SUITE.suiteSecret],
    ['WECOM_PROVIDER_CORPID', DEMO_PROVIDER_CORPID],
    ['WECOM_DISPLAY_SUITE_ID', DEMO_DISPLAY_SUITE.suiteId],
    ['WECOM_DISPLAY_SUITE_SECRET', DEMO_DISPLAY_SUITE.suiteSecret],
  ])('upstream mode refuses to start with %s missing or equal to the demo value', (name, demo) => {
    expect(refusal({ ...UPSTREAM, [name]: undefined })).toContain(
      `${name} is required when WECOM_API_BASE is set`,
    );
    expect(refusal({ ...UPSTREAM, [name]: demo })).toContain(`${name} must not be the demo value`);
  });

  it('names every missing value in one refusal', () => {
    const message = refusal({ ...UPSTREAM, WECOM_SUITE_ID: undefined, WECOM_DISPLAY_SUITE_ID: undefined });
    expect(message).toContain('WECOM_SUITE_ID is required');
    expect(message).toContain('WECOM_DISPLAY_SUITE_ID is required');
  });

  it('refuses one suite id for both apps, showing it', () => {
    const message = refusal({ ...UPSTREAM, WECOM_DISPLAY_SUITE_ID: TEST_APPS_ENV.WECOM_SUITE_ID });
    expect(message).toContain(`WECOM_DISPLAY_SUITE_ID must differ from WECOM_SUITE_ID`);
    expect(message).toContain(TEST_APPS_ENV.WECOM_SUITE_ID);
  });
});

describe('WECOM_DISPLAY_APP_KIND', () => {
  it('defaults to third_party in both modes; customized (代开发) is taken in both', () => {
    expect(loadConfig({}).displayAppKind).toBe('third_party');
    expect(loadConfig(UPSTREAM).displayAppKind).toBe('third_party');
    expect(loadConfig({ WECOM_DISPLAY_APP_KIND: 'customized' }).displayAppKind).toBe('customized');
    expect(loadConfig({ ...UPSTREAM, WECOM_DISPLAY_APP_KIND: 'customized' }).displayAppKind).toBe(
      'customized',
    );
  });

  it.each(['代开发', 'Customized', 'self_built', ''])(
    'refuses %j, naming the two kinds and the value',
    (bad) => {
      expect(refusal({ ...UPSTREAM, WECOM_DISPLAY_APP_KIND: bad })).toBe(
        `invalid configuration: WECOM_DISPLAY_APP_KIND: must be third_party (a third-party app) or customized (a 代开发 app), got ${JSON.stringify(bad)}`,
      );
    },
  );
});
