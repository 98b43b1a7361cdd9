/**
 * GraphQL over HTTP and over SSE (fetch streaming: POST /graphql with Accept: text/event-stream),
 * with the API key in the Authorization header. No library: the console stays a few files.
 */

const ENDPOINT = '/graphql';

export class GraphQLRequestError extends Error {
  /** @param {{ message: string, extensions?: { code?: string } }[]} errors */
  constructor(errors) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** @param {string} key */
export function createGql(key) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };

  /**
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   */
  async function request(query, variables = {}) {
    const res = await fetch(ENDPOINT, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    const fatal = fatalErrors(body);
    if (fatal.length) throw new GraphQLRequestError(fatal);
    return body.data;
  }

  /**
   * Runs a subscription until `signal` aborts; `onData` gets each event's data.
   * @param {string} query
   * @param {Record<string, unknown>} variables
   * @param {{ onData: (data: any) => void, onOpen?: () => void, onError?: (e: Error) => void, signal: AbortSignal }} handlers
   */
  async function subscribe(query, variables, { onData, onOpen, onError, signal }) {
    try {
      const res = await fetch(ENDPOINT, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
        signal,
      });
      if (!res.ok || !res.body) throw new Error(`subscription refused: HTTP ${res.status}`);
      onOpen?.();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          handleEvent(buffer.slice(0, end), onData);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
      if (!signal.aborted) onError?.(new Error('the live stream ended'));
    } catch (error) {
      if (!signal.aborted) onError?.(/** @type {Error} */ (error));
    }
  }

  return { request, subscribe };
}

/**
 * One SSE event: `data:` lines carry an ExecutionResult; comments (keep-alives) carry nothing.
 * @param {string} block
 * @param {(data: any) => void} onData
 */
function handleEvent(block, onData) {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (!data) return;
  const result = JSON.parse(data);
  const fatal = fatalErrors(result);
  if (fatal.length) throw new GraphQLRequestError(fatal);
  if (result.data) onData(result.data);
}

/** Fields the console can do without: null with an error there leaves the rest of the answer usable. */
const OPTIONAL_FIELDS = new Set(['audience']);

/**
 * The errors that make an answer unusable: all of them, except errors at an optional field of an
 * answer that has data (e.g. a chat's `audience` when upstream's groupchat/get failed; the label
 * then falls back to the message's parties).
 * @param {{ data?: unknown, errors?: { message: string, path?: (string | number)[], extensions?: { code?: string } }[] }} result
 */
function fatalErrors(result) {
  const errors = result.errors ?? [];
  if (!result.data) return errors;
  return errors.filter((e) => !OPTIONAL_FIELDS.has(String(e.path?.[e.path.length - 1])));
}
