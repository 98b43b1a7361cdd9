import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request the running code serves: an HTTP request to /graphql (src/http/graphqlRoute.ts) or
 * one graphql-ws operation (src/subscriptions/WsOperation.ts), for the code that is handed no
 * context — yoga's error masking and logger — to log with the request's id.
 */
export const requestScope = new AsyncLocalStorage<{ readonly requestId: string }>();
