import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IdleUnloadTimer, unloadDeadline, type IdleClock } from "../../../src/server/model/idleUnload";

const MINUTE = 60_000;

/** A clock that moves only when the test says so, firing what is due in order. */
class ManualClock implements IdleClock {
  private time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer.id !== due.id);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}

function timerWith(limits: { idleMs: number; backgroundMs: number }) {
  const clock = new ManualClock();
  const unloads: number[] = [];
  const timer = new IdleUnloadTimer(limits, () => unloads.push(clock.now()), clock);
  return { clock, unloads, timer };
}

describe("unloadDeadline", () => {
  test("a focused window unloads the idle time after its last use", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 1_000, backgroundSince: undefined }, { idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE }), 1_000 + 15 * MINUTE);
  });

  test("idle 0 means never, also in the background", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 0, backgroundSince: 0 }, { idleMs: 0, backgroundMs: 5 * MINUTE }), undefined);
  });

  test("a background window unloads the background delay after it went to the background", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 0, backgroundSince: 10 * MINUTE }, { idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE }), 15 * MINUTE);
    assert.equal(unloadDeadline({ lastUsedAt: 0, backgroundSince: 2 * MINUTE }, { idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE }), 7 * MINUTE);
  });

  test("in the background, a later use counts from the use", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 4 * MINUTE, backgroundSince: 2 * MINUTE }, { idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE }), 9 * MINUTE);
  });

  test("the background delay never extends the idle limit", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 0, backgroundSince: 0 }, { idleMs: 2 * MINUTE, backgroundMs: 5 * MINUTE }), 2 * MINUTE);
  });

  test("background 0 leaves only the idle limit", () => {
    assert.equal(unloadDeadline({ lastUsedAt: 0, backgroundSince: 0 }, { idleMs: 15 * MINUTE, backgroundMs: 0 }), 15 * MINUTE);
  });
});

describe("IdleUnloadTimer", () => {
  test("nothing is scheduled before the model is loaded", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    clock.advance(10 * MINUTE);
    assert.deepEqual(unloads, []);
    assert.equal(timer.deadline, undefined);
  });

  test("a loaded model is unloaded once, the idle time after loading", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    clock.advance(MINUTE - 1);
    assert.deepEqual(unloads, []);
    clock.advance(10 * MINUTE);
    assert.deepEqual(unloads, [MINUTE]);
    assert.equal(clock.pending, 0);
  });

  test("every use pushes the deadline back", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    clock.advance(50_000);
    timer.touch();
    clock.advance(50_000);
    assert.deepEqual(unloads, []);
    clock.advance(10_000);
    assert.deepEqual(unloads, [110_000]);
  });

  test("never while a request runs; the idle time counts from its end", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    const end = timer.begin();
    clock.advance(5 * MINUTE);
    assert.deepEqual(unloads, []);
    end();
    end(); // ending twice counts once
    clock.advance(MINUTE);
    assert.deepEqual(unloads, [6 * MINUTE]);
  });

  test("two overlapping requests: the model stays until both ended", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    const endFirst = timer.begin();
    const endSecond = timer.begin();
    endFirst();
    clock.advance(2 * MINUTE);
    assert.deepEqual(unloads, []);
    endSecond();
    clock.advance(MINUTE);
    assert.deepEqual(unloads, [3 * MINUTE]);
  });

  test("going to the background shortens the wait; coming back restores it", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE });
    timer.setLoaded(true);
    clock.advance(MINUTE);
    timer.setFocused(false);
    clock.advance(4 * MINUTE);
    timer.setFocused(true); // back after 4 minutes: the idle limit applies again
    clock.advance(5 * MINUTE);
    assert.deepEqual(unloads, []);
    timer.setFocused(false);
    clock.advance(5 * MINUTE);
    assert.deepEqual(unloads, [15 * MINUTE]);
  });

  test("a background notice repeated does not restart the background delay", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: 15 * MINUTE, backgroundMs: 5 * MINUTE });
    timer.setLoaded(true);
    timer.setFocused(false);
    clock.advance(3 * MINUTE);
    timer.setFocused(false);
    clock.advance(2 * MINUTE);
    assert.deepEqual(unloads, [5 * MINUTE]);
  });

  test("new limits apply at once, to the time already idle", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: 15 * MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    clock.advance(3 * MINUTE);
    timer.setLimits({ idleMs: 2 * MINUTE, backgroundMs: 0 });
    clock.advance(0);
    assert.deepEqual(unloads, [3 * MINUTE]);
  });

  test("limits set to never cancel what was scheduled", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    timer.setLimits({ idleMs: 0, backgroundMs: 0 });
    clock.advance(60 * MINUTE);
    assert.deepEqual(unloads, []);
    assert.equal(clock.pending, 0);
  });

  test("after an unload, a reload re-arms it", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    clock.advance(MINUTE);
    clock.advance(10 * MINUTE);
    timer.setLoaded(true);
    clock.advance(MINUTE);
    assert.deepEqual(unloads, [MINUTE, 12 * MINUTE]);
  });

  test("disposed, it never fires", () => {
    const { clock, unloads, timer } = timerWith({ idleMs: MINUTE, backgroundMs: 0 });
    timer.setLoaded(true);
    timer.dispose();
    clock.advance(10 * MINUTE);
    assert.deepEqual(unloads, []);
  });
});
