/**
 * Suggestion statistics, counted and kept on this machine only. Pure (no `vscode`): the counting, the
 * percentiles and the text are unit-tested; StatisticsRecorder stores the data in VS Code's global state.
 */

/** What happened to the suggestions of one language. */
export interface LanguageCounts {
  /** Suggestions handed to VS Code for display. */
  readonly shown: number;
  /** Suggestions taken whole (Tab). */
  readonly acceptedWhole: number;
  /** Accept Next Word steps. */
  readonly acceptedWords: number;
  /** Accept Next Line steps. */
  readonly acceptedLines: number;
  /** Suggestions of which at least something was accepted (whole or in part). */
  readonly accepted: number;
  /** Suggestions that went away with nothing accepted. */
  readonly dismissed: number;
}

export interface StatisticsData {
  readonly version: 1;
  /** When counting started (epoch ms): the first suggestion, or the last reset. */
  readonly since: number;
  readonly languages: Readonly<Record<string, LanguageCounts>>;
  /** Time from VS Code's request to a suggestion, ms; the most recent LATENCY_SAMPLES. */
  readonly latenciesMs: readonly number[];
}

/** How a suggestion ended. */
export interface SuggestionOutcome {
  readonly whole: boolean;
  readonly words: number;
  readonly lines: number;
}

export const LATENCY_SAMPLES = 1000;

const ZERO: LanguageCounts = { shown: 0, acceptedWhole: 0, acceptedWords: 0, acceptedLines: 0, accepted: 0, dismissed: 0 };

export function emptyStatistics(now: number): StatisticsData {
  return { version: 1, since: now, languages: {}, latenciesMs: [] };
}

/** Whatever was stored (another version, damaged, nothing) as valid data; unknown shapes start afresh. */
export function parseStatistics(stored: unknown, now: number): StatisticsData {
  if (typeof stored !== "object" || stored === null) return emptyStatistics(now);
  const data = stored as Partial<StatisticsData>;
  if (data.version !== 1 || typeof data.since !== "number" || typeof data.languages !== "object" || data.languages === null) return emptyStatistics(now);
  const languages: Record<string, LanguageCounts> = {};
  for (const [language, counts] of Object.entries(data.languages)) {
    const read = (key: keyof LanguageCounts): number => {
      const value = (counts as Partial<Record<keyof LanguageCounts, unknown>>)[key];
      return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
    };
    languages[language] = {
      shown: read("shown"), acceptedWhole: read("acceptedWhole"), acceptedWords: read("acceptedWords"),
      acceptedLines: read("acceptedLines"), accepted: read("accepted"), dismissed: read("dismissed"),
    };
  }
  const latenciesMs = Array.isArray(data.latenciesMs) ? data.latenciesMs.filter((value): value is number => typeof value === "number" && value >= 0) : [];
  return { version: 1, since: data.since, languages, latenciesMs: latenciesMs.slice(-LATENCY_SAMPLES) };
}

export function recordShown(data: StatisticsData, languageId: string, latencyMs: number): StatisticsData {
  const counts = data.languages[languageId] ?? ZERO;
  return {
    ...data,
    languages: { ...data.languages, [languageId]: { ...counts, shown: counts.shown + 1 } },
    latenciesMs: [...data.latenciesMs, Math.max(0, latencyMs)].slice(-LATENCY_SAMPLES),
  };
}

export function recordOutcome(data: StatisticsData, languageId: string, outcome: SuggestionOutcome): StatisticsData {
  const counts = data.languages[languageId] ?? ZERO;
  const anything = outcome.whole || outcome.words > 0 || outcome.lines > 0;
  return {
    ...data,
    languages: {
      ...data.languages,
      [languageId]: {
        ...counts,
        acceptedWhole: counts.acceptedWhole + (outcome.whole ? 1 : 0),
        acceptedWords: counts.acceptedWords + outcome.words,
        acceptedLines: counts.acceptedLines + outcome.lines,
        accepted: counts.accepted + (anything ? 1 : 0),
        dismissed: counts.dismissed + (anything ? 0 : 1),
      },
    },
  };
}

/** The nearest-rank percentile (p in 0..100) of `values`; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Accepted (whole or in part) out of shown; undefined before the first suggestion. */
export function acceptanceRate(counts: LanguageCounts): number | undefined {
  return counts.shown === 0 ? undefined : counts.accepted / counts.shown;
}

export function totals(data: StatisticsData): LanguageCounts {
  const sum = { ...ZERO };
  for (const counts of Object.values(data.languages)) {
    for (const key of Object.keys(sum) as (keyof LanguageCounts)[]) sum[key] += counts[key];
  }
  return sum;
}

/** The statistics as plain text, for the Statistics view and the Doctor. */
export function formatStatistics(data: StatisticsData, formatDate: (epochMs: number) => string): string {
  const all = totals(data);
  const lines = [`Suggestion statistics since ${formatDate(data.since)} — counted on this machine, never sent anywhere.`, ""];
  if (all.shown === 0) {
    lines.push("No suggestions shown yet.");
    return lines.join("\n");
  }
  const p50 = percentile(data.latenciesMs, 50);
  const p90 = percentile(data.latenciesMs, 90);
  lines.push(
    `Shown        ${all.shown}`,
    `Accepted     ${all.accepted} (${percent(acceptanceRate(all))}): ${all.acceptedWhole} whole, ${all.acceptedWords} word steps, ${all.acceptedLines} line steps`,
    `Dismissed    ${all.dismissed}`,
    `Time to suggestion  p50 ${ms(p50)}, p90 ${ms(p90)} (last ${data.latenciesMs.length})`,
    "",
    "Language             Shown  Accepted  Rate    Whole  Words  Lines  Dismissed",
  );
  const languages = Object.entries(data.languages).sort(([, a], [, b]) => b.shown - a.shown);
  for (const [language, counts] of languages) {
    lines.push(
      `${language.padEnd(20)} ${pad(counts.shown, 5)}  ${pad(counts.accepted, 8)}  ${percent(acceptanceRate(counts)).padStart(4)}  ` +
        `${pad(counts.acceptedWhole, 6)}  ${pad(counts.acceptedWords, 5)}  ${pad(counts.acceptedLines, 5)}  ${pad(counts.dismissed, 9)}`,
    );
  }
  const open = all.shown - all.accepted - all.dismissed;
  if (open > 0) lines.push("", `${open} suggestion${open === 1 ? " is" : "s are"} still on screen or undecided.`);
  return lines.join("\n");
}

/** What the statistics cannot count with VS Code's stable API, said where they are shown. */
export const STATISTICS_LIMITS =
  "\"Shown\" counts suggestions handed to VS Code (it may not draw one that is already stale). Word and line steps are " +
  "recognised from the edits they make; a one-character step looks like typing and is not counted. Tokens per second " +
  "are measured by Doctor, not per suggestion.";

function percent(rate: number | undefined): string {
  return rate === undefined ? "-" : `${Math.round(rate * 100)}%`;
}

function ms(value: number | undefined): string {
  return value === undefined ? "-" : `${Math.round(value)} ms`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width);
}
