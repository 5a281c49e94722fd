import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SuggestionTracker, type OfferedSuggestion } from "../../src/extension/statistics/SuggestionTracker";
import {
  acceptanceRate, emptyStatistics, formatStatistics, LATENCY_SAMPLES, parseStatistics, percentile, recordOutcome, recordShown, totals,
  type StatisticsData,
} from "../../src/extension/statistics/suggestionStatistics";

function recording() {
  let data: StatisticsData = emptyStatistics(0);
  const tracker = new SuggestionTracker({
    shown: (languageId, latencyMs) => { data = recordShown(data, languageId, latencyMs); },
    ended: (languageId, outcome) => { data = recordOutcome(data, languageId, outcome); },
  });
  return { tracker, data: () => data };
}

function offer(text: string, extra: Partial<OfferedSuggestion> = {}): OfferedSuggestion {
  return { uri: "file:///a.ts", languageId: "typescript", offset: 10, text, latencyMs: 100, ...extra };
}

describe("suggestion statistics", () => {
  test("counts per language: shown, accepted whole, dismissed", () => {
    let data = emptyStatistics(0);
    data = recordShown(data, "python", 120);
    data = recordOutcome(data, "python", { whole: true, words: 0, lines: 0 });
    data = recordShown(data, "python", 80);
    data = recordOutcome(data, "python", { whole: false, words: 0, lines: 0 });
    data = recordShown(data, "go", 300);
    data = recordOutcome(data, "go", { whole: false, words: 2, lines: 1 });
    assert.deepEqual(data.languages["python"], { shown: 2, acceptedWhole: 1, acceptedWords: 0, acceptedLines: 0, accepted: 1, dismissed: 1 });
    assert.deepEqual(data.languages["go"], { shown: 1, acceptedWhole: 0, acceptedWords: 2, acceptedLines: 1, accepted: 1, dismissed: 0 });
    assert.equal(acceptanceRate(data.languages["python"]!), 0.5);
    assert.equal(totals(data).shown, 3);
    assert.deepEqual(data.latenciesMs, [120, 80, 300]);
  });

  test("p50 and p90 are nearest-rank percentiles", () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 90), 90);
    assert.equal(percentile([7], 90), 7);
    assert.equal(percentile([], 50), undefined);
  });

  test("only the most recent latencies are kept", () => {
    let data = emptyStatistics(0);
    for (let index = 0; index < LATENCY_SAMPLES + 5; index++) data = recordShown(data, "c", index);
    assert.equal(data.latenciesMs.length, LATENCY_SAMPLES);
    assert.equal(data.latenciesMs[0], 5);
  });

  test("stored data of another shape starts afresh; bad counts read as zero", () => {
    assert.deepEqual(parseStatistics(undefined, 5), emptyStatistics(5));
    assert.deepEqual(parseStatistics({ version: 2 }, 5), emptyStatistics(5));
    const parsed = parseStatistics({ version: 1, since: 1, languages: { go: { shown: 3, accepted: "x" } }, latenciesMs: [1, "2", -1] }, 5);
    assert.equal(parsed.languages["go"]?.shown, 3);
    assert.equal(parsed.languages["go"]?.accepted, 0);
    assert.deepEqual(parsed.latenciesMs, [1]);
  });

  test("the text shows rates per language and the latency percentiles", () => {
    let data = emptyStatistics(0);
    data = recordShown(data, "typescript", 100);
    data = recordOutcome(data, "typescript", { whole: true, words: 0, lines: 0 });
    data = recordShown(data, "markdown", 300);
    data = recordOutcome(data, "markdown", { whole: false, words: 0, lines: 0 });
    const text = formatStatistics(data, () => "today");
    assert.match(text, /since today — counted on this machine, never sent anywhere/);
    assert.match(text, /^Accepted +1 \(50%\): 1 whole, 0 word steps, 0 line steps$/m);
    assert.match(text, /p50 100 ms, p90 300 ms/);
    assert.match(text, /^typescript +1 +1 +100%/m);
    assert.match(text, /^markdown +1 +0 +0%/m);
    assert.match(formatStatistics(emptyStatistics(0), () => "today"), /No suggestions shown yet\./);
  });
});

describe("SuggestionTracker", () => {
  test("Tab: the whole text is inserted, then the item's command runs: one whole accept", () => {
    const { tracker, data } = recording();
    const id = tracker.offered(offer("return a + b;"));
    tracker.edited("file:///a.ts", [{ offset: 10, removedLength: 0, text: "return a + b;" }]);
    tracker.accepted(id);
    assert.deepEqual(data().languages["typescript"], { shown: 1, acceptedWhole: 1, acceptedWords: 0, acceptedLines: 0, accepted: 1, dismissed: 0 });
  });

  test("an accept applied with adjustments (re-indented) still counts, by its command", () => {
    const { tracker, data } = recording();
    const id = tracker.offered(offer("if (x) {\n  y();\n}"));
    tracker.edited("file:///a.ts", [{ offset: 10, removedLength: 0, text: "if (x) {\n      y();\n    }" }]);
    tracker.accepted(id);
    assert.equal(data().languages["typescript"]?.acceptedWhole, 1);
  });

  test("word and line steps, then the rest offered again is the same suggestion, then Tab takes the rest", () => {
    const { tracker, data } = recording();
    const id = tracker.offered(offer("(a, b) {\n  return a + b;\n}"));
    tracker.edited("file:///a.ts", [{ offset: 10, removedLength: 0, text: "(a" }]);
    assert.equal(tracker.offered(offer(", b) {\n  return a + b;\n}", { offset: 12 })), id);
    tracker.edited("file:///a.ts", [{ offset: 12, removedLength: 0, text: ", b) {\n" }]);
    assert.equal(tracker.offered(offer("  return a + b;\n}", { offset: 19 })), id);
    tracker.edited("file:///a.ts", [{ offset: 19, removedLength: 0, text: "  return a + b;\n}" }]);
    tracker.accepted(id);
    assert.deepEqual(data().languages["typescript"], { shown: 1, acceptedWhole: 1, acceptedWords: 1, acceptedLines: 1, accepted: 1, dismissed: 0 });
  });

  test("typing something else, then a new suggestion: the first was dismissed", () => {
    const { tracker, data } = recording();
    tracker.offered(offer("return a + b;"));
    tracker.edited("file:///a.ts", [{ offset: 10, removedLength: 0, text: "x" }]);
    tracker.offered(offer("x = 1;", { offset: 11 }));
    tracker.end();
    assert.equal(data().languages["typescript"]?.shown, 2);
    assert.equal(data().languages["typescript"]?.dismissed, 2);
    assert.deepEqual(data().latenciesMs, [100, 100]);
  });

  test("typing along one matching character is not an accept; edits in other files do not matter", () => {
    const { tracker, data } = recording();
    tracker.offered(offer("return a + b;"));
    tracker.edited("file:///other.ts", [{ offset: 0, removedLength: 3, text: "" }]);
    tracker.edited("file:///a.ts", [{ offset: 10, removedLength: 0, text: "r" }]);
    tracker.offered(offer("eturn a + b;", { offset: 11 }));
    tracker.end();
    const counts = data().languages["typescript"];
    assert.equal(counts?.shown, 1);
    assert.equal(counts?.dismissed, 1);
    assert.equal(counts?.acceptedWords, 0);
  });

  test("a late accept command of an older suggestion is ignored", () => {
    const { tracker, data } = recording();
    const first = tracker.offered(offer("one"));
    tracker.offered(offer("two", { offset: 20 }));
    tracker.accepted(first);
    tracker.end();
    assert.equal(data().languages["typescript"]?.acceptedWhole, 0);
    assert.equal(data().languages["typescript"]?.dismissed, 2);
  });
});
