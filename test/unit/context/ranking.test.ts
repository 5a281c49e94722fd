import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { identifiersIn, identifiersNearCursor } from "../../../src/server/context/identifiers";
import { declaredOn, indexDocument, rankChunks } from "../../../src/server/context/identifierRanking";

describe("identifiers near the cursor", () => {
  test("the cursor line's and the line above's identifiers, nearest first, without keywords or the word being typed", () => {
    const text = "import { parse } from './parser';\nconst tree = parse(source);\nconst result = evaluate(tree, envir";
    const found = identifiersNearCursor(text, text.length);
    assert.deepEqual(found.map((identifier) => identifier.name), ["tree", "evaluate", "result", "source", "parse"]);
    const evaluate = found.find((identifier) => identifier.name === "evaluate")!;
    assert.deepEqual([evaluate.line, evaluate.character], [2, 15]);
    assert.ok(!found.some((identifier) => identifier.name === "envir"));
  });

  test("identifiersIn skips keywords and one-letter names", () => {
    assert.deepEqual(identifiersIn("for (const x of items) return await load(x, this.cache)"), ["items", "load", "cache"]);
  });
});

describe("declarations by name", () => {
  test("keyword declarations and method headers, not calls or control flow", () => {
    assert.deepEqual(declaredOn("export async function loadConfig(path: string): Promise<Config> {"), ["loadConfig"]);
    assert.deepEqual(declaredOn("export class TokenCache<T> extends Base {"), ["TokenCache"]);
    assert.deepEqual(declaredOn("  public async acquireToken(request: TokenRequest): Promise<Result> {"), ["acquireToken"]);
    assert.deepEqual(declaredOn("  getAccount(id: string): Account | null;"), ["getAccount"]);
    assert.deepEqual(declaredOn("def parse_args(argv):"), ["parse_args"]);
    assert.deepEqual(declaredOn("    const result = compute(a, b);"), ["result"]);
    assert.deepEqual(declaredOn("    compute(a, b);"), []);
    assert.deepEqual(declaredOn("    abstract setServerTelemetry("), ["setServerTelemetry"]);
    assert.deepEqual(declaredOn("    createClientAuthError("), [], "a call whose arguments continue below is no declaration");
    assert.deepEqual(declaredOn("    if (ready) {"), []);
    assert.deepEqual(declaredOn("    items.forEach((item) => {"), []);
  });
});

describe("BM25 ranking over open files", () => {
  const math = ["export function clamp(value: number, low: number, high: number): number {", "  return Math.min(high, Math.max(low, value));", "}"]
    .concat(Array.from({ length: 30 }, (_, i) => `// filler ${i} about nothing in particular`)).join("\n");
  const http = ["export async function fetchJson(url: string, retries: number) {", "  const response = await fetch(url);", "  return response.json();", "}"].join("\n");

  test("the chunk sharing the rarest query identifiers ranks first; chunks sharing nothing are left out", () => {
    const indexes = [indexDocument("file:///math.ts", 1, math), indexDocument("file:///http.ts", 1, http)];
    const ranked = rankChunks(["fetchJson", "url", "retries"], indexes);
    assert.equal(ranked[0]?.uri, "file:///http.ts");
    assert.ok(ranked.every((chunk) => chunk.score > 0));
    assert.ok(!ranked.some((chunk) => chunk.uri === "file:///math.ts"));
    assert.equal(rankChunks(["clamp", "value"], indexes)[0]?.uri, "file:///math.ts");
    assert.deepEqual(rankChunks([], indexes), []);
  });

  test("the index records where names are declared and chunks overlap by half", () => {
    const index = indexDocument("file:///math.ts", 3, math);
    assert.deepEqual(index.declarations.get("clamp"), [0]);
    assert.equal(index.version, 3);
    assert.deepEqual(index.chunks.slice(0, 2).map((chunk) => [chunk.startLine, chunk.endLine]), [[0, 15], [8, 23]]);
  });
});
