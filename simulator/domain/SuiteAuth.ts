import { randomBytes } from 'node:crypto';
import { WecomError } from '../http/WecomError.js';
import type { SimClock } from './SimClock.js';

const TICKET_TTL_MS = 30 * 60_000;
const AUTH_CODE_TTL_MS = 10 * 60_000;

export const newSecret = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The provider's two apps (docs/upstream.md §8.3): the archive authorization and the display app. */
export type SimApp = 'archive' | 'display';

/** One app's suite-level credentials: pushed tickets, suite tokens and single-use auth codes. */
export class SuiteAuth {
  private readonly tickets = new Map<string, number>();
  private readonly suiteTokens = new Map<string, number>();
  private readonly authCodes = new Map<string, { corpId: string; expiresAtMs: number; used: boolean }>();

  constructor(
    private readonly clock: SimClock,
    private readonly tokenTtlS: number,
    readonly app: SimApp,
    readonly suiteId: string,
    readonly suiteSecret: string,
  ) {}

  issueTicket(): string {
    const ticket = newSecret(24);
    this.tickets.set(ticket, this.clock.nowMs());
    return ticket;
  }

  /** When a ticket this suite pushed was issued, unix seconds of the simulator clock (its TimeStamp). */
  ticketTimeStamp(ticket: string): number | null {
    const issued = this.tickets.get(ticket);
    return issued === undefined ? null : Math.floor(issued / 1000);
  }

  /** Whether this suite issued the token (valid or not): decides which app a call is for. */
  issued(suiteToken: string): boolean {
    return this.suiteTokens.has(suiteToken);
  }

  /** Any ticket the simulator pushed in the last 30 minutes is accepted. */
  checkTicket(ticket: string | undefined): void {
    const issued = ticket === undefined ? undefined : this.tickets.get(ticket);
    if (issued === undefined)
      throw new WecomError(40085, 'invalid suite_ticket: not one the simulator pushed');
    if (this.clock.nowMs() - issued >= TICKET_TTL_MS) {
      throw new WecomError(40085, 'invalid suite_ticket: expired (valid 30 min after its push)');
    }
  }

  issueSuiteToken(): { suite_access_token: string; expires_in: number } {
    const token = newSecret(48);
    this.suiteTokens.set(token, this.clock.nowMs() + this.tokenTtlS * 1000);
    return { suite_access_token: token, expires_in: this.tokenTtlS };
  }

  checkSuiteToken(token: string | null): void {
    if (token === null || token === '') throw new WecomError(41022, 'suite_access_token missing');
    const expires = this.suiteTokens.get(token);
    if (expires === undefined) throw new WecomError(40082, 'invalid suite_access_token');
    if (this.clock.nowMs() >= expires) throw new WecomError(42009, 'suite_access_token expired');
  }

  issueAuthCode(corpId: string): string {
    const code = newSecret(48); // 64 characters, within the 64–512 bytes of docs/upstream.md §1.1
    this.authCodes.set(code, { corpId, expiresAtMs: this.clock.nowMs() + AUTH_CODE_TTL_MS, used: false });
    return code;
  }

  /** Single use, 10 minutes; 40078 otherwise. */
  redeemAuthCode(code: string | undefined): string {
    const entry = code === undefined ? undefined : this.authCodes.get(code);
    if (!entry) throw new WecomError(40078, 'invalid auth_code');
    if (entry.used)
      throw new WecomError(40078, 'invalid auth_code: already used (auth codes are single use)');
    if (this.clock.nowMs() >= entry.expiresAtMs)
      throw new WecomError(40078, 'invalid auth_code: expired (valid 10 min)');
    entry.used = true;
    return entry.corpId;
  }
}
