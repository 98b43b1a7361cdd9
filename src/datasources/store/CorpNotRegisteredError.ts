/**
 * A write for a corp the registry no longer holds (its authorization was cancelled while a sync
 * was under way): refused, so nothing of a cancelled corp outlives its purge.
 */
export class CorpNotRegisteredError extends Error {
  constructor(readonly corpId: string) {
    super(`corp ${corpId} is not registered (cancelled?): nothing is archived for it`);
    this.name = 'CorpNotRegisteredError';
  }
}
