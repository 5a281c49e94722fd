/**
 * How long to wait before starting a generation, from how fast the user is typing. While keys come
 * faster than the model could answer, starting a generation per key only to abort it wastes the CPU
 * the next one needs; when the user pauses, the request starts at once.
 *
 * The cap is short because a moot start is cheap: typing only appends to the prompt (promptLayout.ts), so
 * a generation started and aborted costs a few prompt tokens and at most one decode step (~30 ms for a 0.5B
 * model on 2 cores) — while every request the user does wait for pays the whole debounce.
 */
export interface AdaptiveDebounceOptions {
  /** Never wait longer than this. */
  readonly maxDelayMs?: number;
  /** Intervals longer than this are pauses, not typing. */
  readonly pauseMs?: number;
  /** Intervals remembered. */
  readonly window?: number;
}

export class AdaptiveDebounce {
  private readonly intervals: number[] = [];
  private lastRequestAt: number | undefined;
  private readonly maxDelayMs: number;
  private readonly pauseMs: number;
  private readonly window: number;

  constructor(options: AdaptiveDebounceOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 75;
    this.pauseMs = options.pauseMs ?? 400;
    this.window = options.window ?? 8;
  }

  /** Records a request at `now` and returns how long to wait before serving it. */
  delayFor(now: number): number {
    const previous = this.lastRequestAt;
    this.lastRequestAt = now;
    if (previous === undefined) return 0;
    const interval = now - previous;
    if (interval > this.pauseMs) {
      this.intervals.length = 0;
      return 0;
    }
    this.intervals.push(interval);
    if (this.intervals.length > this.window) this.intervals.shift();
    if (this.intervals.length < 2) return 0;
    // Wait a little longer than the typical gap between keys: if another key comes, this request was moot.
    const typical = median(this.intervals);
    return Math.min(this.maxDelayMs, Math.round(typical * 1.25));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
