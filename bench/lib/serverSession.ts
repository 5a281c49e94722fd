import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { LspConnection, nowMs, type Reply } from "./lspConnection";
import { memorySplit, type MemorySplit } from "./memory";
import { seededRandom } from "./stats";

/** "abortProbe": a request sent only to supersede one mid-prompt (not a workload of its own). */
export type Workload = "cold" | "typing" | "cursorMove" | "abortProbe";
export const WORKLOADS: readonly MeasuredWorkload[] = ["cold", "typing", "cursorMove"];
export type MeasuredWorkload = "cold" | "typing" | "cursorMove";

/** What the simulated user does. Everything random is drawn from `seed`. */
export interface SessionPlan {
  /** Each round opens `coldPerRound` fresh documents, types `snippet` into the last one, then moves the cursor around. */
  readonly rounds: number;
  readonly coldPerRound: number;
  /** Each round first supersedes a cold request while its prompt is being read, this long after sending it (ms). */
  readonly midPromptAbortAfterMs: readonly [number, number];
  readonly snippet: string;
  readonly cursorMovesPerRound: number;
  /** Delay between keystrokes, uniform in this range (ms). */
  readonly keyDelayMs: readonly [number, number];
  /** A pause (user waits for a suggestion) lasts at least this long, uniform in this range (ms). */
  readonly pauseMs: readonly [number, number];
  /** Chance of a pause after a word; there is always one after Enter. */
  readonly pauseAfterWord: number;
  readonly cursorJumpLines: readonly [number, number];
  readonly seed: number;
}

export interface SampleDocument {
  /** Path relative to the workspace folder (the server puts it in the repo-level FIM prompt). */
  readonly relativePath: string;
  readonly text: string;
  /** Where the snippet is typed (a line start). */
  readonly insertAt: number;
}

export interface RequestRecord {
  readonly workload: Workload;
  readonly uri: string;
  /** The document as the server had it, and the cursor offset, for replaying the same prompt raw. */
  readonly text: string;
  readonly offset: number;
  readonly sentAt: number;
  receivedAt?: number;
  /** When a newer request superseded (cancelled) this one while it was pending. */
  supersededAt?: number;
  /** Superseded on purpose while the server read its (cold) prompt. */
  midPrompt?: boolean;
  items?: number;
  error?: string;
  /**
   * CPU time the server process got while this request was pending ÷ ((latency − debounce) × threads): near 1 when
   * its threads had the cores to themselves, lower when other processes took CPU (10 ms resolution).
   */
  cpuShare?: number;
  /** The server's own debug log line for this request ("completion (model): … ms, …"), when it writes one. */
  serverReported?: ServerReportedStats;
}

export interface ServerReportedStats {
  readonly source: string;
  readonly totalMs: number;
  readonly debounceMs: number;
  readonly promptTokens: number;
  readonly reusedTokens: number;
  readonly evaluatedTokens: number;
  readonly generatedTokens: number;
  readonly stopReason: string | undefined;
  /** The model's own time (KV alignment, prefill, decoding) and the wait for an older generation to stop. */
  readonly modelMs: number | undefined;
  readonly queuedMs: number | undefined;
  /** A remote engine's own time for the request (part of modelMs), as it reported it. */
  readonly engineMs: number | undefined;
}

const SERVER_ENGINE_TIME = /; engine ([\d.]+) ms$/;
const SERVER_STATS_LINE =
  /^completion \((\w+)\): ([\d.]+) ms, debounce ([\d.]+) ms, prompt (\d+) tokens \((\d+) reused, (\d+) evaluated\), (\d+) generated(?: \((\w+)\))?(?:, model ([\d.]+) ms, queued ([\d.]+) ms)?/;

export interface ServerSessionResult {
  readonly records: RequestRecord[];
  /** Round trip of an inline-completion request the server answers at once (unknown document). */
  readonly rpcRoundTripMs: number[];
  readonly serverLog: string[];
  /** From spawning the server to its "ready" status; that plus the latency of the first request answered with a suggestion. */
  readonly readyMs: number;
  readonly firstCompletionMs: number | undefined;
  /** The server's resident memory after its first completed request, and at the end of the session (Linux only). */
  readonly memoryAfterFirstCompletion: MemorySplit | undefined;
  readonly memoryAtEnd: MemorySplit | undefined;
}

export interface ServerSessionOptions {
  readonly repoRoot: string;
  readonly serverMain: string;
  readonly settings: Record<string, unknown>;
  readonly sample: SampleDocument;
  readonly plan: SessionPlan;
  readonly log: (line: string) => void;
  /**
   * Called after each round, once the server has gone idle (its speculative work done), with that round's requests:
   * the benchmark replays them raw there, so both sides of a ratio are measured minutes apart at most.
   */
  readonly afterRound?: (records: readonly RequestRecord[]) => Promise<void>;
  /** Called before each cold request (and the mid-prompt abort's), e.g. to empty a shared inference server's cache. */
  readonly beforeCold?: () => Promise<void>;
  /** The user stops this long after the server got ready (finishing the request in hand) and the session ends: a bounded run. */
  readonly workForMs?: number;
  /** Where the session's requests are recorded as they are sent (default: a new array), so they outlive a failed session. */
  readonly records?: RequestRecord[];
  /** How long a request may stay unanswered before the session fails (default 120 s). */
  readonly requestTimeoutMs?: number;
}

/** Replays a typing session through the real server over LSP, as VS Code would send it. */
export async function runServerSession(options: ServerSessionOptions): Promise<ServerSessionResult> {
  const { plan, sample, log } = options;
  const threads = Math.max(1, Number(options.settings["threads"]) || 1);
  const random = seededRandom(plan.seed);
  const between = ([low, high]: readonly [number, number]): number => low + random() * (high - low);

  const profile = process.env.POCKET_CODER_BENCH_CPU_PROF;
  const spawnedAt = nowMs();
  const connection = LspConnection.spawn([...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), options.serverMain, "--stdio"]);
  const serverLog: string[] = [];
  const statsLines: { at: number; stats: ServerReportedStats }[] = [];
  let status: { state: string; message: string } = { state: "starting", message: "" };
  connection.onNotification("window/logMessage", (params, receivedAt) => {
    const message = (params as { message: string }).message;
    serverLog.push(message);
    const match = SERVER_STATS_LINE.exec(message);
    if (match !== null) {
      const [, source, totalMs, debounceMs, promptTokens, reusedTokens, evaluatedTokens, generatedTokens, stopReason, modelMs, queuedMs] =
        match.map((part) => part ?? "");
      const engineTime = SERVER_ENGINE_TIME.exec(message)?.[1];
      statsLines.push({
        at: receivedAt,
        stats: {
          source: source!, totalMs: Number(totalMs), debounceMs: Number(debounceMs), promptTokens: Number(promptTokens),
          reusedTokens: Number(reusedTokens), evaluatedTokens: Number(evaluatedTokens), generatedTokens: Number(generatedTokens),
          stopReason: stopReason === "" ? undefined : stopReason,
          modelMs: modelMs === "" ? undefined : Number(modelMs),
          queuedMs: queuedMs === "" ? undefined : Number(queuedMs),
          engineMs: engineTime === undefined ? undefined : Number(engineTime),
        },
      });
    }
  });
  connection.onNotification("pocketCoder/serverStatus", (params) => { status = params as typeof status; });
  connection.onRequest("workspace/configuration", (params) => (params as { items: unknown[] }).items.map(() => options.settings));

  const records: RequestRecord[] = options.records ?? [];
  const rpcRoundTripMs: number[] = [];
  let readyMs = Number.NaN;
  let memoryAfterFirstCompletion: MemorySplit | undefined;
  let memoryAtEnd: MemorySplit | undefined;
  try {
    const root = pathToFileURL(options.repoRoot).toString();
    await connection.request("initialize", {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: path.basename(options.repoRoot) }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { inlineCompletion: { dynamicRegistration: false }, synchronization: { dynamicRegistration: false } },
      },
      initializationOptions: options.settings,
    }).reply;
    connection.notify("initialized", {});
    const loadStarted = performance.now();
    const untilState = async (states: readonly string[]): Promise<void> => {
      while (!states.includes(status.state)) {
        if (performance.now() - loadStarted > 120_000) throw new Error(`The server did not get ready: ${status.state} ${status.message}`);
        if (connection.child.exitCode !== null) throw new Error(`The server exited (${connection.child.exitCode}):\n${connection.stderrLines.join("\n")}`);
        await sleep(20);
      }
    };
    await untilState(["ready", "error", "disabled", "unloaded"]);
    if (status.state === "unloaded") {
      // The model loads on first use: one completion in a scratch document loads it, as a user's first keystroke would.
      const warmUpUri = `${root}/bench-warm-up.ts`;
      connection.notify("textDocument/didOpen", { textDocument: { uri: warmUpUri, languageId: "typescript", version: 1, text: "const one = 1;\n" } });
      await connection.request("textDocument/inlineCompletion", {
        textDocument: { uri: warmUpUri }, position: { line: 1, character: 0 }, context: { triggerKind: 1 },
      }).reply;
      connection.notify("textDocument/didClose", { textDocument: { uri: warmUpUri } });
      await untilState(["ready", "error", "disabled"]);
    }
    if (status.state !== "ready") throw new Error(`The server is ${status.state}: ${status.message}\n${serverLog.join("\n")}`);
    readyMs = nowMs() - spawnedAt;
    log(`server ready in ${(performance.now() - loadStarted).toFixed(0)} ms (${readyMs.toFixed(0)} ms after spawn): ${status.message}`);

    for (let i = 0; i < 20; i++) {
      const sent = connection.request("textDocument/inlineCompletion", {
        textDocument: { uri: `${root}/bench-unknown-document.ts` }, position: { line: 0, character: 0 }, context: { triggerKind: 2 },
      });
      rpcRoundTripMs.push((await sent.reply).receivedAt - sent.sentAt);
    }

    const documents = new Map<string, { text: string; version: number }>();
    let current: { record: RequestRecord; id: number; reply: Promise<Reply> } | undefined;

    const open = (uri: string, text: string): void => {
      documents.set(uri, { text, version: 1 });
      connection.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
    };
    const insert = (uri: string, offset: number, inserted: string): void => {
      const document = documents.get(uri)!;
      const at = positionAt(document.text, offset);
      document.text = document.text.slice(0, offset) + inserted + document.text.slice(offset);
      document.version++;
      connection.notify("textDocument/didChange", {
        textDocument: { uri, version: document.version },
        contentChanges: [{ range: { start: at, end: at }, text: inserted }],
      });
    };
    /** VS Code's behaviour: a new inline-completion request cancels the one still pending. */
    const request = (workload: Workload, uri: string, offset: number): { record: RequestRecord; reply: Promise<Reply> } => {
      const text = documents.get(uri)!.text;
      if (current !== undefined && current.record.receivedAt === undefined) {
        connection.cancel(current.id);
        current.record.supersededAt = nowMs();
      }
      const sent = connection.request("textDocument/inlineCompletion", {
        textDocument: { uri }, position: positionAt(text, offset), context: { triggerKind: 2 },
      });
      const record: RequestRecord = { workload, uri, text, offset, sentAt: sent.sentAt };
      records.push(record);
      const cpuAtSend = cpuMs(connection.child.pid);
      const reply = sent.reply.then((answer) => {
        record.receivedAt = answer.receivedAt;

        if (answer.error !== undefined) record.error = `${answer.error.code} ${answer.error.message}`;
        const result = answer.result as { items?: unknown[] } | unknown[] | null | undefined;
        record.items = Array.isArray(result) ? result.length : (result?.items?.length ?? 0);
        // The server logs a request's statistics just before answering it, on the same stream.
        const line = statsLines.filter((entry) => entry.at >= record.sentAt && entry.at <= answer.receivedAt).at(-1);
        if (line !== undefined) record.serverReported = line.stats;
        // Over the time the server meant to work: its debounce wait is idle by design.
        const cpu = cpuMs(connection.child.pid) - cpuAtSend;
        const busyMs = answer.receivedAt - record.sentAt - (record.serverReported?.debounceMs ?? 0);
        if (Number.isFinite(cpu) && busyMs > 0) record.cpuShare = cpu / (busyMs * threads);
        if (memoryAfterFirstCompletion === undefined && record.items > 0) memoryAfterFirstCompletion = memorySplit(connection.child.pid);
        return answer;
      });
      current = { record, id: sent.id, reply };
      replies.push(reply);
      return { record, reply };
    };
    const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
    const waitFor = async (reply: Promise<Reply>): Promise<void> => {
      const timeout = new AbortController();
      const timedOut = sleep(requestTimeoutMs, undefined, { signal: timeout.signal }).then(
        () => { throw new Error(`No inline-completion response within ${requestTimeoutMs / 1000} s`); },
        () => undefined,
      );
      try {
        await Promise.race([reply, timedOut]);
      } finally {
        timeout.abort();
      }
    };
    const readyAt = nowMs();
    const stopping = (): boolean => options.workForMs !== undefined && nowMs() - readyAt >= options.workForMs;
    const replies: Promise<Reply>[] = [];

    const keystrokes = splitKeystrokes(plan.snippet);
    for (let round = 0; round < plan.rounds && !stopping(); round++) {
      const roundStart = records.length;
      let uri = "";
      let insertAt = sample.insertAt;
      {
        // Mid-prompt abort: a cold request superseded while its ~1,250-token prompt is read, by one 60 lines up.
        const probeUri = pathToFileURL(path.join(options.repoRoot, sample.relativePath.replace(/(\.[^.]+)$/, `.r${round}abort$1`))).toString();
        const marker = `// abort probe ${round}\n`;
        const text = sample.text.slice(0, sample.insertAt) + marker + sample.text.slice(sample.insertAt);
        open(probeUri, text);
        await options.beforeCold?.();
        await sleep(between(plan.pauseMs));
        const first = request("cold", probeUri, sample.insertAt + marker.length);
        await sleep(between(plan.midPromptAbortAfterMs));
        if (first.record.receivedAt === undefined) first.record.midPrompt = true;
        const second = request("abortProbe", probeUri, lineStartBefore(text, sample.insertAt, 60));
        await waitFor(first.reply);
        log(`  abort mid-prompt: answered ${(first.record.receivedAt! - second.record.sentAt).toFixed(0)} ms after the newer request`);
        await waitFor(second.reply);
        connection.notify("textDocument/didClose", { textDocument: { uri: probeUri } });
        await sleep(300);
      }
      for (let cold = 0; cold < plan.coldPerRound; cold++) {
        if (uri !== "") connection.notify("textDocument/didClose", { textDocument: { uri } });
        // A new file (its path is in the prompt, so the KV cache cannot help) whose lines just above the
        // cursor differ too (so the server's result cache cannot either). Only one document is open at a
        // time, so no cross-file context enters the prompts.
        uri = pathToFileURL(path.join(options.repoRoot, sample.relativePath.replace(/(\.[^.]+)$/, `.r${round}c${cold}$1`))).toString();
        const marker = `// cold start ${round}.${cold}\n`;
        open(uri, sample.text.slice(0, sample.insertAt) + marker + sample.text.slice(sample.insertAt));
        insertAt = sample.insertAt + marker.length;
        await options.beforeCold?.();
        await sleep(between(plan.pauseMs));
        await waitFor(request("cold", uri, insertAt).reply);
        log(`  cold      ${describe(records.at(-1)!)}`);
        await sleep(300);
      }

      let cursor = insertAt;
      for (let k = 0; k < keystrokes.length && !stopping(); k++) {
        const key = keystrokes[k]!;
        insert(uri, cursor, key);
        cursor += key.length;
        const sent = request("typing", uri, cursor);
        const next = keystrokes[k + 1];
        const before = documents.get(uri)!.text.charAt(cursor - key.length - 1);
        const endOfWord = /\w/.test(before) && /^[\s(.,;:)]/.test(key);
        const pause = key.startsWith("\n") || (endOfWord && random() < plan.pauseAfterWord) || next === undefined;
        if (pause) {
          const pauseMs = between(plan.pauseMs);
          await waitFor(sent.reply);
          log(`  typing    ${describe(sent.record)}`);
          await sleep(Math.max(0, pauseMs - (sent.record.receivedAt! - sent.record.sentAt)));
        } else {
          await sleep(between(plan.keyDelayMs));
        }
      }

      const text = documents.get(uri)!.text;
      const lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
      let line = positionAt(text, cursor).line;
      for (let move = 0; move < plan.cursorMovesPerRound && !stopping(); move++) {
        line = jumpTarget(text, lineStarts, line, plan.cursorJumpLines, random);
        const lineEnd = (lineStarts[line + 1] ?? text.length + 1) - 1;
        await waitFor(request("cursorMove", uri, lineEnd).reply);
        log(`  cursorMove ${describe(records.at(-1)!)} (line ${line + 1})`);
        await sleep(between(plan.pauseMs));
      }
      connection.notify("textDocument/didClose", { textDocument: { uri } });
      if (options.afterRound !== undefined) {
        await untilIdle(connection.child.pid);
        await options.afterRound(records.slice(roundStart));
      }
    }
    // Superseded requests are not awaited as they go; every one must still be answered (or cancelled) in time.
    await waitFor(Promise.all(replies).then(() => ({ receivedAt: nowMs() })));
    memoryAtEnd = memorySplit(connection.child.pid);
  } finally {
    await connection.close();
  }
  const firstAnswered = records.find((record) => record.receivedAt !== undefined && (record.items ?? 0) > 0);
  // The session pauses before its first request as a user would; this counts only the server's time.
  const firstCompletionMs = firstAnswered === undefined ? undefined : readyMs + firstAnswered.receivedAt! - firstAnswered.sentAt;
  return { records, rpcRoundTripMs, serverLog, readyMs, firstCompletionMs, memoryAfterFirstCompletion, memoryAtEnd };
}

/** User + system CPU time of a process so far (ms, from /proc; NaN where there is no /proc). */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Waits until a process has used (almost) no CPU for 300 ms, or 15 s at most. */
export async function untilIdle(pid: number | undefined): Promise<void> {
  const deadline = performance.now() + 15_000;
  let quietSamples = 0;
  let last = cpuMs(pid);
  while (quietSamples < 3 && performance.now() < deadline && Number.isFinite(last)) {
    await sleep(100);
    const now = cpuMs(pid);
    quietSamples = now - last <= 10 ? quietSamples + 1 : 0;
    last = now;
  }
}

/** USER_HZ: 100 on Linux everywhere that matters. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The snippet as keystrokes: one per character, except that Enter comes with the next line's indentation (auto-indent). */
export function splitKeystrokes(snippet: string): string[] {
  const keys: string[] = [];
  const lines = snippet.split("\n");
  lines.forEach((line, index) => {
    const indentation = /^\s*/.exec(line)![0];
    const rest = line.slice(indentation.length);
    if (index === 0) keys.push(...(indentation === "" ? [] : [indentation]));
    else keys.push(`\n${indentation}`);
    keys.push(...rest);
  });
  return keys.filter((key) => key !== "");
}

function jumpTarget(text: string, lineStarts: readonly number[], from: number, [low, high]: readonly [number, number], random: () => number): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const distance = Math.round(low + random() * (high - low));
    let target = from + (random() < 0.5 ? -distance : distance);
    if (target < 0 || target >= lineStarts.length) target = from - (target - from);
    if (target < 0 || target >= lineStarts.length) continue;
    const content = text.slice(lineStarts[target], (lineStarts[target + 1] ?? text.length + 1) - 1);
    if (content.trim().length > 0) return target;
  }
  return from;
}

/** The start of the line `lines` lines above the one holding `offset`. */
function lineStartBefore(text: string, offset: number, lines: number): number {
  let at = offset;
  for (let i = 0; i <= lines && at > 0; i++) at = text.lastIndexOf("\n", at - 1);
  return Math.max(0, at + 1);
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

function describe(record: RequestRecord): string {
  const latency = record.receivedAt === undefined ? NaN : record.receivedAt - record.sentAt;
  const reported = record.serverReported;
  const tokens = reported === undefined ? "" : `  prompt ${reported.promptTokens} (${reported.evaluatedTokens} evaluated), ` +
    `${reported.generatedTokens} generated${reported.stopReason === undefined ? "" : ` (${reported.stopReason})`}, ${reported.source}` +
    (reported.modelMs === undefined ? "" : `; server ${reported.totalMs.toFixed(0)} ms = debounce ${reported.debounceMs.toFixed(0)} + queued ` +
      `${(reported.queuedMs ?? 0).toFixed(0)} + model ${reported.modelMs.toFixed(0)} + ${(reported.totalMs - reported.debounceMs - (reported.queuedMs ?? 0) - reported.modelMs).toFixed(1)}`) +
    (reported.engineMs === undefined ? "" : ` (of model: engine's own ${reported.engineMs.toFixed(0)} ms)`);
  const share = record.cpuShare === undefined ? "" : `  cpu share ${record.cpuShare.toFixed(2)}`;
  return `${latency.toFixed(0).padStart(6)} ms${tokens}${share}${record.error === undefined ? "" : ` error ${record.error}`}`;
}

/** Every token the model ran for a request: prompt tokens not taken from the KV cache, and generated ones. */
export function tokensEvaluated(record: RequestRecord): number {
  const reported = record.serverReported;
  return reported === undefined ? Number.NaN : reported.evaluatedTokens + reported.generatedTokens;
}

/** How long after the newer request was sent each superseded request was answered (`midPrompt`: only the deliberate mid-prompt ones). */
export function abortLatencies(records: readonly RequestRecord[], midPrompt = false): number[] {
  const latencies: number[] = [];
  records.forEach((record, index) => {
    const newer = records[index + 1];
    if (midPrompt && record.midPrompt !== true) return;
    if (record.supersededAt !== undefined && record.receivedAt !== undefined && newer !== undefined) latencies.push(record.receivedAt - newer.sentAt);
  });
  return latencies;
}

/**
 * Time outside the model, per completed request the model ran for: the latency minus the server's deliberate debounce
 * wait, minus the wait for an older (aborting) generation to stop, minus the model's own time (KV alignment, prefill,
 * decoding) — all three as the server reports them. What is left is LSP transport, windowing, tokenizing,
 * post-processing and scheduling.
 */
export function overheads(records: readonly RequestRecord[]): number[] {
  return completed(records).filter((record) => record.serverReported?.modelMs !== undefined && record.serverReported.source === "model")
    .map((record) => {
      const reported = record.serverReported!;
      return record.receivedAt! - record.sentAt - reported.debounceMs - (reported.queuedMs ?? 0) - reported.modelMs!;
    });
}

export function completed(records: readonly RequestRecord[], workload?: MeasuredWorkload): RequestRecord[] {
  return records.filter((record) => record.receivedAt !== undefined && record.supersededAt === undefined && record.error === undefined &&
    record.workload !== "abortProbe" && (workload === undefined || record.workload === workload));
}

export function latency(record: RequestRecord): number {
  return record.receivedAt! - record.sentAt;
}

