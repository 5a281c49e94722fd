/** Characters compared on each side of the cursor (more than the result cache keys on). */
const COMPARED_CHARS = 4096;

/**
 * The generation running for the latest request, while it runs (Continue's "generator reuse"). When the user types
 * characters the model has already written there, the next request waits for this generation and is answered from
 * its result (the cache's type-through) instead of aborting it and starting over: on a CPU, where a completion takes
 * longer than the gap between keys, typing along with the model would otherwise never see a suggestion.
 *
 * The editor cancels the previous request as soon as the user types, before it sends the next one. So a request
 * that loses its last waiter does not end the generation at once: it runs on for a short grace, in which the next
 * request may take it over; a request that cannot aborts it as any newer request would.
 */
export class InFlightGeneration {
  private written = "";
  private waiters = 1;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private hasEnded = false;

  constructor(
    /** Document text and cursor of the request that started it. */
    readonly text: string,
    readonly offset: number,
    /** Settles when the generation has ended and its result (if any) is in the cache. */
    readonly settled: Promise<void>,
    private readonly abort: () => void,
    private readonly graceMs: number,
  ) {}

  /** The raw text the model has written so far. */
  observe(written: string): void {
    this.written = written;
  }

  /**
   * What the user typed since this generation's request, when `request` is that request's document with only those
   * characters typed at its cursor, and the model has already written them; else undefined.
   */
  typedAlong(request: { readonly text: string; readonly offset: number }): string | undefined {
    const typedChars = request.offset - this.offset;
    if (typedChars <= 0 || request.text.length !== this.text.length + typedChars) return undefined;
    // Around the cursor only, as the cache compares (a document may be megabytes); the cache has the last word.
    const before = Math.max(0, this.offset - COMPARED_CHARS);
    if (request.text.slice(before, this.offset) !== this.text.slice(before, this.offset)) return undefined;
    if (request.text.slice(request.offset, request.offset + COMPARED_CHARS) !== this.text.slice(this.offset, this.offset + COMPARED_CHARS)) return undefined;
    const typed = request.text.slice(this.offset, request.offset);
    return this.written.startsWith(typed) ? typed : undefined;
  }

  /** One more request waits for this generation's result. */
  hold(): void {
    this.waiters++;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  /** A waiting request was cancelled: with none left, the generation ends (after the grace when it has text to offer). */
  release(): void {
    this.waiters--;
    if (this.waiters > 0 || this.hasEnded) return;
    if (this.written === "") {
      this.abort();
      return;
    }
    this.graceTimer = setTimeout(() => this.abort(), this.graceMs);
  }

  /** The generation ended: no timer outlives it. */
  ended(): void {
    this.hasEnded = true;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }
}
