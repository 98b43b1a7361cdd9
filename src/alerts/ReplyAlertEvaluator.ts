import { createHash } from 'node:crypto';
import type { CorpRegistry } from '../datasources/store/ports.js';
import type { Logger } from '../logging/Logger.js';
import type { ClosedTurn } from '../stats/applyMessages.js';
import type { StatsStore } from '../stats/StatsStore.js';
import type { AlertStore, ReplyAlert, ReplyAlertEvent } from './AlertStore.js';
import { ruleMatchesTurn } from './ruleMatchesTurn.js';

export type ReplyAlertEvaluatorOptions = {
  alerts: AlertStore;
  /** The reply pairing state (waiting turns) lives with the statistics. */
  stats: StatsStore;
  corps: CorpRegistry;
  /** Tells live subscribers (the event bus's `replyAlert` topic, wired by the caller). */
  publish: (event: ReplyAlertEvent) => void;
  logger: Logger;
  /** Timer period, ms. */
  intervalMs: number;
  /** Waiting turns looked at per corp and tick. Default 1000. */
  scanLimit?: number;
  now?: () => number;
};

export function alertIdOf(ruleId: string, chatKey: string, msgid: string): string {
  return createHash('sha256').update(`${ruleId}\n${chatKey}\n${msgid}`).digest('base64url').slice(0, 22);
}

/**
 * Opens an alert when a waiting customer turn passes a rule's deadline (on a timer, on every
 * replica, and after each statistics commit), and resolves the chat's alerts when an employee
 * answers. Opening is keyed by (rule, chat, customer message) in the store, so replicas racing
 * on one deadline open it once; only the call that changed the alert publishes it.
 */
export class ReplyAlertEvaluator {
  readonly #o: ReplyAlertEvaluatorOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<unknown> = Promise.resolve();

  constructor(options: ReplyAlertEvaluatorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#tick = this.#tick.then(() => this.evaluate());
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  /** Every active corp at `nowMs` (injectable: tests drive the clock). Returns the alerts it opened. */
  async evaluate(nowMs = this.#now()): Promise<ReplyAlert[]> {
    let corpIds: string[];
    try {
      corpIds = (await this.#o.corps.list()).filter((c) => c.status === 'ACTIVE').map((c) => c.corpId);
    } catch (error) {
      this.#o.logger.warn({ err: (error as Error).message }, 'alert evaluation could not list corps');
      return [];
    }
    const opened = await Promise.all(
      corpIds.map((corpId) =>
        this.evaluateCorp(corpId, nowMs).catch((error: unknown) => {
          this.#o.logger.warn({ corpId, err: (error as Error).message }, 'alert evaluation failed');
          return [];
        }),
      ),
    );
    return opened.flat();
  }

  async evaluateCorp(corpId: string, nowMs = this.#now()): Promise<ReplyAlert[]> {
    const { alerts, stats, publish } = this.#o;
    const rules = (await alerts.listRules(corpId)).filter((r) => r.enabled);
    if (rules.length === 0) return [];
    const nowS = Math.floor(nowMs / 1000);
    const since = Math.min(...rules.map((r) => Math.floor(r.createdAt / 1000)));
    const before = nowS - Math.min(...rules.map((r) => r.minutes)) * 60;
    const turns = await stats.pendingTurns(corpId, since, before, this.#o.scanLimit ?? 1000);
    const opened: ReplyAlert[] = [];
    for (const { chatKey, turn } of turns) {
      for (const rule of rules) {
        if (!ruleMatchesTurn(rule, turn, nowS)) continue;
        const alert = await alerts.open({
          corpId,
          id: alertIdOf(rule.id, chatKey, turn.msgid),
          ruleId: rule.id,
          ruleName: rule.name,
          minutes: rule.minutes,
          chatKey,
          chatKind: turn.kind,
          chatId: turn.chatId,
          parties: turn.parties,
          customerMsgid: turn.msgid,
          customerId: turn.customerId,
          customerSentAt: turn.at,
          openedAt: nowMs,
          status: 'OPEN',
          resolvedAt: null,
          resolvedBy: null,
        });
        if (!alert) continue;
        opened.push(alert);
        publish({ corpId, change: 'OPENED', alert });
      }
    }
    await this.#healStale(corpId, nowMs);
    return opened;
  }

  /** Resolves the open alerts of the chats these answers closed (called after a statistics commit). */
  async resolveAnswered(corpId: string, closed: readonly ClosedTurn[], nowMs = this.#now()): Promise<void> {
    if (closed.length === 0) return;
    // A backlog page closes hundreds of turns, but only chats with an open alert need a write.
    const open = await this.#o.alerts.openAlerts(corpId, 10_000);
    if (open.length === 0) return;
    const openChats = new Set(open.map((a) => a.chatKey));
    for (const { chatKey, reply } of closed) {
      if (!openChats.has(chatKey)) continue;
      const by = { msgid: reply.msgid, employeeId: reply.employeeId, sentAt: reply.at };
      for (const alert of await this.#o.alerts.resolveChat(corpId, chatKey, nowMs, by)) {
        this.#o.publish({ corpId, change: 'RESOLVED', alert });
      }
    }
  }

  /**
   * An alert whose turn is no longer waiting was answered while its resolution was lost (a crash
   * between the statistics commit and resolveAnswered): resolve it, without a replying message.
   */
  async #healStale(corpId: string, nowMs: number): Promise<void> {
    const open = await this.#o.alerts.openAlerts(corpId, 200);
    if (open.length === 0) return;
    const chatKeys = [...new Set(open.map((a) => a.chatKey))];
    const states = await this.#o.stats.chatStates(corpId, chatKeys);
    for (const [i, chatKey] of chatKeys.entries()) {
      const waiting = states[i]?.pending?.msgid;
      if (open.some((a) => a.chatKey === chatKey && a.customerMsgid === waiting)) continue;
      for (const alert of await this.#o.alerts.resolveChat(corpId, chatKey, nowMs, null)) {
        this.#o.publish({ corpId, change: 'RESOLVED', alert });
      }
    }
  }
}
