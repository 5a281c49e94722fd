/**
 * When a loaded model has been unused long enough to give its memory back. Pure scheduling: the clock and the
 * timer are injected, so the policy is unit-tested without waiting, and nothing here knows what a model is.
 */

export interface IdleUnloadLimits {
  /** Unload after this long without use; 0 = never unload (also not in the background). */
  readonly idleMs: number;
  /** Unload this long after the window went to the background (or was last used there, if later); 0 = only `idleMs`. */
  readonly backgroundMs: number;
}

export interface IdleActivity {
  /** When the model was last used (a request began or ended). */
  readonly lastUsedAt: number;
  /** When the window went to the background; undefined while it has focus. */
  readonly backgroundSince: number | undefined;
}

/**
 * When to unload, or undefined for never. A background window holds the model at most `backgroundMs` from the
 * later of going to the background and its last use there, and never longer than the idle limit allows.
 */
export function unloadDeadline(activity: IdleActivity, limits: IdleUnloadLimits): number | undefined {
  if (limits.idleMs <= 0) return undefined;
  const idle = activity.lastUsedAt + limits.idleMs;
  if (activity.backgroundSince === undefined || limits.backgroundMs <= 0) return idle;
  return Math.min(idle, Math.max(activity.lastUsedAt, activity.backgroundSince) + limits.backgroundMs);
}

export interface IdleClock {
  now(): number;
  /** Calls `callback` after `ms`; the returned function cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

/** Real time; the timer does not keep the process alive (a CLI run ends when its work does). */
export const SYSTEM_CLOCK: IdleClock = {
  now: () => performance.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Calls `onIdle` once the model has been idle past its deadline: never while a request runs on it, re-armed by
 * every use and every change of limits or focus. Armed only while `loaded` is set, so an unloaded model is not
 * "unloaded" again.
 */
export class IdleUnloadTimer {
  private limits: IdleUnloadLimits;
  private lastUsedAt: number;
  private backgroundSince: number | undefined;
  private running = 0;
  private loaded = false;
  private cancel: (() => void) | undefined;

  constructor(
    limits: IdleUnloadLimits,
    private readonly onIdle: () => void,
    private readonly clock: IdleClock = SYSTEM_CLOCK,
  ) {
    this.limits = limits;
    this.lastUsedAt = clock.now();
  }

  /** The deadline now in force, or undefined when nothing is scheduled. */
  get deadline(): number | undefined {
    if (!this.loaded || this.running > 0) return undefined;
    return unloadDeadline({ lastUsedAt: this.lastUsedAt, backgroundSince: this.backgroundSince }, this.limits);
  }

  setLimits(limits: IdleUnloadLimits): void {
    this.limits = limits;
    this.rearm();
  }

  /** The model was loaded (counts as a use) or unloaded (nothing left to unload). */
  setLoaded(loaded: boolean): void {
    this.loaded = loaded;
    if (loaded) this.lastUsedAt = this.clock.now();
    this.rearm();
  }

  setFocused(focused: boolean): void {
    if (focused) this.backgroundSince = undefined;
    else this.backgroundSince ??= this.clock.now();
    this.rearm();
  }

  /** A use that is over at once (e.g. a cache hit, a request waiting for the model to load). */
  touch(): void {
    this.lastUsedAt = this.clock.now();
    this.rearm();
  }

  /** A request runs on the model until the returned function is called: no unload meanwhile. */
  begin(): () => void {
    this.running++;
    this.touch();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running--;
      this.touch();
    };
  }

  dispose(): void {
    this.loaded = false;
    this.rearm();
  }

  private rearm(): void {
    this.cancel?.();
    this.cancel = undefined;
    const deadline = this.deadline;
    if (deadline === undefined) return;
    this.cancel = this.clock.schedule(() => {
      this.cancel = undefined;
      // A clock may fire early (timer granularity): check again rather than trust it.
      const due = this.deadline;
      if (due === undefined) return;
      if (this.clock.now() >= due) {
        this.loaded = false;
        this.onIdle();
      } else {
        this.rearm();
      }
    }, Math.max(0, deadline - this.clock.now()));
  }
}
