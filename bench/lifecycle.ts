/**
 * `npm run bench -- --lifecycle [--repeats N] [--threads N] [--model PATH] [--out FILE]`
 *
 * What a window's server holds in RAM before its model is first used, once loaded, and after it was unloaded in
 * the background; and what a reload on demand costs. Through the real server (dist/server.js over stdio) on the
 * 0.5B-shape model: start (model checked, not loaded) → first completion (loads) → the window goes to the
 * background → unloaded after the background delay → back in the foreground, a completion loads it again; the
 * background/foreground part is repeated. Memory comes from /proc/PID/status of the server process.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WindowStateNotification } from "../src/shared/protocol";
import { mebibytes, residentMemory, type ResidentMemory } from "../test/fixtures/processMemory";
import { realisticModel } from "../test/fixtures/realisticModel";
import { LspTestClient } from "../test/lsp/LspTestClient";
import { BENCH_REPO_ROOT, optionValue } from "./lib/benchInputs";
import { loadAverage, median, round } from "./lib/stats";

/** The background delay in the benchmark: 2 s (the default is 5 minutes; what is held does not depend on it). */
const BACKGROUND_MINUTES = 2 / 60;

interface Completion {
  /** Request sent → response read. */
  readonly ms: number;
  readonly items: number;
  /** The server's own load time for this request's load ("Loaded … in N ms"), when it loaded the model. */
  readonly loadMs?: number;
}

export async function runLifecycle(argv: readonly string[]): Promise<void> {
  const repeats = Number(optionValue(argv, "--repeats") ?? 3);
  const threads = Number(optionValue(argv, "--threads") ?? 2);
  const out = optionValue(argv, "--out");
  const modelPath = optionValue(argv, "--model") ?? await realisticModel(path.join(BENCH_REPO_ROOT, ".test-models"));
  const log = (line: string): void => console.log(line);
  log(`model ${path.basename(modelPath)} (${(fs.statSync(modelPath).size / 2 ** 20).toFixed(0)} MiB), threads ${threads}, ` +
    `${os.availableParallelism()} cores, load average ${loadAverage()} (1/5 min)`);

  const settings = {
    model: { path: modelPath, unloadAfterMinutes: 15, unloadInBackgroundAfterMinutes: BACKGROUND_MINUTES },
    gpu: "cpu", threads, completion: { enabled: true, maxTokens: 8 },
  };
  const client = await LspTestClient.start({ settings });
  const pid = client.process.pid!;
  const memory = (): ResidentMemory => residentMemory(pid) ?? { rss: Number.NaN, anon: Number.NaN, file: Number.NaN };
  const show = (label: string, held: ResidentMemory): void =>
    log(`${label.padEnd(34)} RSS ${mebibytes(held.rss).padStart(8)}  (anonymous ${mebibytes(held.anon)}, file-backed ${mebibytes(held.file)})`);

  // A short file: what is held and what a load costs do not depend on the prompt, and on shared cores a long
  // prompt would make every step take minutes.
  const sample = "export function clamp(value: number, low: number, high: number): number {\n  \n}\n";
  const uri = `file://${path.join(BENCH_REPO_ROOT, "bench", "data", "lifecycle.ts")}`;
  let edits = 0;
  /** A completion at a fresh place each time (a new comment line above), so no cache answers it. */
  async function complete(): Promise<Completion> {
    const text = `// edit ${++edits}\n${sample}`;
    const line = 2;
    await client.replaceText(uri, text);
    const logsFrom = client.logs.length;
    const startedAt = performance.now();
    const items = await client.complete(uri, { line, character: 2 });
    const ms = performance.now() - startedAt;
    const loaded = client.logs.slice(logsFrom).map((entry) => /^Loaded .* in (\d+) ms/.exec(entry)).find((match) => match !== null);
    return { ms, items: items.length, ...(loaded === undefined || loaded === null ? {} : { loadMs: Number(loaded[1]) }) };
  }

  try {
    const idle = await client.waitForStatus((status) => status.state === "unloaded" || status.state === "error");
    if (idle.state !== "unloaded") throw new Error(`The server did not settle idle: ${idle.message}`);
    const atStart = memory();
    show("started, model not loaded yet", atStart);
    await client.open(uri, sample);

    const first = await complete();
    const loaded = memory();
    log(`first completion (loads the model): ${first.ms.toFixed(0)} ms, server load ${first.loadMs ?? "?"} ms, ${first.items} item(s)`);
    show("loaded, after a completion", loaded);
    const warm = [await complete(), await complete()];
    log(`warm completions: ${warm.map((entry) => `${entry.ms.toFixed(0)} ms`).join(", ")}`);

    const rounds: { before: ResidentMemory; after: ResidentMemory; unloadAfterMs: number; reload: Completion }[] = [];
    for (let round = 0; round < repeats; round++) {
      const before = memory();
      const from = client.statuses.length;
      const blurredAt = performance.now();
      await client.connection.sendNotification(WindowStateNotification, { focused: false });
      await client.waitForStatus((status) => status.state === "unloaded", from, 60_000);
      const unloadAfterMs = performance.now() - blurredAt;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = memory();
      await client.connection.sendNotification(WindowStateNotification, { focused: true });
      const reload = await complete();
      rounds.push({ before, after, unloadAfterMs, reload });
      show(`round ${round + 1}: in the background, loaded`, before);
      show(`round ${round + 1}: unloaded ${(unloadAfterMs / 1000).toFixed(1)} s later`, after);
      log(`round ${round + 1}: back in front, the completion that reloads: ${reload.ms.toFixed(0)} ms (server load ${reload.loadMs ?? "?"} ms), ${reload.items} item(s)`);
    }

    const result = {
      model: path.basename(modelPath), threads, cores: os.availableParallelism(),
      startRssMiB: round(atStart.rss / 2 ** 20),
      loadedRssMiB: round(median(rounds.map((entry) => entry.before.rss)) / 2 ** 20),
      unloadedRssMiB: round(median(rounds.map((entry) => entry.after.rss)) / 2 ** 20),
      unloadedAnonMiB: round(median(rounds.map((entry) => entry.after.anon)) / 2 ** 20),
      unloadedFileMiB: round(median(rounds.map((entry) => entry.after.file)) / 2 ** 20),
      firstCompletionMs: round(first.ms), firstLoadMs: first.loadMs,
      reloadCompletionMedianMs: round(median(rounds.map((entry) => entry.reload.ms))),
      reloadLoadMedianMs: round(median(rounds.map((entry) => entry.reload.loadMs ?? Number.NaN))),
      warmCompletionMedianMs: round(median(warm.map((entry) => entry.ms))),
      repeats, loadAverage: loadAverage(),
    };
    log("");
    log(`held by the server: ${result.startRssMiB} MiB before first use, ${result.loadedRssMiB} MiB loaded, ${result.unloadedRssMiB} MiB ` +
      `after the background unload (median of ${repeats}); reload on demand: completion ${result.reloadCompletionMedianMs} ms ` +
      `(load ${result.reloadLoadMedianMs} ms) vs ${result.warmCompletionMedianMs} ms warm; load average ${result.loadAverage}`);
    if (out !== undefined) fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await client.stop();
  }
}
