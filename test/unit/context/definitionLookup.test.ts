import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DefinitionsParams, DefinitionsResult } from "../../../src/shared/protocol";
import { CompletionContext, type ContextDocument } from "../../../src/server/context/CompletionContext";
import { DefinitionLookup } from "../../../src/server/context/DefinitionLookup";
import { RecentChunks } from "../../../src/server/context/RecentChunks";

const GREET = "export function greet(name: string): string {\n  return `Hello, ${name}`;\n}\n";
const files: Record<string, string> = { "file:///w/greet.ts": GREET, "file:///w/.env": "TOKEN=hunter2\n" };
const readLines = (uri: string) => Promise.resolve(files[uri]?.split("\n"));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An editor that knows where `greet` is defined, answering after `delayMs`. */
function editor(delayMs: number, targets: Record<string, string> = { greet: "file:///w/greet.ts" }) {
  const asked: DefinitionsParams[] = [];
  const names = (params: DefinitionsParams) => params.positions.map((p) => ["greet", "user", "secret"][p.character] ?? "");
  const request = async (params: DefinitionsParams): Promise<DefinitionsResult> => {
    asked.push(params);
    await sleep(delayMs);
    return {
      definitions: names(params).flatMap((name, from) => targets[name] === undefined ? [] : [{
        from, kind: "definition" as const, uri: targets[name]!, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } },
      }]),
    };
  };
  return { asked, request };
}

// Positions stand for names by their character index (see `editor`).
const greetAt = { name: "greet", line: 3, character: 0 };
const userAt = { name: "user", line: 3, character: 1 };

describe("DefinitionLookup", () => {
  test("resolves the editor's locations to declaration snippets and caches them per document version", async () => {
    const { asked, request } = editor(0);
    const lookup = new DefinitionLookup({ request, readLines, mayShare: () => true, waitMs: 200 });
    const found = await lookup.lookup("file:///w/main.ts", 1, [greetAt, userAt]);
    assert.deepEqual(found.map((d) => [d.name, d.text]), [["greet", GREET]]);
    assert.equal((await lookup.lookup("file:///w/main.ts", 1, [greetAt, userAt])).length, 1);
    assert.equal(asked.length, 1, "the same version is never asked twice, names without a definition included");
  });

  test("never waits longer than its budget; the late answer serves the next request", async () => {
    const { request } = editor(120);
    const lookup = new DefinitionLookup({ request, readLines, mayShare: () => true, waitMs: 20 });
    const startedAt = performance.now();
    assert.deepEqual(await lookup.lookup("file:///w/main.ts", 1, [greetAt]), []);
    assert.ok(performance.now() - startedAt < 100, "it gave up after its budget");
    await sleep(150);
    assert.equal((await lookup.lookup("file:///w/main.ts", 2, [greetAt]))[0]?.name, "greet");
  });

  test("an older version's answer is used at once and asked again after refreshMs", async () => {
    let now = 0;
    const { asked, request } = editor(0);
    const lookup = new DefinitionLookup({ request, readLines, mayShare: () => true, waitMs: 50, refreshMs: 1000, now: () => now });
    await lookup.lookup("file:///w/main.ts", 1, [greetAt]);
    await lookup.lookup("file:///w/main.ts", 2, [greetAt]);
    assert.equal(asked.length, 1);
    now = 5000;
    assert.equal((await lookup.lookup("file:///w/main.ts", 3, [greetAt])).length, 1);
    assert.equal(asked.length, 2);
  });

  test("a definition in a file that may not be shared is never read", async () => {
    const { request } = editor(0, { greet: "file:///w/.env" });
    const read: string[] = [];
    const lookup = new DefinitionLookup({
      request, readLines: (uri) => (read.push(uri), readLines(uri)), mayShare: (uri) => !uri.endsWith(".env"), waitMs: 50,
    });
    assert.deepEqual(await lookup.lookup("file:///w/main.ts", 1, [greetAt]), []);
    assert.deepEqual(read, []);
  });

  test("a client without the capability is not asked; a failing one answers nothing", async () => {
    const { asked, request } = editor(0);
    const off = new DefinitionLookup({ request, readLines, mayShare: () => true, waitMs: 50, available: () => false });
    assert.deepEqual(await off.lookup("file:///w/main.ts", 1, [greetAt]), []);
    assert.equal(asked.length, 0);
    const failing = new DefinitionLookup({ request: () => Promise.reject(new Error("no")), readLines, mayShare: () => true, waitMs: 50 });
    assert.deepEqual(await failing.lookup("file:///w/main.ts", 1, [greetAt]), []);
  });
});

function doc(uri: string, text: string, version = 1, languageId = "typescript"): ContextDocument {
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
  return {
    uri, version, languageId, getText: () => text,
    positionAt: (offset) => {
      let line = 0;
      while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
      return { line, character: offset - lineStarts[line]! };
    },
  };
}

describe("CompletionContext", () => {
  const main = doc("file:///w/main.ts", "import { greet } from './greet';\n\nconst user = 'Ada';\nconsole.log(greet(user), ");
  const greetDoc = doc("file:///w/greet.ts", `// greeting helpers\n${"const filler = 1;\n".repeat(40)}${GREET}`);
  const env = doc("file:///w/.env", "greet=hunter2 user secret\n");
  const countTokens = (text: string) => Math.ceil(text.length / 4);

  function contextWith(available: boolean, mayShare = (uri: string) => !uri.endsWith(".env")) {
    const { request } = editor(0, { greet: "file:///w/greet.ts" });
    const documents = [main, greetDoc, env];
    return new CompletionContext({
      documents: { all: () => documents },
      mayShare,
      pathOf: (uri) => uri.replace("file:///w/", ""),
      definitions: new DefinitionLookup({ request, readLines, mayShare, waitMs: 50, available: () => available }),
      recent: new RecentChunks((uri) => documents.find((d) => d.uri === uri)?.getText().split("\n")),
    });
  }

  test("the editor's definition heads the context", async () => {
    const gathered = await contextWith(true).gather(main, main.getText().length, 768, countTokens);
    assert.equal(gathered.chosen[0]?.kind, "definition");
    assert.ok(gathered.files.some((file) => file.path === "greet.ts" && file.text.includes("export function greet(name: string): string {")));
    assert.ok(gathered.tokens <= 768);
  });

  test("without the editor, the declaration is found by name in the open files; an excluded file never enters", async () => {
    const gathered = await contextWith(false).gather(main, main.getText().length, 768, countTokens);
    const declaration = gathered.chosen.find((chunk) => chunk.kind === "declaration");
    assert.ok(declaration?.text.includes("export function greet(name: string): string {"), JSON.stringify(gathered.chosen));
    assert.ok(!gathered.files.some((file) => file.text.includes("hunter2")));
  });
});
