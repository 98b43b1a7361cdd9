import { byId, chatLabel, h, party, time } from './dom.js';

/**
 * The message list (newest on top) and the chat list beside it. A row per message; hits arrive
 * later than their message (hit_keyword is its own callback) and are added to the row then.
 */
export class Feed {
  /** @param {{ onSelectMessage: (m: any) => void, onSelectChat: (chatId: string | null, label: string) => void }} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    /** @type {Map<string, { label: string, count: number, last: string, el: HTMLElement, audience: string | null }>} */
    this.chats = new Map();
    /** @type {string | null} */
    this.chatFilter = null;
  }

  reset() {
    this.chats.clear();
    this.chatFilter = null;
    byId('feed').replaceChildren();
    byId('chats').replaceChildren();
    byId('feed-filter').replaceChildren();
  }

  /** @param {any[]} messages newest first */
  load(messages) {
    for (const m of [...messages].reverse()) this.add(m, false);
  }

  /**
   * @param {any} m a Message
   * @param {boolean} live
   */
  add(m, live) {
    const label = chatLabel(m.chat, [m.sender, ...m.receivers]);
    const row = h(
      'li',
      { class: live ? 'msg live' : 'msg', 'data-msgid': m.msgid, 'data-chat-id': m.chat.id },
      h('span', { class: 'type' }, m.type),
      `${party(m.sender)} → ${label}`,
      h('div', { class: 'meta' }, `${time(m.sentAt)} · ${m.receivers.length} receiver(s)`),
    );
    for (const hit of m.hits) row.append(chip(hit.rule.name));
    row.addEventListener('click', () => {
      for (const el of byId('feed').querySelectorAll('li.selected')) el.classList.remove('selected');
      row.classList.add('selected');
      this.handlers.onSelectMessage(m);
    });
    row.hidden = this.chatFilter !== null && this.chatFilter !== m.chat.id;
    byId('feed').prepend(row);
    this.#countChat(m.chat, label, m.sentAt);
  }

  /** @param {{ messageId: string, rule: { name: string } }} hit */
  addHit(hit) {
    const row = byId('feed').querySelector(`li[data-msgid="${CSS.escape(hit.messageId)}"]`);
    row?.append(chip(hit.rule.name));
  }

  /**
   * The chat's row in the list. Its label is the chat's kind and audience (the chat's own, on
   * every message), so it stays right whichever message came first; a message that knows the
   * audience when the first did not (upstream did not answer then) corrects it.
   * @param {{ id: string, audience?: string | null }} of the message's chat
   * @param {string} label
   * @param {string} sentAt
   */
  #countChat(of, label, sentAt) {
    let chat = this.chats.get(of.id);
    if (!chat) {
      const el = h('li', { class: 'chat', 'data-chat-id': of.id });
      el.addEventListener('click', () => this.#filter(of.id));
      chat = { label, count: 0, last: sentAt, el, audience: of.audience ?? null };
      this.chats.set(of.id, chat);
    } else if (of.audience && !chat.audience) {
      chat.label = label;
      chat.audience = of.audience;
    }
    chat.count += 1;
    chat.last = sentAt;
    chat.el.replaceChildren(
      h('div', {}, chat.label),
      h('div', { class: 'meta' }, `${chat.count} message(s) · last ${time(chat.last)}`),
    );
    byId('chats').prepend(chat.el);
  }

  /** @param {string | null} chatId */
  #filter(chatId) {
    this.chatFilter = chatId;
    for (const el of byId('chats').children)
      el.classList.toggle('selected', el.getAttribute('data-chat-id') === chatId);
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (byId('feed').querySelectorAll('li.msg'))) {
      el.hidden = chatId !== null && el.getAttribute('data-chat-id') !== chatId;
    }
    const label = chatId ? (this.chats.get(chatId)?.label ?? chatId) : '';
    const filter = byId('feed-filter');
    filter.replaceChildren();
    if (chatId) {
      const all = h('button', { class: 'link', type: 'button' }, 'show all');
      all.addEventListener('click', () => this.#filter(null));
      filter.append(`· ${label} · `, all);
    }
    this.handlers.onSelectChat(chatId, label);
  }
}

/** @param {string} name */
function chip(name) {
  return h('span', { class: 'chip' }, `⚑ ${name}`);
}
