import { ConfigError } from './ConfigError.js';
import { DEMO_DISPLAY_SUITE, DEMO_PROVIDER_CORPID, DEMO_SUITE } from './demoDefaults.js';
import type { DisplayAppKind, Env } from './envSchema.js';

export type SuiteConfig = {
  suiteId: string;
  suiteSecret: string;
  callbackToken: string;
  callbackAesKey: string;
};

/**
 * The two apps and the provider corpid. Embedded mode fills what is unset with the demo values
 * the simulator also uses. Upstream mode refuses to start without real values: with the demo
 * callback Token and AESKey anyone who read this repository can sign callbacks (one forged
 * cancel_auth once purged a corp's archive), and a demo secret cannot work upstream anyway.
 */
export function appsFrom(
  e: Env,
  mode: 'embedded' | 'upstream',
): { suite: SuiteConfig; providerCorpId: string; displaySuite: SuiteConfig; displayAppKind: DisplayAppKind } {
  const demo = mode === 'embedded';
  const problems: string[] = [];
  const realValue = (name: keyof Env, value: string | undefined, demoValue: string): string => {
    if (demo) return value ?? demoValue;
    if (value === undefined) problems.push(`${name} is required when WECOM_API_BASE is set`);
    else if (value === demoValue)
      problems.push(`${name} must not be the demo value when WECOM_API_BASE is set, got the demo value`);
    return value ?? demoValue;
  };
  const suite: SuiteConfig = {
    // A demo suite id upstream would be refused at the first suite call, and events signed for the
    // real suite would be taken for another app's: refused at start instead.
    suiteId: realValue('WECOM_SUITE_ID', e.WECOM_SUITE_ID, DEMO_SUITE.suiteId),
    suiteSecret: realValue('WECOM_SUITE_SECRET', e.WECOM_SUITE_SECRET, DEMO_SUITE.suiteSecret),
    callbackToken: realValue('WECOM_CALLBACK_TOKEN', e.WECOM_CALLBACK_TOKEN, DEMO_SUITE.callbackToken),
    callbackAesKey: realValue('WECOM_CALLBACK_AES_KEY', e.WECOM_CALLBACK_AES_KEY, DEMO_SUITE.callbackAesKey),
  };
  const providerCorpId = realValue('WECOM_PROVIDER_CORPID', e.WECOM_PROVIDER_CORPID, DEMO_PROVIDER_CORPID);
  const displaySuite: SuiteConfig = {
    suiteId: realValue('WECOM_DISPLAY_SUITE_ID', e.WECOM_DISPLAY_SUITE_ID, DEMO_DISPLAY_SUITE.suiteId),
    suiteSecret: realValue(
      'WECOM_DISPLAY_SUITE_SECRET',
      e.WECOM_DISPLAY_SUITE_SECRET,
      DEMO_DISPLAY_SUITE.suiteSecret,
    ),
    // "Same callback crypto unless set apart": one Token/AESKey pair may serve both apps.
    callbackToken: e.WECOM_DISPLAY_CALLBACK_TOKEN ?? suite.callbackToken,
    callbackAesKey: e.WECOM_DISPLAY_CALLBACK_AES_KEY ?? suite.callbackAesKey,
  };
  if (!demo) {
    if (displaySuite.callbackToken === DEMO_SUITE.callbackToken)
      problems.push('WECOM_DISPLAY_CALLBACK_TOKEN must not be the demo value when WECOM_API_BASE is set');
    if (displaySuite.callbackAesKey === DEMO_SUITE.callbackAesKey)
      problems.push('WECOM_DISPLAY_CALLBACK_AES_KEY must not be the demo value when WECOM_API_BASE is set');
  }
  if (displaySuite.suiteId === suite.suiteId) {
    problems.push(
      `WECOM_DISPLAY_SUITE_ID must differ from WECOM_SUITE_ID (two apps), got ${suite.suiteId} for both`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return { suite, providerCorpId, displaySuite, displayAppKind: e.WECOM_DISPLAY_APP_KIND };
}
