import type { StoredSuiteTicket, SuiteTicketStore } from '../ports.js';

/** Suite tickets in process memory (a single replica without PostgreSQL). */
export class MemorySuiteTicketStore implements SuiteTicketStore {
  readonly #tickets = new Map<string, StoredSuiteTicket>();

  async get(suiteId: string): Promise<StoredSuiteTicket | null> {
    return this.#tickets.get(suiteId) ?? null;
  }

  async putIfNewer(suiteId: string, ticket: StoredSuiteTicket): Promise<boolean> {
    const current = this.#tickets.get(suiteId);
    if (current && current.ts > ticket.ts) return false;
    this.#tickets.set(suiteId, { ...ticket });
    return true;
  }
}
