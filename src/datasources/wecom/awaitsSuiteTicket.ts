import { WecomError } from './WecomError.js';

/** WeCom's answer to get_suite_token with a ticket it no longer accepts (docs/upstream.md §1.2). */
export const SUITE_TICKET_INVALID = 40085;

/** No suite_ticket has been pushed to this gateway yet for the app (docs/upstream.md §1.1). */
export class SuiteTicketMissingError extends WecomError {
  constructor(path: string, suiteId: string) {
    super(`no suite_ticket received yet for suite ${suiteId}: wait for the next suite_ticket callback`, {
      code: 'UPSTREAM_ERROR',
      path,
      errcode: null,
      httpStatus: null,
      // Asking again at once cannot help: only WeCom's next push (every 10 minutes) can.
      retryable: false,
      hint: null,
    });
    this.name = 'SuiteTicketMissingError';
  }
}

/**
 * The failure is the suite's ticket (none received yet, or a stale one refused with 40085): it
 * clears by itself when WeCom pushes the next ticket, within 10 minutes. A callback event that
 * failed so is kept and delivered again (an auth code lives 10 minutes upstream); an immediate
 * HTTP retry would only repeat the same refusal, so the error itself stays not retryable.
 */
export function awaitsSuiteTicket(error: WecomError): boolean {
  return error instanceof SuiteTicketMissingError || error.errcode === SUITE_TICKET_INVALID;
}
