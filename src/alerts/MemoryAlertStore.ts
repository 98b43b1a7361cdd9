import type { AlertPage, AlertStatusFilter, AlertStore, ReplyAlert, ReplyTimeoutRule } from './AlertStore.js';

type CorpAlerts = { rules: Map<string, ReplyTimeoutRule>; alerts: Map<string, ReplyAlert>; seq: number };

/** Single-process rules and alerts (no Redis). */
export class MemoryAlertStore implements AlertStore {
  readonly #corps = new Map<string, CorpAlerts>();

  #corp(corpId: string): CorpAlerts {
    let c = this.#corps.get(corpId);
    if (!c) {
      c = { rules: new Map(), alerts: new Map(), seq: 0 };
      this.#corps.set(corpId, c);
    }
    return c;
  }

  async listRules(corpId: string): Promise<ReplyTimeoutRule[]> {
    return [...this.#corp(corpId).rules.values()].sort(
      (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
    );
  }

  async getRule(corpId: string, ruleId: string): Promise<ReplyTimeoutRule | null> {
    return this.#corp(corpId).rules.get(ruleId) ?? null;
  }

  async putRule(rule: ReplyTimeoutRule): Promise<void> {
    this.#corp(rule.corpId).rules.set(rule.id, { ...rule });
  }

  async deleteRule(corpId: string, ruleId: string): Promise<boolean> {
    return this.#corp(corpId).rules.delete(ruleId);
  }

  async open(alert: Omit<ReplyAlert, 'seq'>): Promise<ReplyAlert | null> {
    const c = this.#corp(alert.corpId);
    if (c.alerts.has(alert.id)) return null;
    c.seq += 1;
    const stored: ReplyAlert = { ...alert, seq: c.seq };
    c.alerts.set(alert.id, stored);
    return { ...stored };
  }

  async resolveChat(
    corpId: string,
    chatKey: string,
    resolvedAt: number,
    by: ReplyAlert['resolvedBy'],
  ): Promise<ReplyAlert[]> {
    const out: ReplyAlert[] = [];
    for (const a of this.#corp(corpId).alerts.values()) {
      if (a.chatKey !== chatKey || a.status !== 'OPEN') continue;
      a.status = 'RESOLVED';
      a.resolvedAt = resolvedAt;
      a.resolvedBy = by;
      out.push({ ...a });
    }
    return out.sort((x, y) => x.seq - y.seq);
  }

  async list(
    corpId: string,
    status: AlertStatusFilter,
    first: number,
    beforeSeq?: number,
  ): Promise<AlertPage> {
    const matching = [...this.#corp(corpId).alerts.values()]
      .filter(
        (a) => (status === 'ALL' || a.status === status) && (beforeSeq === undefined || a.seq < beforeSeq),
      )
      .sort((a, b) => b.seq - a.seq);
    return { items: matching.slice(0, first).map((a) => ({ ...a })), hasMore: matching.length > first };
  }

  async openAlerts(corpId: string, limit: number): Promise<ReplyAlert[]> {
    return (await this.list(corpId, 'OPEN', limit)).items;
  }

  async purge(corpId: string): Promise<void> {
    this.#corps.delete(corpId);
  }
}
