import { byId, chatLabel, duration, h, party, time } from './dom.js';
import { ALERTS, DETAIL, STATS } from './queries.js';

/**
 * The right-hand column: where `ww-open-message` would render the selected message (and, against
 * the simulator, what it would show), statistics of the corp or the selected chat, open alerts.
 */
export class Side {
  /**
   * @param {{ request: (q: string, v?: Record<string, unknown>) => Promise<any> }} gql
   * @param {string} corpId
   * @param {{ canDisplay: boolean, renderBase: string | null, signal: AbortSignal }} opts aborted when
   *   another corp is opened: an answer that arrives later must not paint over the new corp
   */
  constructor(gql, corpId, opts) {
    this.gql = gql;
    this.corpId = corpId;
    this.opts = opts;
  }

  /**
   * True (and said on the console) when another corp was opened since `what` was asked for: its
   * answer must not paint over the new corp.
   * @param {string} what
   */
  #stale(what) {
    if (!this.opts.signal.aborted) return false;
    console.debug(`late ${what} answer for corp ${this.corpId} ignored`);
    return true;
  }

  /** @param {any} m */
  async showMessage(m) {
    const detail = byId('detail');
    detail.replaceChildren(h('p', { class: 'hint' }, `Loading ${m.msgid}…`));
    const data = await this.gql.request(DETAIL, { id: m.id, keys: this.opts.canDisplay });
    if (this.#stale('Detail')) return;
    const msg = data.node ?? m;
    const secretKey = msg.display?.secretKey ?? null;
    const template = `<ww-open-message message-id="${msg.msgid}" secret-key="${secretKey ?? '…needs scope content:display'}">`;
    const slot = h('div', { class: 'slot', id: 'ww-slot' }, h('code', {}, template));
    detail.replaceChildren(
      h('div', {}, h('strong', {}, msg.type), ` · ${time(msg.sentAt)}`),
      h('div', { class: 'meta' }, `from ${party(msg.sender, true)}`),
      h('div', { class: 'meta' }, `in ${chatLabel(msg.chat, [msg.sender, ...msg.receivers], true)}`),
      h(
        'div',
        { class: 'meta' },
        `to ${msg.receivers.map((/** @type {any} */ r) => party(r, true)).join(', ') || '—'}`,
      ),
      h('div', { class: 'meta' }, `rule hits: ${msg.hits.map((x) => x.rule.name).join(', ') || 'none'}`),
      slot,
    );
    if (!secretKey) return;
    if (!this.opts.renderBase) {
      slot.append(
        h('p', { class: 'hint' }, 'The display component renders the content here (WeCom login needed).'),
      );
      return;
    }
    const params = new URLSearchParams({ msgid: msg.msgid, secret_key: secretKey });
    const res = await fetch(`${this.opts.renderBase}/__sim/render?${params}`);
    const body = await res.json();
    if (this.#stale('render')) return;
    slot.append(
      h(
        'div',
        { class: 'content', id: 'content' },
        res.ok ? contentText(body) : `render failed: ${body.errmsg}`,
      ),
    );
  }

  /** @param {string | null} chatId @param {string} label */
  async showStats(chatId, label) {
    byId('stats-scope').textContent = `${chatId ? label : 'corp'}, last 7 days`;
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86_400_000);
    const data = await this.gql.request(STATS, { c: this.corpId, chat: chatId, from, to });
    if (this.#stale('Stats')) return;
    const s = data.corp.statistics;
    const pct = s.replyRate === null ? '—' : `${Math.round(s.replyRate * 100)}%`;
    const rows = [
      ['messages', String(s.messages)],
      ['chats started', String(s.chatsStarted)],
      ['customer messages', String(s.customerMessages)],
      ['replied', `${s.customerMessagesReplied} (${pct})`],
      ['first response, median', duration(s.firstResponseSeconds.median)],
      ['first response, p90', duration(s.firstResponseSeconds.p90)],
      ['reply time, average', duration(s.replySeconds.avg)],
      ['recalls', String(s.recalls)],
    ];
    const stats = byId('stats');
    stats.dataset['corpId'] = this.corpId;
    stats.replaceChildren(
      h('table', { class: 'stats' }, ...rows.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v)))),
    );
  }

  async showAlerts() {
    const data = await this.gql.request(ALERTS, { c: this.corpId });
    if (this.#stale('Alerts')) return;
    const edges = data.corp.replyAlerts.edges;
    const alerts = byId('alerts');
    alerts.dataset['corpId'] = this.corpId;
    alerts.replaceChildren(
      ...(edges.length === 0
        ? [h('li', { class: 'hint' }, 'none open (rules: createReplyTimeoutRule)')]
        : edges.map((/** @type {any} */ e) =>
            h(
              'li',
              { class: 'msg' },
              `${e.node.ruleName} (${e.node.minutes} min) · ${chatLabel(e.node.chat, [e.node.customer])}`,
              h('div', { class: 'meta' }, `customer ${e.node.customer.id} · due ${time(e.node.deadlineAt)}`),
            ),
          )),
    );
  }
}

/** @param {{ msgtype: number, content: Record<string, unknown> }} body */
function contentText(body) {
  const c = body.content;
  if (typeof c['content'] === 'string') return c['content'];
  if (typeof c['title'] === 'string') return `${c['title']}${c['link_url'] ? ` (${c['link_url']})` : ''}`;
  if (typeof c['filename'] === 'string') return `📎 ${c['filename']}`;
  return JSON.stringify(c, null, 2);
}
