export type LandingPageOptions = {
  mode: 'embedded' | 'upstream';
  /** The demo client's key in embedded mode (never a configured secret); null otherwise. */
  demoKey: string | null;
  /** The embedded simulator's base URL; null against real WeCom. */
  simulatorUrl: string | null;
  /** Whether /schema.graphql is served (it is exactly when introspection is open to every client). */
  schemaPublic: boolean;
};

/** Inline styles only: nothing on this page is loaded from anywhere, this gateway included. */
export const LANDING_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /`: what this is and where to go next, for whoever opens the gateway's address first. In
 * embedded mode it shows the demo key, so the first minutes need nothing but this page.
 */
export function renderLandingPage(options: LandingPageOptions): string {
  const embedded = options.mode === 'embedded';
  const links = [
    [
      '/graphql',
      'GraphiQL',
      'run the prepared example operations (demo key and a corp id preset in embedded mode)',
    ],
    ['/console', 'Live console', "a corp's chats, the live message feed, statistics and reply alerts"],
    ['/health', '/health', 'liveness (JSON)'],
    ['/ready', '/ready', 'readiness: the store and the upstream answer (503 otherwise)'],
    ['/metrics', '/metrics', 'Prometheus metrics'],
    ...(options.schemaPublic
      ? [['/schema.graphql', 'schema.graphql', 'the full, documented schema (SDL)']]
      : []),
  ];
  const items = links
    .map(([href, label, what]) => `<li><a href="${href}">${label}</a> — ${what}</li>`)
    .join('\n');
  const demo = embedded
    ? `<h2>Embedded demo</h2>
<p>The upstream is the built-in WeCom simulator${options.simulatorUrl ? ` (<code>${escapeHtml(options.simulatorUrl)}/__sim/corps</code>)` : ''}, with three demo corps and live traffic.</p>
${options.demoKey ? `<p>API key: <code>${escapeHtml(options.demoKey)}</code> — send <code>Authorization: Bearer ${escapeHtml(options.demoKey)}</code>; over graphql-ws put the same string in <code>connectionParams.authorization</code>.</p>` : '<p>API keys come from <code>GATEWAY_CLIENTS</code>.</p>'}
<pre>curl -s http://HOST/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${escapeHtml(options.demoKey ?? 'KEY')}' \\
  -d '{"query":"{ corps(first: 10) { edges { node { corpId name } } } }"}'</pre>`
    : `<p>Upstream: real WeCom. API keys come from <code>GATEWAY_CLIENTS</code>.${options.schemaPublic ? '' : ' Introspection is limited to admin clients, so the schema is not published here: see <code>schema.graphql</code> in the repository.'}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>WeCom archive gateway</title>
<style>
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f6f8fa; border-radius: 4px; }
code { padding: 0 .25em; } pre { padding: .75rem; overflow-x: auto; } li { margin: .3rem 0; }
</style>
</head>
<body>
<h1>WeCom archive gateway</h1>
<p>One GraphQL API over WeCom's conversation-content archive (会话内容存档) third-party APIs: corps, chats,
message metadata, keyword rules and hits, consents, statistics, analysis and export, and live updates
over SSE and graphql-ws.</p>
<ul>
${items}
</ul>
${demo}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
