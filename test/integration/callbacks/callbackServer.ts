import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CallbackEmitter,
  type CallbackEmitterOptions,
} from '../../../simulator/callbacks/CallbackEmitter.js';
import type { CallbackEvent } from '../../../src/callbacks/CallbackEvent.js';
import {
  type CallbackHandlerDeps,
  createCallbackHandler,
} from '../../../src/callbacks/createCallbackHandler.js';
import { DEMO_SUITE } from '../../../src/config/config.js';
import { MemoryKeyValueStore } from '../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import { Recorder, recordingAuth, recordingLogger } from './fakes.js';

/** Decides per request whether it reaches the handler; resolving 'drop' answers nothing. */
export type Gate = (req: IncomingMessage, res: ServerResponse, n: number) => Promise<'pass' | 'drop'>;

/**
 * A real node:http server on 127.0.0.1:0 running createCallbackHandler against recording ports.
 * `answers` records the status of every response actually written, in order.
 */
export async function startCallbackServer(overrides: Partial<CallbackHandlerDeps> = {}) {
  const kv = new MemoryKeyValueStore();
  const tickets = new Recorder<string>();
  const { auth, calls: authCalls } = recordingAuth();
  const events = new Recorder<CallbackEvent>();
  const onEventCalls = new Recorder<CallbackEvent>();
  const ignored = new Recorder<{ infoType: string; reason: string }>();
  const { logger, entries: logs } = recordingLogger();
  const state: { onEvent: (event: CallbackEvent) => Promise<void>; gate: Gate | undefined } = {
    onEvent: async (event) => events.record(event),
    gate: undefined,
  };
  const handler = createCallbackHandler({
    suite: DEMO_SUITE,
    maxSkewS: 300,
    kv,
    tokens: { setSuiteTicket: async (ticket) => tickets.record(ticket) },
    auth,
    onEvent: async (event) => {
      onEventCalls.record(event);
      await state.onEvent(event);
    },
    onIgnored: (infoType, reason) => ignored.record({ infoType, reason }),
    logger,
    ...overrides,
  });
  const arrivals = new Recorder<IncomingMessage>();
  const answers = new Recorder<number>();
  const server: Server = createServer((req, res) => {
    arrivals.record(req);
    const n = arrivals.calls.length;
    res.on('finish', () => answers.record(res.statusCode));
    void (async () => {
      if (state.gate && (await state.gate(req, res, n)) === 'drop') return;
      await handler(req, res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
  return {
    url,
    kv,
    tickets,
    authCalls,
    events,
    onEventCalls,
    ignored,
    logs,
    arrivals,
    answers,
    state,
    /** Everything any port recorded: empty means the request changed nothing. */
    sideEffects: () => [...tickets.calls, ...authCalls.calls, ...onEventCalls.calls],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Records what an emitter posts and answers `success`, so a test can replay the exact request. */
export async function startCapturingServer() {
  const captured = new Recorder<{ pathAndQuery: string; body: string }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured.record({ pathAndQuery: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
      res.end('success');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`,
    captured,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A real simulator-side emitter with the demo suite's credentials; `track` receives its
 * cleanup. Tests pass their own retry policy through `options`.
 */
export function demoEmitter(
  url: string,
  track: (cleanup: () => Promise<void>) => void,
  options: Partial<CallbackEmitterOptions> = {},
): CallbackEmitter {
  const emitter = new CallbackEmitter({
    url,
    token: DEMO_SUITE.callbackToken,
    encodingAesKey: DEMO_SUITE.callbackAesKey,
    receiveId: DEMO_SUITE.suiteId,
    tries: 3,
    timeoutMs: 2000,
    retryDelayMs: 10,
    ...options,
  });
  track(() => emitter.close());
  return emitter;
}
