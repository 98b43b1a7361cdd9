import { randomBytes } from 'node:crypto';
import { CursorCodec } from '../api/cursorCodec.js';
import { ALL_MSGTYPES, draftMessage, randomMsgtype } from '../data/draftMessage.js';
import { generateDemoData } from '../data/generateDemoData.js';
import { Prng } from '../data/Prng.js';
import type { SimulatorOptions } from '../simulatorOptions.js';
import { CorpRuntime, type PendingMessage } from './CorpRuntime.js';
import { matchRule } from './matchRule.js';
import { type CallbackSink, Notifier } from './Notifier.js';
import { SimClock } from './SimClock.js';
import type { SpecJob } from './SpecJob.js';
import { type SimApp, SuiteAuth } from './SuiteAuth.js';
import { type ArchivedMessage, type CorpData, type DraftMessage, MALFORMATIONS } from './types.js';

const DAY_S = 86_400;

/** The whole simulated upstream: clock, suite credentials, corps and the callback notifier. */
export class SimState {
  readonly clock: SimClock;
  /** The 「会话内容存档接口授权」 app. */
  readonly suite: SuiteAuth;
  /** The display app (third-party / 代开发): display component, JS-SDK tickets, agentId. */
  readonly displaySuite: SuiteAuth;
  readonly corps = new Map<string, CorpRuntime>();
  readonly notifier: Notifier;
  readonly cursors: CursorCodec;
  /** Data-zone (specapi) jobs by jobid, and every custom_id used: both are per provider, not per corp. */
  readonly specJobs = new Map<string, SpecJob>();
  readonly specCustomIds = new Set<string>();
  private readonly livePrng: Prng;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly options: SimulatorOptions,
    sink: CallbackSink,
  ) {
    this.clock = new SimClock(options.startTimeMs);
    this.suite = new SuiteAuth(
      this.clock,
      options.tokenTtlS,
      'archive',
      options.suiteId,
      options.suiteSecret,
    );
    this.displaySuite = new SuiteAuth(
      this.clock,
      options.tokenTtlS,
      'display',
      options.displaySuiteId,
      options.displaySuiteSecret,
    );
    this.cursors = new CursorCodec(`sim-cursor-${options.seed}`);
    const root = new Prng(options.seed);
    this.livePrng = root.fork('live');
    const startS = this.clock.nowS();
    for (const data of generateDemoData(options.seed, options.corpCount, startS)) {
      const corp = new CorpRuntime(data, options.rsaPadding);
      corp.backlog = makeBacklog(root.fork(`backlog-${data.corpId}`), data, options.backlogPerCorp, startS);
      this.corps.set(data.corpId, corp);
    }
    this.notifier = new Notifier(sink, this.clock, options.callbackTokenTtlS, () => this.corps.values());
  }

  /** A one-shot timer that stop() clears (export completion, for instance). */
  schedule(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.notifier.stop();
  }

  corpList(): CorpRuntime[] {
    return [...this.corps.values()];
  }

  suiteOf(app: SimApp): SuiteAuth {
    return app === 'archive' ? this.suite : this.displaySuite;
  }

  /**
   * create_auth (and reset_permanent_code): the corp (re)authorizes the app; a fresh permanent
   * code replaces any old one, which stops working.
   */
  authorize(corp: CorpRuntime, app: SimApp = 'archive'): string {
    const grant = corp.grant(app);
    grant.authorized = true;
    grant.permanentCode = randomBytes(32).toString('base64url');
    return this.suiteOf(app).issueAuthCode(corp.corpId);
  }

  /** cancel_auth: the app's code and tokens stop working; for the archive app, its archive is gone. */
  cancel(corp: CorpRuntime, app: SimApp = 'archive'): void {
    const grant = corp.grant(app);
    grant.authorized = false;
    grant.permanentCode = null;
    // Tokens issued before stay known, so a call with one is told 48004 (cancelled), not 40014.
    if (app !== 'archive') return;
    corp.clearArchive();
    for (const [jobId, job] of this.specJobs) if (job.corpId === corp.corpId) this.specJobs.delete(jobId);
  }

  /** The first key releases the seeded backlog, encrypted with it, as if archiving had begun earlier. */
  setPublicKey(corp: CorpRuntime, pem: string, ver: number): void {
    const first = corp.keys.set(pem, ver);
    if (!first) return;
    for (const pending of corp.backlog) this.archive(corp, pending);
    corp.backlog = [];
  }

  /**
   * New messages now. Without a public key they are never archived (docs/upstream.md §3.10) and are
   * dropped; archived ones are checked against the corp's keyword rules and marked for callbacks.
   */
  createMessages(
    corp: CorpRuntime,
    count: number,
    chatId: string | null,
    msgtype?: number,
    malformed = 0,
  ): ArchivedMessage[] {
    const created: ArchivedMessage[] = [];
    // `malformed` of them, spread over the batch so well-formed records follow each one.
    const broken = new Map(
      Array.from({ length: Math.min(malformed, count) }, (_, k) => [
        Math.floor((k * count) / malformed),
        MALFORMATIONS[k % MALFORMATIONS.length]!,
      ]),
    );
    for (let i = 0; i < count; i += 1) {
      const type = msgtype ?? randomMsgtype(this.livePrng);
      const draft = draftMessage(this.livePrng, corp.data, type, chatId);
      if (corp.keys.version === null) continue;
      const sendTime = Math.max(this.clock.nowS(), corp.messages.at(-1)?.sendTime ?? 0);
      const msg = this.archive(corp, { draft, sendTime, msgid: makeMsgid(this.livePrng, draft, sendTime) });
      const malformation = broken.get(i);
      if (malformation) msg.malformed = malformation;
      created.push(msg);
      const hits = [...corp.rules.values()].flatMap((r) => matchRule(r, draft, corp.data) ?? []);
      if (hits.length) {
        corp.hits.push({ msgid: msg.msgid, hits });
        corp.pendingHit = true;
      }
    }
    if (created.length) corp.pendingNew = true;
    return created;
  }

  /** A random live message in a random corp that has a key (nothing else would be archived). */
  liveTick(): void {
    const corps = this.corpList().filter((c) => c.authorized);
    if (corps.length) this.createMessages(this.livePrng.pick(corps), 1, null);
  }

  private archive(corp: CorpRuntime, pending: PendingMessage): ArchivedMessage {
    const secretKey = randomBytes(24).toString('base64url');
    const msg: ArchivedMessage = {
      ...pending.draft,
      msgid: pending.msgid,
      seq: corp.messages.length,
      sendTime: pending.sendTime,
      secretKey,
      ...corp.keys.encrypt(secretKey),
    };
    corp.append(msg);
    return msg;
  }
}

function makeMsgid(p: Prng, draft: DraftMessage, sendTime: number): string {
  const external = [draft.sender, ...draft.receivers].some((x) => x.type === 2);
  return `${p.digits(19)}_${sendTime * 1000 + p.int(0, 999)}_${external ? 'external' : 'internal'}`;
}

/** Backlog over the last 5 days (minus an hour of slack), every msgtype at least once when n ≥ 29. */
function makeBacklog(p: Prng, corp: CorpData, n: number, startS: number): PendingMessage[] {
  const types = n >= ALL_MSGTYPES.length ? [...ALL_MSGTYPES] : [];
  while (types.length < n) types.push(randomMsgtype(p));
  p.shuffle(types);
  const times = types.map(() => p.int(startS - 5 * DAY_S + 3600, startS - 60)).sort((a, b) => a - b);
  return types.map((type, i) => {
    const draft = draftMessage(p, corp, type, null);
    return { draft, sendTime: times[i]!, msgid: makeMsgid(p, draft, times[i]!) };
  });
}
