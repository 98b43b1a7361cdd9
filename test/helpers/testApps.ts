import type { SimulatorOptions } from '../../simulator/simulatorOptions.js';

/**
 * Non-demo credentials for both apps, given to the simulator and to the gateway alike: in
 * upstream mode (WECOM_API_BASE set, as in every integration test) the gateway refuses the
 * demo callback Token, AESKey and secrets, so the tests prove the two sides agree on real values.
 */
export const TEST_APPS_ENV = {
  WECOM_SUITE_ID: 'wwsuite0archive0test',
  WECOM_SUITE_SECRET: 'test-archive-suite-secret-7f3a9c',
  WECOM_CALLBACK_TOKEN: 'testCallbackToken4242',
  WECOM_CALLBACK_AES_KEY: 'Tq8v2Lx6Nc4Rb1Ym9Hw3Kd7Fs5Gp0Ja2Ue6Io8Pz4Xv',
  WECOM_PROVIDER_CORPID: 'wwprovider0test0corp',
  WECOM_DISPLAY_SUITE_ID: 'wwsuite0display0test',
  WECOM_DISPLAY_SUITE_SECRET: 'test-display-suite-secret-c0ffee',
} as const;

/** The same values as simulator options. */
export const TEST_APPS_SIM: Partial<SimulatorOptions> = {
  suiteId: TEST_APPS_ENV.WECOM_SUITE_ID,
  suiteSecret: TEST_APPS_ENV.WECOM_SUITE_SECRET,
  callbackToken: TEST_APPS_ENV.WECOM_CALLBACK_TOKEN,
  callbackAesKey: TEST_APPS_ENV.WECOM_CALLBACK_AES_KEY,
  providerCorpId: TEST_APPS_ENV.WECOM_PROVIDER_CORPID,
  displaySuiteId: TEST_APPS_ENV.WECOM_DISPLAY_SUITE_ID,
  displaySuiteSecret: TEST_APPS_ENV.WECOM_DISPLAY_SUITE_SECRET,
  displayCallbackToken: TEST_APPS_ENV.WECOM_CALLBACK_TOKEN,
  displayCallbackAesKey: TEST_APPS_ENV.WECOM_CALLBACK_AES_KEY,
};
