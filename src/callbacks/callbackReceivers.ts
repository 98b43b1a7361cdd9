import type { SuiteConfig } from '../config/config.js';
import { CallbackCrypto, type Opened, type SignedCiphertext } from './CallbackCrypto.js';
import { CallbackError } from './CallbackError.js';
import type { CallbackAppKind } from './dispatchCallbackEvent.js';

/** What the callback endpoint needs to know of one app: its suite id and callback crypto. */
export type CallbackApp = Pick<SuiteConfig, 'suiteId' | 'callbackToken' | 'callbackAesKey'>;

/** One callback crypto (Token + AESKey) and the apps whose callbacks it opens. */
export type Receiver = { crypto: CallbackCrypto; apps: { app: CallbackAppKind; suiteId: string }[] };

/** The apps and crypto settings of the callback endpoint. */
export type ReceiverSettings = {
  suite: CallbackApp;
  displaySuite?: CallbackApp | undefined;
  providerCorpId?: string | undefined;
  maxSkewS: number;
};

/**
 * One receiver per distinct callback crypto. With one Token/AESKey pair for both apps (the
 * default) a single receiver opens both apps' callbacks; set apart, the signature tells which.
 */
export function receiversOf(deps: ReceiverSettings, now: () => number): Receiver[] {
  const apps = [
    { app: 'archive' as const, config: deps.suite },
    ...(deps.displaySuite ? [{ app: 'display' as const, config: deps.displaySuite }] : []),
  ];
  const groups = new Map<string, { config: CallbackApp; apps: Receiver['apps'] }>();
  for (const { app, config } of apps) {
    const key = `${config.callbackToken}\n${config.callbackAesKey}`;
    const group = groups.get(key) ?? { config, apps: [] };
    group.apps.push({ app, suiteId: config.suiteId });
    groups.set(key, group);
  }
  return [...groups.values()].map(({ config, apps: opened }) => ({
    apps: opened,
    crypto: new CallbackCrypto({
      token: config.callbackToken,
      encodingAesKey: config.callbackAesKey,
      receiveIds: [...opened.map((a) => a.suiteId), ...(deps.providerCorpId ? [deps.providerCorpId] : [])],
      maxSkewS: deps.maxSkewS,
      now,
    }),
  }));
}

/** Opens with the receiver whose Token signed the request; BAD_SIGNATURE when none did. */
export function openWithAny(
  receivers: Receiver[],
  signed: SignedCiphertext,
): { opened: Opened; receiver: Receiver } {
  let refusal: unknown;
  for (const receiver of receivers) {
    try {
      return { opened: receiver.crypto.open(signed), receiver };
    } catch (error) {
      if (!(error instanceof CallbackError) || error.code !== 'BAD_SIGNATURE') throw error;
      refusal = error;
    }
  }
  throw refusal;
}

/**
 * The app an event belongs to: named by its SuiteId, which must be one this receiver opens;
 * events without SuiteId (consent, export, expiry) belong to the receiver's first app, the
 * archive app when both share a crypto. null: another suite.
 */
export function appOf(receiver: Receiver, suiteId: string | undefined): CallbackAppKind | null {
  if (suiteId === undefined) return receiver.apps[0]!.app;
  return receiver.apps.find((a) => a.suiteId === suiteId)?.app ?? null;
}
