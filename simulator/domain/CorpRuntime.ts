import type { RsaPadding } from '../simulatorOptions.js';
import { KeyRing } from './KeyRing.js';
import type { KeywordRule } from './KeywordRule.js';
import type { RuleHit } from './matchRule.js';
import type { ArchivedMessage, CorpData, DraftMessage } from './types.js';

export type PendingMessage = { draft: DraftMessage; sendTime: number; msgid: string };
export type HitEntry = { msgid: string; hits: RuleHit[] };
export type AnalysisJob = {
  jobId: string;
  type: 1 | 2 | 3;
  items: { msgid: string; secretKey: string }[];
  submittedAtMs: number | null;
  /** Type 3 only: made once when the job completes. */
  summary?: { resultId: string; encryptedSecretKey: string; publicKeyVer: number } | null;
};
/** An export job; `mediaId` is the template it was created with (tests check which upload it used). */
export type ExportJob = {
  jobId: string;
  createdAtMs: number;
  resultId: string;
  notified: boolean;
  mediaId: string;
};
export type Media = { mediaId: string; createdAt: number; filename: string; bytes: number };

/** One app's authorization in a corp: its permanent code and the corp tokens issued for it. */
export type AppGrant = {
  authorized: boolean;
  permanentCode: string | null;
  readonly accessTokens: Map<string, number>;
};

/** Everything the simulator remembers about one demo corp beyond its generated data. */
export class CorpRuntime implements AppGrant {
  /** The archive app's grant (these three fields); the display app's is `display`. */
  authorized = false;
  permanentCode: string | null = null;
  readonly accessTokens = new Map<string, number>();
  readonly display: AppGrant = { authorized: false, permanentCode: null, accessTokens: new Map() };
  readonly keys: KeyRing;
  /** Seeded backlog waiting for the first public key; archived with it (see README). */
  backlog: PendingMessage[] = [];
  readonly messages: ArchivedMessage[] = [];
  readonly byId = new Map<string, ArchivedMessage>();
  readonly rules = new Map<string, KeywordRule>();
  ruleCounter = 0;
  readonly hits: HitEntry[] = [];
  /** Callback tokens → expiry (ms): conversation_new_message unlocks sync_msg, hit_keyword get_hit_msg_list. */
  readonly syncTokens = new Map<string, number>();
  readonly hitTokens = new Map<string, number>();
  /** JS-SDK tickets → expiry (ms): the corp's jsapi_ticket (`config`) and the app's (`agentConfig`). */
  readonly jsapiTickets = new Map<string, number>();
  readonly agentTickets = new Map<string, number>();
  readonly analysis = new Map<string, AnalysisJob>();
  readonly exports = new Map<string, ExportJob>();
  readonly media = new Map<string, Media>();
  readonly exportCodes = new Map<string, { expiresAtMs: number; used: boolean }>();
  exportDay = { day: -1, count: 0 };
  /** Summary results of analysis type 3 for the render stand-in. */
  readonly summaries = new Map<string, { secretKey: string; text: string }>();
  pendingNew = false;
  pendingHit = false;

  constructor(
    readonly data: CorpData,
    padding: RsaPadding,
  ) {
    this.keys = new KeyRing(padding);
  }

  get corpId(): string {
    return this.data.corpId;
  }

  grant(app: 'archive' | 'display'): AppGrant {
    return app === 'archive' ? this : this.display;
  }

  /**
   * What a cancelled authorization leaves upstream: nothing. 企业取消授权之后，存档的消息就会自动清除
   * (docs/upstream.md §8.5): messages, the unreleased backlog, keys, rules, hits, jobs, media and tokens
   * go, and a new authorization starts from an empty archive.
   */
  clearArchive(): void {
    this.messages.length = 0;
    this.byId.clear();
    this.backlog = [];
    this.keys.clear();
    this.rules.clear();
    this.hits.length = 0;
    for (const map of [this.syncTokens, this.hitTokens, this.analysis, this.exports, this.media]) map.clear();
    this.exportCodes.clear();
    this.summaries.clear();
    this.pendingNew = false;
    this.pendingHit = false;
  }

  append(message: ArchivedMessage): void {
    this.messages.push(message);
    this.byId.set(message.msgid, message);
  }

  /** Index of the first message still inside the 5-day window. */
  firstInWindow(nowS: number): number {
    const floor = nowS - 5 * 86_400;
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.messages[mid]!.sendTime < floor) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
