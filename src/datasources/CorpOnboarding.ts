import type { Logger } from './Logger.js';
import type { AuthEvents, CorpRecord, CorpRegistry, KeyManager, WecomApi } from './ports.js';

/** Something else that holds per-corp data and must forget it on cancel_auth (message index, inbox, …). */
export type CorpPurgeHook = (corpId: string) => Promise<void>;

export type CorpOnboardingOptions = {
  api: Pick<WecomApi, 'getPermanentCode'>;
  corps: CorpRegistry & { deletePermanentCode?(corpId: string): Promise<void> };
  keys: KeyManager;
  tasks: { purge?(corpId: string): Promise<void> };
  /** Drops a cached corp token (a re-authorization issues a new permanent code). */
  forgetCorpToken?: (corpId: string) => Promise<void>;
  logger: Logger;
  now?: () => number;
};

/** The authorization events (create/change/cancel_auth) turned into registry, key and purge steps. */
export class CorpOnboarding implements AuthEvents {
  readonly #o: CorpOnboardingOptions;
  readonly #purgeHooks: CorpPurgeHook[] = [];

  constructor(options: CorpOnboardingOptions) {
    this.#o = options;
  }

  /** Registers more per-corp data to purge on cancel_auth (ingestion adds its index here). */
  onCancel(hook: CorpPurgeHook): void {
    this.#purgeHooks.push(hook);
  }

  async createAuth(authCode: string): Promise<CorpRecord> {
    const { api, corps, keys, logger } = this.#o;
    const now = this.#o.now?.() ?? Date.now();
    const granted = await api.getPermanentCode(authCode);
    const corpId = granted.auth_corp_info.corpid;
    const existing = await corps.get(corpId);
    const record: CorpRecord = {
      corpId,
      name: granted.auth_corp_info.corp_name ?? existing?.name ?? null,
      status: 'ACTIVE',
      // Re-authorizing an active corp keeps its history; after a cancel it starts anew.
      authorizedAt: existing?.status === 'ACTIVE' ? existing.authorizedAt : now,
      cancelledAt: null,
      publicKeyVersion: existing?.publicKeyVersion ?? null,
      agentId: granted.auth_info?.agent[0]?.agentid ?? existing?.agentId ?? null,
    };
    await corps.upsert(record, granted.permanent_code);
    await this.#o.forgetCorpToken?.(corpId);
    // Archiving starts only once a public key is set (contract §3.10): set one if there is none.
    if ((await keys.current(corpId)) === null) await keys.rotate(corpId);
    logger.info({ corpId, reauthorized: existing !== null }, 'corp authorized');
    return (await corps.get(corpId)) ?? record;
  }

  async changeAuth(corpId: string): Promise<void> {
    // The auth info (editions, scope) is read live through get_corp_auth_info when asked for;
    // nothing cached here goes stale, so a change only needs to be visible in the logs.
    const record = await this.#o.corps.get(corpId);
    this.#o.logger.info(
      { corpId, known: record !== null, status: record?.status ?? null },
      'corp authorization changed',
    );
  }

  async cancelAuth(corpId: string): Promise<void> {
    const { corps, keys, tasks, logger } = this.#o;
    const record = await corps.get(corpId);
    if (record === null) {
      logger.warn({ corpId }, 'cancel_auth for an unknown corp; nothing to purge');
      return;
    }
    const cancelledAt = record.cancelledAt ?? this.#o.now?.() ?? Date.now();
    await corps.upsert({ ...record, status: 'CANCELLED', cancelledAt, publicKeyVersion: null });
    await corps.deletePermanentCode?.(corpId);
    await this.#o.forgetCorpToken?.(corpId);
    await keys.purge(corpId);
    await tasks.purge?.(corpId);
    for (const hook of this.#purgeHooks) await hook(corpId);
    logger.info({ corpId }, 'corp authorization cancelled; data purged');
  }
}
