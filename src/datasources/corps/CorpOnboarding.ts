import type { Logger } from '../../logging/Logger.js';
import type {
  CorpRecord,
  CorpRegistry,
  EventFailure,
  KeyValueStore,
  PendingCancelStore,
} from '../store/ports.js';
import type { TokenChain, WecomApi } from '../wecom/ports.js';
import type { PermanentCodeResponse } from '../wecom/upstreamSchemas.js';
import { confirmAuthorizationGone } from './confirmAuthorizationGone.js';
import type { AuthEvents, KeyManager } from './ports.js';
import { CANCEL_RECHECK_MS, recheckCancels } from './recheckCancels.js';
import { hasLostAuthorizations, type Redeemed, redeemAuthCode } from './redeemAuthCode.js';

/** Something else that holds per-corp data and must forget it on cancel_auth (message index, inbox, …). */
export type CorpPurgeHook = (corpId: string) => Promise<void>;

/**
 * What onboarding reports for metrics: an exchange whose answer was lost, a lost authorization,
 * a refused cancel, a refused cancel applied later by its re-check, one dropped after the window.
 */
export type OnboardingObservation =
  | 'outcome_unknown'
  | 'authorization_lost'
  | 'cancel_unconfirmed'
  | 'cancel_confirmed_late'
  | 'cancel_recheck_expired';

export type CorpOnboardingOptions = {
  /** `archive` (the 「会话存档接口授权」 app) or `display` (the display app): logs and metrics. */
  app: 'archive' | 'display';
  /** get_permanent_code with this app's suite token. */
  api: Pick<WecomApi, 'getPermanentCode'>;
  corps: CorpRegistry;
  /** This app's token chain: a re-authorization drops the cached corp token, a cancel is confirmed with it. */
  tokens: Pick<TokenChain, 'getCorpToken' | 'forgetCorpToken'>;
  /** Where redeemed and unresolved auth codes are remembered. */
  kv: KeyValueStore;
  /** The archive app sets a public key and purges keys on cancel; the display app has none. */
  keys?: KeyManager;
  tasks?: { purge?(corpId: string): Promise<void> };
  /** Where unconfirmed cancels wait for their re-check (the store of record); none → not re-checked. */
  cancels?: PendingCancelStore;
  /** How long an unconfirmed cancel is re-checked, ms. Default CANCEL_RECHECK_MS. */
  cancelRecheckMs?: number;
  observe?: (what: OnboardingObservation) => void;
  /** Told of each authorization completed (create_auth or reset_permanent_code): the activity summary counts them. */
  onAuthorized?: (corpId: string) => void;
  logger: Logger;
  now?: () => number;
};

/**
 * The authorization events of one app (create/change/cancel_auth, reset_permanent_code, the
 * expiry events) turned into registry, key and purge steps.
 */
export class CorpOnboarding implements AuthEvents {
  readonly #o: CorpOnboardingOptions;
  readonly #purgeHooks: CorpPurgeHook[] = [];

  constructor(options: CorpOnboardingOptions) {
    this.#o = options;
  }

  /** Registers more per-corp data to purge on a confirmed cancel_auth (ingestion adds its index here). */
  onCancel(hook: CorpPurgeHook): void {
    this.#purgeHooks.push(hook);
  }

  async createAuth(authCode: string): Promise<CorpRecord> {
    return this.#authorize(authCode, 'create_auth');
  }

  /** Same exchange; the corp keeps its history, expiry and key, and gets its new code stored. */
  async resetPermanentCode(authCode: string): Promise<CorpRecord> {
    return this.#authorize(authCode, 'reset_permanent_code');
  }

  async changeAuth(corpId: string): Promise<void> {
    // The auth info (editions, scope) is read live through get_corp_auth_info when asked for;
    // nothing cached here goes stale, so a change only needs to be visible in the logs.
    const record = await this.#o.corps.get(corpId);
    this.#o.logger.info(
      { app: this.#o.app, corpId, known: record !== null, status: record?.status ?? null },
      'corp authorization changed',
    );
  }

  async cancelAuth(corpId: string): Promise<CorpRecord | null> {
    const { app, corps, tokens, cancels, logger } = this.#o;
    const record = await corps.get(corpId);
    if (record === null) {
      logger.warn({ app, corpId }, 'cancel_auth for an unknown corp; nothing to purge');
      return null;
    }
    if (!(await confirmAuthorizationGone(tokens, corpId))) {
      this.#o.observe?.('cancel_unconfirmed');
      // A real cancel the upstream is slow to reflect would be lost here: ask again for a while.
      await cancels?.add(corpId, this.#now());
      logger.error(
        { app, corpId, recheckMinutes: cancels ? Math.round(this.#recheckMs() / 60_000) : 0 },
        'cancel_auth NOT applied: the upstream still grants this corp a token (forged or stale event, or ' +
          'WeCom not caught up yet); nothing was deleted, and the watchdog asks again for a while',
      );
      return null;
    }
    return this.#purge(record);
  }

  /** The watchdog's pass over unconfirmed cancels (see recheckCancels). */
  async recheckCancels(): Promise<CorpRecord[]> {
    const { cancels } = this.#o;
    if (!cancels) return [];
    const deps = { ...this.#o, cancels, windowMs: this.#recheckMs(), now: () => this.#now() };
    return recheckCancels(deps, (record) => this.#purge(record));
  }

  /** A confirmed cancel: forgets the corp and purges what was archived for it. */
  async #purge(record: CorpRecord): Promise<CorpRecord> {
    const { app, corps, keys, tasks, tokens, cancels, logger } = this.#o;
    const { corpId } = record;
    const cancelled: CorpRecord = {
      ...record,
      status: 'CANCELLED',
      cancelledAt: this.#now(),
      publicKeyVersion: null,
    };
    // The archive goes first and the registry row last: a crash during the purge leaves the corp
    // listed, so WeCom's redelivery of the event finds it, confirms again and finishes (every
    // step is idempotent). Meanwhile nothing new is archived: the upstream refuses its token.
    await tokens.forgetCorpToken(corpId);
    await keys?.purge(corpId);
    await tasks?.purge?.(corpId);
    for (const hook of this.#purgeHooks) await hook(corpId);
    await corps.remove(corpId);
    // Once more: what a sync under way wrote between the first pass and the registry row's
    // delete. After it, the stores refuse writes for the corp (PgMessageIndex registeredOnly).
    for (const hook of this.#purgeHooks) await hook(corpId);
    await cancels?.remove(corpId);
    logger.info({ app, corpId }, 'corp authorization cancelled (confirmed upstream); data purged');
    return cancelled;
  }

  async archiveExpired(
    corpId: string,
    expiry: { kind: 'TRIAL' | 'PAID'; edition: number | null; at: number },
  ): Promise<void> {
    const record = await this.#o.corps.get(corpId);
    if (record === null) {
      this.#o.logger.warn({ corpId, kind: expiry.kind }, 'archive expiry for an unknown corp; ignored');
      return;
    }
    await this.#o.corps.upsert({
      ...record,
      archiveEdition: expiry.edition ?? record.archiveEdition ?? null,
      archiveExpiry: { kind: expiry.kind, at: expiry.at },
    });
    this.#o.logger.warn({ corpId, ...expiry }, 'archive API of the corp expired');
  }

  async recordEventFailure(corpId: string, failure: EventFailure): Promise<void> {
    const record = await this.#o.corps.get(corpId);
    if (record) await this.#o.corps.upsert({ ...record, lastEventFailure: failure });
  }

  /**
   * An event named a corp the registry does not know. If an authorization was lost recently
   * (its answer never arrived), this is very likely that corp: it is listed, marked as needing
   * reset_permanent_code, so the on-call engineer sees which corp to reset. Otherwise (a late
   * event of a cancelled corp, say) nothing is recorded.
   */
  async markIfOrphan(corpId: string): Promise<boolean> {
    const { corps, kv, logger } = this.#o;
    if ((await corps.get(corpId)) !== null || !(await hasLostAuthorizations(kv))) return false;
    await corps.upsert({
      corpId,
      name: null,
      status: 'ACTIVE',
      authorizedAt: this.#now(),
      cancelledAt: null,
      publicKeyVersion: null,
      needsPermanentCodeReset: true,
    });
    logger.error(
      { app: this.#o.app, corpId },
      'corp authorized upstream without a permanent code here: trigger reset_permanent_code for it',
    );
    return true;
  }

  async #authorize(authCode: string, why: 'create_auth' | 'reset_permanent_code'): Promise<CorpRecord> {
    const { app, corps, kv, keys, logger } = this.#o;
    const redeemed: Redeemed = await redeemAuthCode(
      {
        api: this.#o.api,
        kv,
        app,
        findRedeemed: async (ref) => (await corps.list()).find((c) => c.authCodeRef === ref)?.corpId ?? null,
        ...(this.#o.observe ? { observe: this.#o.observe } : {}),
      },
      authCode,
      (granted, ref) => this.#store(granted, why, ref),
    );
    // Stored by the exchange, or earlier: WeCom delivered the event again after it was handled
    // (perhaps by a process that stopped before finishing), so finish what may be missing.
    const corpId = redeemed.kind === 'granted' ? redeemed.granted.auth_corp_info.corpid : redeemed.corpId;
    // Archiving starts only once a public key is set (docs/upstream.md §3.10): set one if there is none.
    await keys?.ensureKey(corpId);
    const record = await corps.get(corpId);
    if (record === null) throw new Error(`corp ${corpId} was redeemed but is not stored`);
    // One info line per corp onboarding: the archive app's (corp stored, key set; ingestion starts
    // its sync on return). The display app's is routine beside it: debug, and counted in the
    // activity summary. Failures of either throw, and are logged at warn or error by the caller.
    logger[app === 'archive' ? 'info' : 'debug'](
      {
        app,
        corpId,
        why,
        redeliveredEvent: redeemed.kind === 'already',
        ...(keys ? { publicKeyVersion: record.publicKeyVersion ?? null } : {}),
      },
      'corp authorized',
    );
    this.#o.onAuthorized?.(corpId);
    return record;
  }

  async #store(
    granted: PermanentCodeResponse,
    why: 'create_auth' | 'reset_permanent_code',
    authCodeRef: string,
  ): Promise<void> {
    const { corps, tokens } = this.#o;
    const corpId = granted.auth_corp_info.corpid;
    const existing = await corps.get(corpId);
    const active = existing?.status === 'ACTIVE';
    const record: CorpRecord = {
      ...(active ? existing : {}),
      corpId,
      name: granted.auth_corp_info.corp_name ?? existing?.name ?? null,
      status: 'ACTIVE',
      // Re-authorizing an active corp keeps its history; after a cancel it starts anew.
      authorizedAt: active ? existing.authorizedAt : this.#now(),
      cancelledAt: null,
      publicKeyVersion: existing?.publicKeyVersion ?? null,
      agentId: granted.auth_info?.agent[0]?.agentid ?? existing?.agentId ?? null,
      needsPermanentCodeReset: false,
      // A new authorization is a new licence; a reset only replaces the code.
      ...(why === 'create_auth' ? { archiveExpiry: null } : {}),
      authCodeRef,
    };
    await corps.upsert(record, granted.permanent_code);
    await tokens.forgetCorpToken(corpId);
    // An authorization after an unconfirmed cancel supersedes it: nothing left to re-check.
    if (why === 'create_auth') await this.#o.cancels?.remove(corpId);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  #recheckMs(): number {
    return this.#o.cancelRecheckMs ?? CANCEL_RECHECK_MS;
  }
}
