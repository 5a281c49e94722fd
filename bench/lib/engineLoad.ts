import { COMPLETION_DEADLINE_MS } from "../../src/server/engines/RemoteEngine";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { memorySplit, type MemorySplit } from "./memory";
import { completed, latency, runServerSession, type RequestRecord, type SampleDocument, type SessionPlan } from "./serverSession";
import { median, percentile, round, seededRandom } from "./stats";

/** The language server's log lines when its engine fails (RemoteEngine). */
const ENGINE_PROBLEM = /Completions pause until it answers again|The engine rejected a request/;

/** JSON-RPC's RequestCancelled: the server's answer to a request the client cancelled. */
const REQUEST_CANCELLED = -32800;

/** How a request ended: answered (with or without a suggestion), cancelled by a newer one, failed, never answered, answered too late. */
export type Settlement = "answered" | "cancelled" | "gaveUp" | "error" | "unsettled" | "hung";

export function settlementOf(record: RequestRecord, deadlineMs: number): Settlement {
  if (record.receivedAt === undefined) return "unsettled";
  if (latency(record) > deadlineMs) return "hung";
  if (record.error !== undefined) return record.error.startsWith(`${REQUEST_CANCELLED} `) ? "cancelled" : "error";
  // Answered empty because the engine could not run it (llama-server failed or timed out; the language server then
  // answers at once until it is back): an error the user sees only as a missing suggestion.
  if (record.supersededAt === undefined && record.serverReported?.stopReason === "aborted") {
    // Given up by the language server at its completion deadline (the server too busy to answer in time): answered
    // empty on purpose, counted apart from failures.
    return latency(record) >= COMPLETION_DEADLINE_MS ? "gaveUp" : "error";
  }
  // A superseded request answered with nothing was cancelled (the server answers it empty rather than with an error).
  if (record.supersededAt !== undefined && (record.items ?? 0) === 0) return "cancelled";
  return "answered";
}

export interface LoadOptions {
  readonly repoRoot: string;
  readonly serverMain: string;
  readonly engineUrl: string;
  /** llama-server's process, for its memory. */
  readonly enginePid: number;
  readonly developers: number;
  /** Each developer types this long once their language server is ready (finishing the request in hand); then every request must settle. */
  readonly seconds: number;
  readonly maxTokens: number;
  /** The user each developer simulates (its seed is varied per developer). */
  readonly plan: SessionPlan;
  readonly sample: SampleDocument;
  /** A request unanswered this long counts as hung (and fails its developer's session). */
  readonly requestTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface DeveloperOutcome {
  readonly developer: number;
  readonly records: readonly RequestRecord[];
  /** Why the session failed (a request unanswered past its deadline, the server exited…). */
  readonly failure?: string;
  readonly memoryAtEnd?: MemorySplit;
  /** What the language server logged about its engine failing (it answers empty meanwhile). */
  readonly engineProblems?: readonly string[];
}

export interface LoadResult {
  readonly developers: readonly DeveloperOutcome[];
  readonly counts: Record<Settlement, number>;
  /** Each failed request's error, and each failed session's reason. */
  readonly errors: readonly string[];
  /** Time to suggestion of the requests made where a user paused (cold, typing pauses, cursor moves) and answered. */
  readonly answeredAtPauseMs: readonly number[];
  readonly engineRssMaxMiB: number;
  readonly engineMemoryAtEnd: MemorySplit | undefined;
  readonly languageServerRssMiB: readonly number[];
}

/**
 * `developers` simulated developers typing at once against one inference server, each with their own language server
 * (dist/server.js over stdio, as each runs their own VS Code) and their own documents, for a bounded time.
 */
export async function runDevelopers(options: LoadOptions): Promise<LoadResult> {
  let engineRssMaxMiB = 0;
  const sampler = setInterval(() => {
    engineRssMaxMiB = Math.max(engineRssMaxMiB, memorySplit(options.enginePid)?.rssMiB ?? 0);
  }, 500);
  const stagger = seededRandom(options.plan.seed);
  const insertionPoints = blankLines(options.sample.text);
  let outcomes: DeveloperOutcome[];
  try {
    outcomes = await Promise.all(Array.from({ length: options.developers }, async (_, developer): Promise<DeveloperOutcome> => {
      // Developers do not start in the same millisecond; each types into their own file at their own place.
      await sleep(stagger() * 2000);
      const records: RequestRecord[] = [];
      const sample: SampleDocument = {
        ...options.sample,
        relativePath: path.join(path.dirname(options.sample.relativePath), `developer${developer}`, path.basename(options.sample.relativePath)),
        insertAt: insertionPoints[Math.floor(((developer + 0.5) * insertionPoints.length) / options.developers)] ?? options.sample.insertAt,
      };
      try {
        const session = await runServerSession({
          repoRoot: options.repoRoot, serverMain: options.serverMain,
          settings: { engine: { kind: "llama-server", url: options.engineUrl }, completion: { maxTokens: options.maxTokens } },
          sample, plan: { ...options.plan, seed: options.plan.seed + developer }, records, workForMs: options.seconds * 1000,
          requestTimeoutMs: options.requestTimeoutMs,
          log: () => undefined,
        });
        options.log(`developer ${developer}: ${records.length} requests, language server ${session.memoryAtEnd?.rssMiB ?? "?"} MiB`);
        const engineProblems = session.serverLog.filter((line) => ENGINE_PROBLEM.test(line));
        return { developer, records, engineProblems, ...(session.memoryAtEnd === undefined ? {} : { memoryAtEnd: session.memoryAtEnd }) };
      } catch (error) {
        const failure = error instanceof Error ? error.message : String(error);
        options.log(`developer ${developer} failed: ${failure}`);
        return { developer, records, failure };
      }
    }));
  } finally {
    clearInterval(sampler);
  }
  const counts: Record<Settlement, number> = { answered: 0, cancelled: 0, gaveUp: 0, error: 0, unsettled: 0, hung: 0 };
  const errors: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.failure !== undefined) errors.push(`developer ${outcome.developer}: ${outcome.failure}`);
    for (const line of outcome.engineProblems ?? []) errors.push(`developer ${outcome.developer}'s language server: ${line}`);
    for (const record of outcome.records) {
      const settlement = settlementOf(record, options.requestTimeoutMs);
      counts[settlement]++;
      if (settlement === "error") errors.push(`developer ${outcome.developer}: ${record.error ?? "answered empty: the engine did not run it"}`);
    }
  }
  return {
    developers: outcomes, counts, errors,
    answeredAtPauseMs: outcomes.flatMap((outcome) => completed(outcome.records).map(latency)),
    engineRssMaxMiB, engineMemoryAtEnd: memorySplit(options.enginePid),
    languageServerRssMiB: outcomes.flatMap((outcome) => (outcome.memoryAtEnd === undefined ? [] : [outcome.memoryAtEnd.rssMiB])),
  };
}

/** llama-server's slots that are still processing a request (`GET /slots`; the server must run with `--slots`). */
export async function busySlots(url: string): Promise<number> {
  const response = await fetch(`${url}/slots`);
  if (!response.ok) throw new Error(`${url}/slots: HTTP ${response.status} ${await response.text()}`);
  return (await response.json() as Array<{ is_processing?: boolean }>).filter((slot) => slot.is_processing === true).length;
}

/** Busy slots once `graceMs` has passed or all are idle: a cancelled request's slot stops within moments. */
export async function busySlotsAfter(url: string, graceMs: number): Promise<number> {
  const deadline = performance.now() + graceMs;
  let busy = await busySlots(url);
  while (busy > 0 && performance.now() < deadline) {
    await sleep(100);
    busy = await busySlots(url);
  }
  return busy;
}

/** The figures a load run reports. */
export interface LoadSummary extends Record<Settlement, number> {
  readonly requests: number;
  readonly failedSessions: number;
  readonly timeToSuggestionP50Ms: number;
  readonly timeToSuggestionP90Ms: number;
  readonly answeredAtPauses: number;
  readonly llamaServerRssMaxMiB: number;
  readonly llamaServerMemoryAtEnd: MemorySplit | undefined;
  readonly languageServerRssMedianMiB: number;
  readonly languageServerRssMaxMiB: number;
  readonly errors: readonly string[];
}

export function summarizeLoad(result: LoadResult): LoadSummary {
  return {
    requests: Object.values(result.counts).reduce((sum, count) => sum + count, 0),
    ...result.counts,
    failedSessions: result.developers.filter((outcome) => outcome.failure !== undefined).length,
    timeToSuggestionP50Ms: round(median(result.answeredAtPauseMs)),
    timeToSuggestionP90Ms: round(percentile(result.answeredAtPauseMs, 90)),
    answeredAtPauses: result.answeredAtPauseMs.length,
    llamaServerRssMaxMiB: result.engineRssMaxMiB,
    llamaServerMemoryAtEnd: result.engineMemoryAtEnd,
    languageServerRssMedianMiB: round(median(result.languageServerRssMiB)),
    languageServerRssMaxMiB: Math.max(...result.languageServerRssMiB),
    errors: result.errors.slice(0, 20),
  };
}

/** Offsets of the empty lines of `text` (cursor on an empty line), where a developer can start typing. */
function blankLines(text: string): number[] {
  const offsets: number[] = [];
  for (let i = 1; i < text.length; i++) if (text.charCodeAt(i) === 10 && text.charCodeAt(i - 1) === 10) offsets.push(i);
  return offsets;
}
