import { byId, h, showError } from './dom.js';
import { Feed } from './feed.js';
import { createGql } from './gql.js';
import { HITS, LIVE, RECENT, SESSION } from './queries.js';
import { Side } from './side.js';

/** Kept for this tab only: closing it signs out. */
const KEY_ITEM = 'archive-console-key';

/** @type {{ simulatorRenderBase: string | null }} */
const config = await (await fetch('/console/config.json')).json();
/** @type {AbortController | null} */
let live = null;

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = /** @type {HTMLInputElement} */ (byId('key')).value.trim();
  if (key) signIn(key);
});
byId('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_ITEM);
  live?.abort();
  location.reload();
});

const saved = sessionStorage.getItem(KEY_ITEM);
if (saved) signIn(saved);

/** @param {string} key */
async function signIn(key) {
  showError('');
  const gql = createGql(key);
  let session;
  try {
    session = await gql.request(SESSION);
  } catch (error) {
    showError(`Sign-in failed: ${/** @type {Error} */ (error).message}`);
    sessionStorage.removeItem(KEY_ITEM);
    return;
  }
  sessionStorage.setItem(KEY_ITEM, key);
  byId('sign-in-form').hidden = true;
  byId('session').hidden = false;
  byId('main').hidden = false;
  byId('who').textContent = `${session.viewer.id} (${session.viewer.scopes.join(', ')})`;
  const select = /** @type {HTMLSelectElement} */ (byId('corp'));
  select.replaceChildren(
    ...session.corps.edges.map(
      (/** @type {any} */ e) => new Option(`${e.node.name ?? ''} ${e.node.corpId}`, e.node.corpId),
    ),
  );
  const canDisplay = session.viewer.scopes.includes('content:display');
  select.addEventListener('change', () => openCorp(gql, select.value, canDisplay));
  if (select.value) openCorp(gql, select.value, canDisplay);
}

/**
 * Loads the corp's newest messages, then follows it live from the newest cursor (the stream
 * replays anything after it first, so nothing falls between the query and the subscription).
 * @param {ReturnType<typeof createGql>} gql
 * @param {string} corpId
 * @param {boolean} canDisplay
 */
async function openCorp(gql, corpId, canDisplay) {
  live?.abort();
  const controller = new AbortController();
  live = controller;
  const side = new Side(gql, corpId, {
    canDisplay,
    renderBase: config.simulatorRenderBase,
    signal: controller.signal,
  });
  const feed = new Feed({
    onSelectMessage: (m) => side.showMessage(m).catch((e) => showError(e.message)),
    onSelectChat: (chatId, label) => side.showStats(chatId, label).catch((e) => showError(e.message)),
  });
  feed.reset();
  // Nothing of the previous corp stays on screen: its selected message, statistics and alerts.
  showError('');
  byId('detail').replaceChildren(
    h('p', { class: 'hint' }, 'Click a message to see where ww-open-message renders it.'),
  );
  byId('stats-scope').textContent = 'corp, last 7 days';
  for (const id of ['stats', 'alerts']) {
    const el = byId(id);
    el.replaceChildren();
    // Which corp the panel shows: set by whoever paints it (side.js), so a test can tell.
    delete el.dataset['corpId'];
  }
  const status = byId('status');
  status.textContent = 'loading';
  status.classList.remove('live');
  try {
    const data = await gql.request(RECENT, { c: corpId });
    // Another corp was picked while this one loaded.
    if (controller.signal.aborted) return;
    const edges = data.corp?.messages.edges ?? [];
    feed.load(edges.map((/** @type {any} */ e) => e.node));
    side.showStats(null, '').catch((e) => showError(e.message));
    side.showAlerts().catch((e) => showError(e.message));
    const onError = (/** @type {Error} */ e) => {
      status.textContent = 'offline';
      status.classList.remove('live');
      showError(`Live stream: ${e.message}`);
    };
    gql.subscribe(
      LIVE,
      { c: corpId, after: edges[0]?.cursor ?? null },
      {
        signal: controller.signal,
        onOpen: () => {
          status.textContent = 'live';
          status.classList.add('live');
        },
        onData: (d) => feed.add(d.messageAdded.message, true),
        onError,
      },
    );
    gql.subscribe(
      HITS,
      { c: corpId },
      { signal: controller.signal, onData: (d) => feed.addHit(d.keywordHit), onError },
    );
  } catch (error) {
    if (!controller.signal.aborted) showError(/** @type {Error} */ (error).message);
  }
}
