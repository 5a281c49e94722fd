// Completion context through the real server process: definitions asked of the client (pocketCoder/definitions) and
// read from disk into the prompt, the server's own fallback for a client that cannot answer, and exclusions.
// The prompt's context is observed in the server's debug log line "context for …", which names every chunk it holds.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { CONTEXT_CLIENT_CAPABILITY, DefinitionsRequest, VisibleRangesNotification, type DefinitionsParams } from "../../src/shared/protocol";
import { fimModel } from "../fixtures/fixtureModels";
import { LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
const settingsFor = (modelPath: string) => ({ model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 16 } });

const GREET = "/** Greets someone by name. */\nexport function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n";
const SECRET = "sk-live-9f8e7d6c5b4a";
const ENV = `API_TOKEN=${SECRET}\nDATABASE_URL=postgres://admin:${SECRET}@db/prod\n`;
const MAIN = "import { greet } from './greet';\nimport { API_TOKEN } from './config';\n\nconst message = greet('Ada');\nconsole.log(message, API_TOKEN);\n";

function workspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-context-"));
  fs.mkdirSync(path.join(root, "src"));
  fs.writeFileSync(path.join(root, "src", "greet.ts"), GREET);
  fs.writeFileSync(path.join(root, ".env"), ENV);
  return root;
}

/** The debug lines that describe a prompt's cross-file context, from index `from` on. */
function contextLines(client: LspTestClient, from = 0): string[] {
  return client.logs.slice(from).filter((line) => line.startsWith("context for "));
}

async function waitForContextLine(client: LspTestClient, from: number): Promise<string> {
  for (let tries = 0; tries < 100; tries++) {
    const line = contextLines(client, from).at(-1);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`No context line in the log:\n${client.logs.slice(from).join("\n")}`);
}

/**
 * Asks for completions at `position` until a prompt's context line satisfies `wanted` (at most `tries` requests) and
 * returns the last context line: the server waits only briefly for the client's definitions, and on a loaded machine
 * the first answer may come too late for the first prompt; it then serves the next request from the cache.
 */
async function completeUntil(
  client: LspTestClient, uri: string, position: { line: number; character: number }, wanted: (line: string) => boolean, tries = 10,
): Promise<{ line: string; requests: number }> {
  let line = "";
  for (let request = 1; request <= tries; request++) {
    const from = client.logs.length;
    await client.complete(uri, position);
    line = await waitForContextLine(client, from);
    if (wanted(line)) return { line, requests: request };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { line, requests: tries };
}

describe("completion context with a client that answers pocketCoder/definitions", () => {
  let client: LspTestClient;
  let root: string;
  const asked: DefinitionsParams[] = [];
  const uriOf = (name: string) => pathToFileURL(path.join(root, name)).toString();

  before(async () => {
    root = workspace();
    client = await LspTestClient.start({
      settings: settingsFor(await fimModel(MODEL_DIR)), workspaceFolder: root, experimental: { [CONTEXT_CLIENT_CAPABILITY]: { definitions: true } },
    });
    // Stands in for VS Code's definition providers: `greet` is defined in src/greet.ts, `API_TOKEN` in .env.
    client.connection.onRequest(DefinitionsRequest, (params) => {
      asked.push(params);
      const lines = MAIN.split("\n");
      return {
        definitions: params.positions.flatMap((position, from) => {
          const word = /^[\w$]+/.exec(lines[position.line]?.slice(position.character) ?? "")?.[0];
          if (word === "greet") return [{ from, kind: "definition" as const, uri: uriOf("src/greet.ts"), range: { start: { line: 1, character: 0 }, end: { line: 3, character: 1 } } }];
          if (word === "API_TOKEN") return [{ from, kind: "definition" as const, uri: uriOf(".env"), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } } }];
          return [];
        }),
      };
    });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("the definition the editor names is read from disk into the prompt, signature and body", async () => {
    const uri = uriOf("src/main.ts");
    await client.open(uri, MAIN);
    const { line } = await completeUntil(client, uri, { line: 4, character: 32 }, (logged) => logged.includes("definition src/greet.ts"));
    assert.match(line, /definition src\/greet\.ts:2-4 "export function greet\(name: string\): string \{"/);
    assert.equal(asked.filter((params) => params.textDocument.uri === uri).length, 1, "one document version is asked about once; later prompts use the cache");
    const params = asked.at(-1);
    assert.equal(params?.textDocument.uri, uri);
    const words = params!.positions.map((p) => /^[\w$]+/.exec(MAIN.split("\n")[p.line]!.slice(p.character))?.[0]);
    assert.ok(words.includes("greet") && words.includes("API_TOKEN") && words.includes("message"), `asked about ${words.join(", ")}`);
  });

  test("an excluded file gets no completion, and its text never reaches a prompt or the log, even when the editor points at it", async () => {
    const envUri = uriOf(".env");
    await client.open(envUri, ENV, "dotenv");
    const from = client.logs.length;
    assert.deepEqual(await client.complete(envUri, { line: 2, character: 0 }), []);
    assert.ok(client.logs.slice(from).some((line) => line.includes("matches pocketCoder.exclude")), client.logs.slice(from).join("\n"));

    const uri = uriOf("src/config-user.ts");
    await client.open(uri, MAIN.replace("'Ada'", "'Grace'"));
    const { line } = await completeUntil(client, uri, { line: 4, character: 32 }, (logged) => logged.includes("greet.ts"));
    assert.ok(!contextLines(client, from).some((logged) => logged.includes(".env")), contextLines(client, from).join("\n"));
    assert.ok(line.includes("greet.ts"), line);
    assert.ok(!client.logs.some((logged) => logged.includes(SECRET)), "the secret never appears in any log line");
  });

  test("an excluded file is never explained", async () => {
    const exchange = await client.explain({ textDocument: { uri: uriOf(".env") }, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } } });
    assert.match(exchange.error?.message ?? "", /matches pocketCoder\.exclude/);
    assert.deepEqual(exchange.error?.data, { kind: "excluded" });
  });
});

describe("completion context with a client that cannot answer definitions", () => {
  let client: LspTestClient;
  let root: string;
  const uriOf = (name: string) => pathToFileURL(path.join(root, name)).toString();

  before(async () => {
    root = workspace();
    fs.writeFileSync(path.join(root, ".gitignore"), "generated/\n");
    fs.mkdirSync(path.join(root, ".git"));
    client = await LspTestClient.start({ settings: settingsFor(await fimModel(MODEL_DIR)), workspaceFolder: root });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("the server finds the declaration by name in the open files; a git-ignored open file stays out", async () => {
    await client.open(uriOf("src/greet.ts"), `${"// padding\n".repeat(30)}${GREET}`);
    await client.open(uriOf("generated/greet.ts"), `export function greet(who: string): string { return "${SECRET}"; }\n`);
    const uri = uriOf("src/main.ts");
    await client.open(uri, MAIN);
    const from = client.logs.length;
    await client.complete(uri, { line: 4, character: 32 });
    const line = await waitForContextLine(client, from);
    assert.match(line, /editor definitions off/);
    assert.match(line, /declaration src\/greet\.ts:32-34 "export function greet\(name: string\): string \{"/);
    assert.ok(!line.includes("generated/"), line);
  });

  test("code the user looked at (pocketCoder/visibleRanges) and edited elsewhere enters the next prompt, newest last", async () => {
    const notes = uriOf("src/notes.ts");
    const lines = Array.from({ length: 80 }, (_, i) => `n${i};`);
    await client.open(notes, `${lines.join("\n")}\n`);
    await client.connection.sendNotification(VisibleRangesNotification, {
      textDocument: { uri: notes }, ranges: [{ start: { line: 10, character: 0 }, end: { line: 20, character: 0 } }],
    });
    // Typing at line 60, then at line 62: one pending place, committed when the user completes in another file.
    for (const line of [60, 62]) {
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri: notes, version: 1000 + line },
        contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: "// edited\n" }],
      });
    }
    const uri = uriOf("src/viewer.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    const from = client.logs.length;
    await client.complete(uri, { line: 1, character: 2 });
    const line = await waitForContextLine(client, from);
    const view = line.indexOf("view src/notes.ts:");
    const edit = line.indexOf("edit src/notes.ts:");
    assert.ok(view >= 0 && edit >= 0, line);
    assert.ok(edit > view, `the newer chunk (the edit) is nearer the code: ${line}`);
  });
});

