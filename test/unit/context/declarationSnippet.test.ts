import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { blockEnd, declarationSnippet } from "../../../src/server/context/declarationSnippet";

const lines = (text: string) => text.split("\n");

describe("declaration snippets", () => {
  test("a short declaration is kept whole, with its doc comment", () => {
    const file = lines("import x from 'y';\n/** Adds. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\nconst after = 1;");
    const snippet = declarationSnippet(file, 2, 2)!;
    assert.deepEqual([snippet.startLine, snippet.endLine], [2, 4]);
    assert.equal(snippet.text, "/** Adds. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n");
  });

  test("a long function keeps its (multi-line) signature and elides the body", () => {
    const body = Array.from({ length: 30 }, (_, i) => `  step${i}();`).join("\n");
    const file = lines(`export async function acquire(\n  request: Request,\n  options: Options,\n): Promise<Token> {\n${body}\n}`);
    const snippet = declarationSnippet(file, 0, file.length - 1)!;
    assert.equal(snippet.text, "export async function acquire(\n  request: Request,\n  options: Options,\n): Promise<Token> {\n  …\n}\n");
  });

  test("a long class keeps its header and its members' signatures", () => {
    const method = (name: string) => [`  ${name}(input: string): string {`, ...Array.from({ length: 6 }, () => "    work();"), "  }"];
    const file = lines(["export class Cache<T> extends Base {", "  private readonly items = new Map<string, T>();", "  constructor(private readonly size: number) {",
      "    super();", "  }", ...method("read"), ...method("write"), "}"].join("\n"));
    const snippet = declarationSnippet(file, 0, 0)!;
    assert.equal(snippet.endLine, file.length - 1, "the block end is found from the braces");
    assert.equal(snippet.text, [
      "export class Cache<T> extends Base {", "  private readonly items = new Map<string, T>();", "  constructor(private readonly size: number) { … }",
      "  read(input: string): string { … }", "  write(input: string): string { … }", "}", "",
    ].join("\n"));
  });

  test("an interface member or abstract declaration ends at its semicolon; Python blocks end by indentation", () => {
    assert.equal(blockEnd(lines("  getAccount(id: string): Account;\n  other(): void;"), 0), 0);
    const python = lines("def parse(argv):\n    args = []\n    for a in argv:\n        args.append(a)\n    return args\n\nprint(parse([]))");
    assert.equal(blockEnd(python, 0), 4);
    assert.equal(declarationSnippet(python, 0, 0)!.text, "def parse(argv):\n    args = []\n    for a in argv:\n        args.append(a)\n    return args\n");
  });

  test("braces inside strings and comments are not counted", () => {
    const file = lines("function f() {\n  const s = \"}\"; // }\n  return s;\n}\nfunction g() {}");
    assert.equal(blockEnd(file, 0), 3);
  });

  test("out-of-range lines give nothing", () => {
    assert.equal(declarationSnippet(["a"], 5, 5), undefined);
  });
});
