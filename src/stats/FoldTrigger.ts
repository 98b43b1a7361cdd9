/**
 * When the statistics fold a corp's newly archived messages: once its sync drain ends, and
 * during a long drain (a backlog catch-up) at least every `maxLagMs`. Folding after every page
 * made the fold compete with the drain for the CPU page by page (ingest ran at half speed), and
 * it did the same work in more, smaller passes. The fold stays exactly once either way: it
 * reads the archive from its own watermark, whenever it runs.
 */
export class FoldTrigger {
  readonly #pendingSince = new Map<string, number>();

  constructor(
    private readonly fold: (corpId: string) => void,
    private readonly maxLagMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A page with new messages committed for the corp. */
  committed(corpId: string): void {
    const since = this.#pendingSince.get(corpId);
    if (since === undefined) this.#pendingSince.set(corpId, this.now());
    else if (this.now() - since >= this.maxLagMs) this.#fire(corpId);
  }

  /** The corp's drain ended (finished or failed): fold what it committed. */
  drained(corpId: string): void {
    if (this.#pendingSince.has(corpId)) this.#fire(corpId);
  }

  #fire(corpId: string): void {
    this.#pendingSince.delete(corpId);
    this.fold(corpId);
  }
}
