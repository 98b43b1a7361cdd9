import DataLoader from 'dataloader';
import type { ArchivedMessage, HitStore, MessageLookup, StoredHits } from '../datasources/store/ports.js';
import type { WecomApi } from '../datasources/wecom/ports.js';
import type { ChatdataResponse } from '../datasources/wecom/upstreamSchemas.js';
import { WecomError } from '../datasources/wecom/WecomError.js';
import { knownTime } from './knownTime.js';
import { toConsentStatus } from './mapConsent.js';
import { toRuleDetail } from './mapRule.js';
import type { ConsentShape, GroupChatInfo, RuleDetail } from './shapes.js';

export type LoaderDeps = {
  api: WecomApi;
  messages: MessageLookup | null;
  /** Keyword hits of archived messages; null while no ingestion is attached. */
  hits?: Pick<HitStore, 'getMany'> | null;
};

/** getagreestatus/single accepts at most 100 pairs per call (301060 beyond). */
export const AGREE_SINGLE_BATCH = 100;

/** 301059: not an internal group (customer groups): upstream has no member data. */
const NOT_INTERNAL_GROUP = 301059;
/** 710612: keyword rule id does not exist. */
const RULE_NOT_FOUND = 710612;

export type CorpLoaders = CorpLoaderSet;

export function pairKey(employeeId: string, externalUserId: string): string {
  return `${employeeId}\u0000${externalUserId}`;
}

/**
 * Per-corp, per-request loaders: one upstream call per distinct key (or per ≤100 pairs for the
 * single-chat agree status). A failure rejects only the keys of the failed call. Each loader is
 * built on first use (most operations touch one or two of them).
 */
export function createCorpLoaders(corpId: string, deps: LoaderDeps): CorpLoaders {
  return new CorpLoaderSet(corpId, deps);
}

const perKey = <K, V>(load: (key: K) => Promise<V>) =>
  new DataLoader<K, V>((keys) => Promise.all(keys.map((k) => load(k).catch((e: unknown) => asError(e)))));

class CorpLoaderSet {
  readonly #corpId: string;
  readonly #api: LoaderDeps['api'];
  readonly #messages: LoaderDeps['messages'];
  #groupChat: DataLoader<string, GroupChatInfo | null> | undefined;
  #roomConsents: DataLoader<string, ConsentShape[]> | undefined;
  #singleConsent: DataLoader<string, ConsentShape | null> | undefined;
  #ruleDetail: DataLoader<string, RuleDetail | null> | undefined;
  #analysisResult: DataLoader<string, ChatdataResponse<'analyze_task_result'>> | undefined;
  #specapiResult: DataLoader<string, ChatdataResponse<'specapi/get_job_result'>> | undefined;
  #exportStatus: DataLoader<string, ChatdataResponse<'export/get_job_status'>> | undefined;
  #corpAuthInfo: DataLoader<'info', ChatdataResponse<'get_corp_auth_info'>> | undefined;
  #message: DataLoader<string, ArchivedMessage | null> | undefined;
  readonly #hitStore: LoaderDeps['hits'];
  #hits: DataLoader<string, StoredHits | null> | undefined;

  constructor(corpId: string, { api, messages, hits }: LoaderDeps) {
    this.#corpId = corpId;
    this.#api = api;
    this.#messages = messages;
    this.#hitStore = hits ?? null;
  }

  /** Keyword hits by msgid: one store read for every message of a page, not one per message. */
  get hits(): DataLoader<string, StoredHits | null> {
    const corpId = this.#corpId;
    const store = this.#hitStore;
    this.#hits ??= new DataLoader<string, StoredHits | null>(async (msgids) =>
      store ? store.getMany(corpId, msgids) : msgids.map(() => null),
    );
    return this.#hits;
  }

  /** null for customer groups (301059): upstream has no member data. */
  get groupChat(): DataLoader<string, GroupChatInfo | null> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#groupChat ??= perKey<string, GroupChatInfo | null>(async (chatid) => {
      try {
        return toGroupChatInfo(await api.chatdata(corpId, 'groupchat/get', { chatid }));
      } catch (error) {
        if (error instanceof WecomError && error.errcode === NOT_INTERNAL_GROUP) return null;
        throw error;
      }
    });
    return this.#groupChat;
  }

  get roomConsents(): DataLoader<string, ConsentShape[]> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#roomConsents ??= perKey<string, ConsentShape[]>(async (chatid) => {
      const res = await api.chatdata(corpId, 'getagreestatus/room', { chatid });
      return res.agreeinfo.map((a) => ({
        employeeId: null,
        externalUserId: a.external_userid,
        chatId: chatid,
        status: toConsentStatus(a.agree_status),
        changedAt: knownTime(a.status_change_time),
      }));
    });
    return this.#roomConsents;
  }

  /** Keyed by `pairKey`; null when upstream left the pair out of its answer. */
  get singleConsent(): DataLoader<string, ConsentShape | null> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#singleConsent ??= new DataLoader<string, ConsentShape | null>(
      async (keys) => {
        const item = keys.map((k) => {
          const [open_userid, external_userid] = k.split('\u0000') as [string, string];
          return { open_userid, external_userid };
        });
        try {
          const res = await api.chatdata(corpId, 'getagreestatus/single', { item });
          const found = new Map<string, ConsentShape>();
          for (const a of res.agreeinfo) {
            found.set(pairKey(a.open_userid, a.external_userid), {
              employeeId: a.open_userid,
              externalUserId: a.external_userid,
              chatId: null,
              status: toConsentStatus(a.agree_status),
              changedAt: knownTime(a.status_change_time),
            });
          }
          return keys.map((k) => found.get(k) ?? null);
        } catch (error) {
          return keys.map(() => asError(error));
        }
      },
      { maxBatchSize: AGREE_SINGLE_BATCH },
    );
    return this.#singleConsent;
  }

  /** null when the rule does not exist (710612). */
  get ruleDetail(): DataLoader<string, RuleDetail | null> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#ruleDetail ??= perKey<string, RuleDetail | null>(async (rule_id) => {
      try {
        return toRuleDetail(await api.chatdata(corpId, 'keyword/get_rule_detail', { rule_id }));
      } catch (error) {
        if (error instanceof WecomError && error.errcode === RULE_NOT_FOUND) return null;
        throw error;
      }
    });
    return this.#ruleDetail;
  }

  get analysisResult(): DataLoader<string, ChatdataResponse<'analyze_task_result'>> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#analysisResult ??= perKey((jobid: string) =>
      api.chatdata(corpId, 'analyze_task_result', { jobid }),
    );
    return this.#analysisResult;
  }

  get specapiResult(): DataLoader<string, ChatdataResponse<'specapi/get_job_result'>> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#specapiResult ??= perKey((jobid: string) =>
      api.chatdata(corpId, 'specapi/get_job_result', { jobid }),
    );
    return this.#specapiResult;
  }

  get exportStatus(): DataLoader<string, ChatdataResponse<'export/get_job_status'>> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#exportStatus ??= perKey((jobid: string) =>
      api.chatdata(corpId, 'export/get_job_status', { jobid }),
    );
    return this.#exportStatus;
  }

  /** get_corp_auth_info takes no key: a one-key loader gives the same once-per-request caching. */
  get corpAuthInfo(): DataLoader<'info', ChatdataResponse<'get_corp_auth_info'>> {
    const corpId = this.#corpId;
    const api = this.#api;
    this.#corpAuthInfo ??= perKey((_key: 'info') => api.chatdata(corpId, 'get_corp_auth_info', {}));
    return this.#corpAuthInfo;
  }

  /** Archived messages by msgid; every id is null while no index is attached. */
  get message(): DataLoader<string, ArchivedMessage | null> {
    const corpId = this.#corpId;
    const messages = this.#messages;
    this.#message ??= new DataLoader<string, ArchivedMessage | null>(async (msgids) =>
      messages ? messages.getMany(corpId, msgids) : msgids.map(() => null),
    );
    return this.#message;
  }
}

function toGroupChatInfo(res: ChatdataResponse<'groupchat/get'>): GroupChatInfo {
  return {
    creator: res.creator,
    createdAt: knownTime(res.room_create_time),
    members: res.members.map((m) => ({ type: m.type, id: m.memberid, joinedAt: knownTime(m.jointime) })),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
