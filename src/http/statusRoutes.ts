import type { Registry } from 'prom-client';
import type { Handler } from './Routes.js';
import { sendJson } from './sendJson.js';

/** /health: the process answers. */
export const healthRoute: Handler = (_req, res) => sendJson(res, 200, { status: 'ok' });

/** /ready: 503 while stopping or while a store does not answer `ping`. */
export function readyRoute(ping: () => Promise<unknown>, draining: () => boolean): Handler {
  return async (_req, res) => {
    if (draining()) return sendJson(res, 503, { status: 'unavailable', reason: 'shutting down' });
    try {
      await ping();
      sendJson(res, 200, { status: 'ready' });
    } catch (error) {
      sendJson(res, 503, { status: 'unavailable', reason: (error as Error).message });
    }
  };
}

/** /metrics: Prometheus text. */
export function metricsRoute(registry: Registry): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
  };
}
