import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export type Collected<T> = {
  items: T[];
  errors: unknown[];
  /** Resolves when `n` items arrived (bounded by `timeoutMs`). */
  waitForCount(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the server completed the subscription (graphql-ws `complete`, SSE `complete`). */
  completed: Promise<void>;
  stop(): Promise<void>;
};

function collector<T>(): Collected<T> & {
  push(item: T): void;
  fail(error: unknown): void;
  complete(): void;
} {
  let complete = () => {};
  const completed = new Promise<void>((resolve) => {
    complete = resolve;
  });
  const items: T[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  return {
    items,
    errors,
    completed,
    complete,
    push(item) {
      items.push(item);
      wake();
    },
    fail(error) {
      errors.push(error);
      wake();
    },
    async waitForCount(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (items.length < n) {
        if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors[0])}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} events within ${timeoutMs} ms, got ${items.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return items;
    },
    stop: async () => {},
  };
}

/** A real graphql-ws client subscribed to `query`; collects `data` of each event. */
export function wsSubscribe<T>(
  graphqlUrl: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Collected<T> & { client: Client } {
  const client = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
  const c = collector<T>();
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => (result.errors ? c.fail(result.errors) : c.push(result.data as T)),
      error: (error) => c.fail(error),
      complete: () => c.complete(),
    },
  );
  return {
    ...c,
    client,
    stop: async () => {
      dispose();
      await client.dispose();
    },
  };
}

/** A real SSE subscription (yoga's GraphQL over SSE, distinct connections mode); `headers` added. */
export function sseSubscribe<T>(
  graphqlUrl: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Collected<T> {
  const c = collector<T>();
  const abort = new AbortController();
  (async () => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`SSE HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (event === 'complete') c.complete();
        if (event === 'next' && data) {
          const result = JSON.parse(data) as { data?: T; errors?: unknown[] };
          if (result.errors) c.fail(result.errors);
          else c.push(result.data as T);
        }
      }
    }
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) c.fail(error);
  });
  return { ...c, stop: async () => abort.abort() };
}
