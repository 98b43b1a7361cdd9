/**
 * A client of the simulator's control API (`/__sim/*`): JSON in and out; a non-2xx answer to a
 * POST throws with the simulator's message. Shared by tests and the bench.
 */
export function simControl(simUrl: string) {
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${simUrl}${path}`);
      return (await res.json()) as T;
    },
    async post<T>(path: string, body: unknown = {}): Promise<T> {
      const res = await fetch(`${simUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
      return json;
    },
    async del(path: string): Promise<void> {
      await (await fetch(`${simUrl}${path}`, { method: 'DELETE' })).arrayBuffer();
    },
  };
}
