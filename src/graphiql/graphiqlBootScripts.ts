/**
 * The two small scripts around yoga's GraphiQL bundle, served as files (not inline) so the page's
 * CSP can say `script-src 'self'`.
 *
 * `env.js` runs before the bundle: Monaco asks `MonacoEnvironment` for its worker URLs, and these
 * are files on this gateway (yoga's own page makes blob: URLs from inlined strings instead).
 *
 * `boot.js` runs after it: it reads the per-page options from the JSON block the page carries and
 * renders GraphiQL with a storage namespaced by the examples' hash. GraphiQL restores its tabs
 * from localStorage before looking at `defaultTabs`, so without the namespace a browser that ever
 * opened an older page on this origin (or yoga's welcome tab) keeps showing that instead of the
 * prepared examples; with it, a changed set of examples opens fresh and edits survive reloads.
 */
export const GRAPHIQL_ENV_SCRIPT = `'use strict';
(() => {
  const workers = {
    editorWorkerService: '/graphiql/editor.worker.js',
    json: '/graphiql/json.worker.js',
    graphql: '/graphiql/graphql.worker.js',
  };
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_moduleId, label) => workers[label] };
})();
`;

export const GRAPHIQL_BOOT_SCRIPT = `'use strict';
(() => {
  const options = JSON.parse(document.getElementById('graphiql-options').textContent);
  const prefix = 'wag:' + options.storageNamespace + ':';
  const own = () => Object.keys(localStorage).filter((k) => k.startsWith(prefix));
  const storage = {
    getItem: (key) => localStorage.getItem(prefix + key),
    setItem: (key, value) => localStorage.setItem(prefix + key, value),
    removeItem: (key) => localStorage.removeItem(prefix + key),
    clear: () => own().forEach((k) => localStorage.removeItem(k)),
    key: (i) => (own()[i] ?? null)?.slice(prefix.length) ?? null,
    get length() { return own().length; },
  };
  delete options.storageNamespace;
  // On a reload GraphiQL looks for a saved tab equal to its initial query, variables and headers
  // and, finding none, appends an empty "untitled" tab and shows it. Starting from the saved
  // active tab makes a reload show what was there.
  try {
    const saved = JSON.parse(storage.getItem('graphiql:tabState') ?? 'null');
    const tab = saved?.tabs?.[saved.activeTabIndex];
    if (tab) {
      options.initialQuery = tab.query ?? '';
      options.initialVariables = tab.variables ?? '';
      options.initialHeaders = tab.headers ?? '';
    }
  } catch {
    // Unreadable saved state: GraphiQL falls back to the prepared tabs.
  }
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), { ...options, storage });
})();
`;
