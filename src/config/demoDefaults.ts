/** The embedded demo's credentials: the simulator has the same literals, so the two agree unconfigured. */
/** Demo suite credentials. The simulator has the same defaults, so the two agree unconfigured. */
export const DEMO_SUITE = {
  suiteId: 'wwsuite0archive0demo',
  suiteSecret: 'demo-suite-secret-0123456789',
  callbackToken: 'demoCallbackToken',
  callbackAesKey: '9c0EhFLcOqGacHr0cm3KZn17mELvfIoL2e0k2THSA0a',
} as const;

/**
 * Demo values of the provider's own corpid (receiveid of WeCom's URL verification) and of the
 * display app (the third-party / 代开发 app behind the display component and JS-SDK signatures).
 * The simulator has the same defaults; in upstream mode none of them is accepted.
 */
export const DEMO_PROVIDER_CORPID = 'wwprovider0demo0corp';
export const DEMO_DISPLAY_SUITE = {
  suiteId: 'wwsuite0display0demo',
  suiteSecret: 'demo-display-suite-secret-0123',
} as const;

/** Used only in embedded mode when GATEWAY_MASTER_KEY is unset. Never acceptable in production. */
export const DEMO_MASTER_KEY = 'embedded-demo-master-key-not-for-production';
export const DEMO_CLIENT_KEY = 'demo-key';
