/** Tiny DOM helpers: elements are built with textContent only, so no data is ever parsed as HTML. */

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** @param {string} id */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
}

/** @param {string | number} value ISO date-time or unix seconds */
export function time(value) {
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return d.toLocaleString(undefined, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * Long WeCom ids shortened for lists (`woG1ia…HqElT`); detail views show them whole.
 * @param {string} id
 */
export function short(id) {
  return id.length > 16 ? `${id.slice(0, 7)}…${id.slice(-5)}` : id;
}

/**
 * A conversation as people name it: group or one-to-one (`kind`), internal or with a customer
 * (`audience`, the chat's own: a customer group is one even when no customer takes part in a
 * message). Only when upstream could not tell (`audience` null) do the parties decide: any
 * external party makes it a customer conversation.
 * @param {{ kind: string, audience?: string | null, chatId?: string | null }} chat
 * @param {{ id: string, type: string }[]} parties the message's sender and receivers, or an alert's customer
 * @param {boolean} [full]
 */
export function chatLabel(chat, parties, full = false) {
  const withCustomer = chat.audience
    ? chat.audience === 'CUSTOMER'
    : parties.some((p) => p.type === 'EXTERNAL');
  const show = (/** @type {string} */ id) => (full ? id : short(id));
  if (chat.kind === 'GROUP')
    return `${withCustomer ? 'customer group' : 'internal group'} ${show(chat.chatId ?? '')}`;
  const ids = [...new Set(parties.map((p) => p.id))].sort().map(show);
  return `${withCustomer ? 'customer chat' : 'internal chat'} ${ids.join(' ↔ ')}`;
}

/**
 * @param {{ id: string, type: string }} p
 * @param {boolean} [full]
 */
export function party(p, full = false) {
  return `${p.type === 'EXTERNAL' ? 'customer' : p.type.toLowerCase()} ${full ? p.id : short(p.id)}`;
}

/** @param {number | null} seconds */
export function duration(seconds) {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** @param {string} message */
export function showError(message) {
  const el = byId('error');
  el.textContent = message;
  el.hidden = message === '';
}
