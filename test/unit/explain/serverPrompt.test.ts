// The explain prompt (server domain): what goes in front of the model, and the token budget.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  buildExplainPrompt,
  EXPLAIN_PROBLEM_SYSTEM_PROMPT,
  EXPLAIN_SYSTEM_PROMPT,
  ExplainInputError,
  fence,
  fitCode,
  type ExplainBudget,
  type ExplainDocument,
  type ExplainInput,
} from "../../../src/server/explain/explainPrompt";

/** About four characters per token, like real code tokenizers on average. */
const countTokens = (text: string): number => Math.ceil(text.length / 4);
const budget = (overrides: Partial<ExplainBudget> = {}): ExplainBudget => ({
  contextSize: 4096, maxTokens: 512, templateOverheadTokens: 20, countTokens, ...overrides,
});

const MATH: ExplainDocument = {
  fileName: "src/math.ts",
  languageId: "typescript",
  text: [
    "/** Multiplies. */",
    "export function mul(a: number, b: number): number {",
    "  return a * b;",
    "}",
    "",
    "export function unused(): void {}",
    "",
  ].join("\n"),
};

const APP_LINES = [
  "import { mul } from \"./math\";",              // 0
  "",                                             // 1
  "const FACTOR = 3;",                            // 2
  "",                                             // 3
  "export function scale(values: number[]) {",    // 4
  "  return values.map((v) => mul(v, FACTOR));",  // 5
  "}",                                            // 6
  "",                                             // 7
  "export function total(values: number[]) {",    // 8
  "  return values.reduce((a, b) => a + b, 0);",  // 9
  "}",                                            // 10
];
const APP: ExplainDocument = { fileName: "src/app.ts", languageId: "typescript", text: APP_LINES.join("\n") };

function rangeOfLines(document: ExplainDocument, first: number, last: number): { start: number; end: number } {
  const lines = document.text.split("\n");
  const start = lines.slice(0, first).reduce((sum, line) => sum + line.length + 1, 0);
  const end = lines.slice(0, last + 1).reduce((sum, line) => sum + line.length + 1, 0) - 1;
  return { start, end };
}

function input(overrides: Partial<ExplainInput> = {}): ExplainInput {
  return { document: APP, ...rangeOfLines(APP, 4, 6), otherDocuments: [MATH], ...overrides };
}

describe("explain prompt", () => {
  test("system prompt, then the code with its file, lines and language, then the task", () => {
    const built = buildExplainPrompt(input(), budget());
    assert.equal(built.conversation.system, EXPLAIN_SYSTEM_PROMPT);
    assert.match(EXPLAIN_SYSTEM_PROMPT, /Markdown/);
    assert.match(EXPLAIN_SYSTEM_PROMPT, /what the code does/);
    assert.match(EXPLAIN_SYSTEM_PROMPT, /how it works/);
    assert.match(EXPLAIN_SYSTEM_PROMPT, /why/);
    assert.match(EXPLAIN_SYSTEM_PROMPT, /pitfalls/);
    const { user } = built.conversation;
    assert.ok(
      user.includes(
        "### Code\n`src/app.ts`, lines 5–7 (TypeScript):\n```typescript\nexport function scale(values: number[]) {\n" +
          "  return values.map((v) => mul(v, FACTOR));\n}\n```",
      ),
      user,
    );
    assert.ok(user.endsWith("### Task\nExplain the code above."), user);
    assert.equal(built.maxTokens, 512);
    assert.equal(built.truncationNote, undefined);
  });

  test("context: nearby lines of the same document, and top-level definitions the code uses from other open documents", () => {
    const built = buildExplainPrompt(input(), budget());
    const { user } = built.conversation;
    assert.ok(user.startsWith("### Context\nAround the code in `src/app.ts`:\n```typescript\n"), user);
    // Nearby lines (FACTOR's declaration among them) with a marker where the code goes.
    assert.match(user, /const FACTOR = 3;\n\n… \(the code to explain\) …\n\nexport function total/);
    // `mul` comes from the other document, with its doc comment; `unused` is not referenced.
    assert.match(user, /Definitions the code uses:\nFrom `src\/math.ts`:\n```typescript\n\/\*\* Multiplies\. \*\/\nexport function mul\(a: number, b: number\): number \{\n  return a \* b;\n\}\n```/);
    assert.doesNotMatch(user, /unused/);
    assert.deepEqual(built.included.definitions, ["mul"]);
    assert.ok(user.indexOf("### Context") < user.indexOf("### Code"));
  });

  test("a definition further away in the same document is included once, not repeated when it is already nearby", () => {
    const far = [...APP_LINES.slice(0, 3), ...Array.from({ length: 80 }, (_, i) => `// filler ${i}`), ...APP_LINES.slice(3)];
    const document: ExplainDocument = { ...APP, text: far.join("\n") };
    const scaleLine = far.indexOf("export function scale(values: number[]) {");
    const built = buildExplainPrompt({ document, ...rangeOfLines(document, scaleLine, scaleLine + 2), otherDocuments: [] }, budget());
    assert.deepEqual(built.included.definitions, ["FACTOR"]);
    assert.match(built.conversation.user, /From `src\/app.ts`:\n```typescript\nconst FACTOR = 3;\n```/);

    const near = buildExplainPrompt(input({ otherDocuments: [] }), budget());
    assert.deepEqual(near.included.definitions, []);
  });

  test("\"Explain this problem\": the diagnostic goes in, with its own instructions", () => {
    const built = buildExplainPrompt(
      input({ diagnostic: { message: "Argument of type 'string' is not assignable to parameter of type 'number'.", source: "ts", code: "2345" } }),
      budget(),
    );
    assert.equal(built.conversation.system, EXPLAIN_PROBLEM_SYSTEM_PROMPT);
    assert.match(built.conversation.user, /### Problem\nts 2345: Argument of type 'string' is not assignable to parameter of type 'number'\./);
    assert.match(built.conversation.user, /### Task\nExplain the problem above: what it means, why it happens here, and how to fix it\.$/);
    assert.ok(built.conversation.user.indexOf("### Code") < built.conversation.user.indexOf("### Problem"));
  });

  test("a huge diagnostic message is cut", () => {
    const built = buildExplainPrompt(input({ diagnostic: { message: "x".repeat(100_000) } }), budget());
    const problem = /### Problem\n(x+…)/.exec(built.conversation.user)?.[1];
    assert.ok(problem !== undefined && countTokens(problem) <= 260, String(problem?.length));
  });

  test("a single line is labelled as one line", () => {
    const built = buildExplainPrompt(input(rangeOfLines(APP, 2, 2)), budget());
    assert.match(built.conversation.user, /`src\/app.ts`, line 3 \(TypeScript\):\n```typescript\nconst FACTOR = 3;\n```/);
  });

  test("code containing a fence gets a longer fence; an unknown language keeps its id", () => {
    assert.equal(fence("a\n```\nb", "markdown"), "````markdown\na\n```\nb\n````");
    const document: ExplainDocument = { fileName: "notes.foo", languageId: "foo-lang", text: "say ```hi```\n" };
    const built = buildExplainPrompt({ document, start: 0, end: document.text.length, otherDocuments: [] }, budget());
    assert.match(built.conversation.user, /`notes.foo`, line 1 \(foo-lang\):\n````foo-lang\nsay ```hi```\n````/);
  });

  test("an empty or blank range is refused", () => {
    assert.throws(() => buildExplainPrompt(input({ start: 3, end: 3 }), budget()), ExplainInputError);
    const blank: ExplainDocument = { ...APP, text: "   \n\n  " };
    assert.throws(() => buildExplainPrompt({ document: blank, start: 0, end: blank.text.length, otherDocuments: [] }, budget()), /no code to explain/);
  });

  test("a 10,000-line selection is cut at a line boundary to fit, with a visible note, and never overflows", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `  total += values[${i}] * weights[${i}];`);
    const document: ExplainDocument = { fileName: "src/huge.ts", languageId: "typescript", text: `${lines.join("\n")}\n` };
    const built = buildExplainPrompt({ document, start: 0, end: document.text.length, otherDocuments: [MATH] }, budget());
    assert.ok(built.truncationNote !== undefined);
    const kept = /only lines 1–([\d,]+) were explained; the last ([\d,]+) lines were left out\./.exec(built.truncationNote);
    assert.ok(kept, built.truncationNote);
    const keptLines = Number(kept[1]?.replace(/,/g, ""));
    assert.equal(keptLines + Number(kept[2]?.replace(/,/g, "")), 10_000);
    assert.match(built.truncationNote, /^The code \(lines 1–10,000\) is too long for the model's context \(4,096 tokens\)/);
    assert.ok(keptLines > 100, `kept ${keptLines} lines`);
    // The model sees where the cut is, and the last line it sees is whole.
    assert.match(built.conversation.user, new RegExp(`values\\[${keptLines - 1}\\] \\* weights\\[${keptLines - 1}\\];\\n\`\`\`\\n\\(Cut here: the last [\\d,]+ lines did not fit\\.\\)`));
    assert.doesNotMatch(built.conversation.user, new RegExp(`values\\[${keptLines}\\]`));
    const promptTokens = 20 + countTokens(built.conversation.system) + countTokens(built.conversation.user);
    assert.ok(promptTokens + built.maxTokens <= 4096, `${promptTokens} + ${built.maxTokens}`);
    assert.ok(promptTokens + built.maxTokens > 3500, `the budget is used: ${promptTokens} + ${built.maxTokens}`);
  });

  test("one enormous line is cut by characters", () => {
    const document: ExplainDocument = { fileName: "min.js", languageId: "javascript", text: "x=1;".repeat(50_000) };
    const built = buildExplainPrompt({ document, start: 0, end: document.text.length, otherDocuments: [] }, budget());
    assert.match(built.truncationNote ?? "", /only the first [\d,]+ characters of its first line were explained/);
    const promptTokens = 20 + countTokens(built.conversation.system) + countTokens(built.conversation.user);
    assert.ok(promptTokens + built.maxTokens <= 4096);
  });

  test("maxTokens never takes more than half the context; a context too small to explain anything is refused with advice", () => {
    assert.equal(buildExplainPrompt(input(), budget({ maxTokens: 4096 })).maxTokens, 2048);
    assert.throws(() => buildExplainPrompt(input(), budget({ contextSize: 512, maxTokens: 256 })), /too small to explain code.*Lower pocketCoder\.explain\.maxTokens/s);
  });

  test("the budget holds whatever the sizes: prompt + maxTokens ≤ context", () => {
    for (const contextSize of [1024, 2048, 4096, 8192]) {
      for (const maxTokens of [16, 128, 512, 4096]) {
        for (const lineCount of [1, 50, 2_000]) {
          const text = Array.from({ length: lineCount }, (_, i) => `value_${i} = compute(value_${i - 1}, FACTOR) + mul(${i}, 2)`).join("\n");
          const document: ExplainDocument = { fileName: "gen.py", languageId: "python", text };
          const built = buildExplainPrompt({ document, start: 0, end: text.length, otherDocuments: [MATH, APP] }, budget({ contextSize, maxTokens }));
          const promptTokens = 20 + countTokens(built.conversation.system) + countTokens(built.conversation.user);
          assert.ok(promptTokens + built.maxTokens <= contextSize, `${contextSize}/${maxTokens}/${lineCount}: ${promptTokens} + ${built.maxTokens}`);
          assert.ok(built.estimatedPromptTokens <= promptTokens + 1);
        }
      }
    }
  });

  test("fitCode keeps whole lines and reports what it kept", () => {
    const code = "aaaa\nbbbb\ncccc\ndddd\n";
    assert.deepEqual(fitCode(code, 100, countTokens), { text: "aaaa\nbbbb\ncccc\ndddd", truncated: false, keptLines: 4, totalLines: 4, keptChars: 20 });
    const cut = fitCode(code, 4, countTokens);
    assert.equal(cut.text, "aaaa\nbbbb\ncccc");
    assert.equal(cut.truncated, true);
    assert.equal(cut.keptLines, 3);
  });
});
