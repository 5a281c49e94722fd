import * as fs from "node:fs";
import * as os from "node:os";

/** Niceness for every thread but the main one: below the editor's processes and this server's own main thread. */
export const BACKGROUND_NICENESS = 5;

/**
 * Lowers the scheduling priority of every thread of this process except the main one (on Linux, niceness belongs to
 * each thread). llama.cpp computes on threads that libuv's worker threads create for each evaluation, and those inherit
 * their creator's niceness: the model then computes at background priority, so the main thread — which answers the
 * editor's requests — and the editor's own processes get a core as soon as they need one, instead of queueing behind
 * llama.cpp's threads, which keep every core busy while a completion is generated. With nothing else to run, a
 * background thread runs as fast as any other.
 *
 * Returns how many threads run at `niceness` (or lower priority) afterwards, whether this call or an earlier one lowered
 * them; 0 where threads cannot be listed (no /proc: macOS, Windows).
 */
export function lowerWorkerThreadPriority(niceness = BACKGROUND_NICENESS): number {
  let threadIds: string[];
  try {
    threadIds = fs.readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const threadId of threadIds) {
    const tid = Number(threadId);
    if (!Number.isInteger(tid) || tid === process.pid) continue;
    try {
      // Raising a niceness needs no privilege; a thread that ended meanwhile is simply skipped.
      if (os.getPriority(tid) < niceness) os.setPriority(tid, niceness);
      lowered++;
    } catch {
      // The thread exited between listing and setting.
    }
  }
  return lowered;
}
