import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

type Route = { handle: Handler; methods: readonly string[] | null };

/**
 * The gateway's table of paths: each subsystem adds its own when it is built. A path is exact
 * (`/graphql`) or a prefix ending in `*` (`/graphiql/*`); exact paths win, then the longest
 * prefix. A route limited to some `methods` does not exist for the others (they get the 404).
 */
export class Routes {
  readonly #exact = new Map<string, Route>();
  readonly #prefixes: { prefix: string; route: Route }[] = [];

  add(path: string, handle: Handler, methods: readonly string[] | null = null): this {
    const route = { handle, methods };
    if (!path.endsWith('*')) {
      if (this.#exact.has(path)) throw new Error(`route ${path} is already taken`);
      this.#exact.set(path, route);
      return this;
    }
    this.#prefixes.push({ prefix: path.slice(0, -1), route });
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** The handler for a request's path (no query string) and method, or null. */
  find(path: string, method: string | undefined): Handler | null {
    const route = this.#exact.get(path) ?? this.#prefixes.find((p) => path.startsWith(p.prefix))?.route;
    if (!route) return null;
    if (route.methods && !route.methods.includes(method ?? 'GET')) return null;
    return route.handle;
  }
}
