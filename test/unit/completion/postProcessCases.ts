import type { PostProcessContext } from "../../../src/server/completion/postProcess";
/**
 * Golden cases for postProcessCompletion. `doc` is the document with the cursor marked by ‸; `raw` is what the model
 * returned; `insert`/`replace` is the expected result (`null` = dropped). `final` optionally spells out the cursor
 * line(s) after accepting, for readability.
 */
export interface PostProcessCase {
  readonly name: string;
  readonly lang: string;
  readonly doc: string;
  readonly raw: string;
  readonly insert: string | null;
  readonly replace?: number;
  readonly singleLine?: boolean;
  readonly stopTexts?: readonly string[];
  /** Expected document text after accepting (whole document, without the cursor marker). */
  readonly final?: string;
}

export const CURSOR = "‸";

/** Splits a document with a cursor marker into the post-processing context (as the context window would). */
export function contextFromDoc(doc: string, lang: string, extra: Partial<PostProcessContext> = {}): { ctx: PostProcessContext; before: string; after: string } {
  const at = doc.indexOf(CURSOR);
  if (at < 0) throw new Error("no cursor marker");
  const before = doc.slice(0, at);
  const after = doc.slice(at + CURSOR.length);
  const lineStart = before.lastIndexOf("\n") + 1;
  return {
    before,
    after,
    ctx: {
      prefixBeforeLine: before.slice(0, lineStart),
      linePrefix: before.slice(lineStart),
      suffix: after,
      languageId: lang,
      ...extra,
    },
  };
}

export const POST_PROCESS_CASES: readonly PostProcessCase[] = [
  // ---------------------------------------------------------------- replace range: auto-closed pairs
  {
    name: "ts: auto-closed paren that the completion also writes is replaced",
    lang: "typescript",
    doc: `console.log(${CURSOR})`,
    raw: `"hello")`,
    insert: `"hello")`,
    replace: 1,
    final: `console.log("hello")`,
  },
  {
    name: "ts: completion rewrites the whole rest of the line `);`",
    lang: "typescript",
    doc: `const x = foo(${CURSOR});`,
    raw: "a, b);",
    insert: "a, b);",
    replace: 2,
    final: "const x = foo(a, b);",
  },
  {
    name: "ts: closes a string and a call opened before the cursor (Tabby replace_range typescript_01)",
    lang: "typescript",
    doc: `function print(obj: any) {\n  console.log("Obj: ${CURSOR}")\n}\n`,
    raw: `", obj);`,
    insert: `", obj);`,
    replace: 2,
    final: `function print(obj: any) {\n  console.log("Obj: ", obj);\n}\n`,
  },
  {
    name: "ts: closer written, then more code: the auto-closed paren is still replaced",
    lang: "typescript",
    doc: `const n = parseInt(${CURSOR});`,
    raw: "input, 10) || 0;",
    insert: "input, 10) || 0;",
    replace: 2,
    final: "const n = parseInt(input, 10) || 0;",
  },
  {
    name: "ts: completion leaves its own paren open: the suffix's `)` closes it, nothing replaced",
    lang: "typescript",
    doc: `items.forEach(${CURSOR})`,
    raw: "(item) => console.log(item",
    insert: "(item) => console.log(item",
    replace: 0,
    final: "items.forEach((item) => console.log(item)",
  },
  {
    name: "ts: params then `) {` already on the line",
    lang: "typescript",
    doc: `function add(${CURSOR}) {\n}\n`,
    raw: "a: number, b: number) {",
    insert: "a: number, b: number) {",
    replace: 3,
    final: "function add(a: number, b: number) {\n}\n",
  },
  {
    name: "js: nested auto-closed `])`",
    lang: "javascript",
    doc: `const first = pick(list[${CURSOR}])`,
    raw: "0])",
    insert: "0])",
    replace: 2,
    final: "const first = pick(list[0])",
  },
  {
    name: "ts: the string is closed but the suffix lacks the quote: only the `)` is replaced",
    lang: "typescript",
    doc: `log("${CURSOR})`,
    raw: `done")`,
    insert: `done")`,
    replace: 1,
    final: `log("done")`,
  },
  {
    name: "python: auto-closed quote and paren",
    lang: "python",
    doc: `print(f"total: {${CURSOR}}")`,
    raw: `total}")`,
    insert: `total}")`,
    replace: 3,
    final: `print(f"total: {total}")`,
  },
  {
    name: "python: dict literal, closing bracket already there",
    lang: "python",
    doc: `config = {${CURSOR}}`,
    raw: `"debug": True}`,
    insert: `"debug": True}`,
    replace: 1,
    final: `config = {"debug": True}`,
  },
  {
    name: "ts: coincidental one-letter overlap is not a replace",
    lang: "typescript",
    doc: `const y = ${CURSOR}1 + x;`,
    raw: "x + ",
    insert: "x + ",
    replace: 0,
  },
  {
    name: "ts: completion repeats a word of the line suffix on a word boundary",
    lang: "typescript",
    doc: `const area = width * ${CURSOR}height;`,
    raw: "2 * height",
    insert: "2 * height",
    replace: 6,
    final: "const area = width * 2 * height;",
  },

  // ---------------------------------------------------------------- single line
  {
    name: "ts: mid-line cursor keeps only the first line",
    lang: "typescript",
    doc: `const total = ${CURSOR} + tax;\n`,
    raw: "price * quantity\nconst other = 1;",
    insert: "price * quantity",
    replace: 0,
  },
  {
    name: "ts: mid-line cursor, completion also writes the rest of the line",
    lang: "typescript",
    doc: `if (${CURSOR} && ready) {\n}\n`,
    raw: "user && ready) {\n  start();\n}",
    insert: "user && ready) {",
    replace: 12,
    final: "if (user && ready) {\n}\n",
  },
  {
    name: "ts: IntelliSense item selected forces one line",
    lang: "typescript",
    doc: `const s = value.${CURSOR}\n`,
    raw: "toString();\nconsole.log(s);",
    insert: "toString();",
    singleLine: true,
  },
  {
    name: "ts: mid-line cursor and the model starts a new line: nothing to show",
    lang: "typescript",
    doc: `const a = ${CURSOR}b;\n`,
    raw: "\nconst c = 1;",
    insert: null,
  },
  {
    name: "ts: closers-only line suffix still allows a multi-line completion",
    lang: "typescript",
    doc: `items.forEach(${CURSOR});\n`,
    raw: "(item) => {\n  console.log(item);\n})",
    insert: "(item) => {\n  console.log(item);\n})",
    replace: 1,
    final: "items.forEach((item) => {\n  console.log(item);\n});\n",
  },

  // ---------------------------------------------------------------- block scope by indentation
  {
    name: "ts: body of a function stops before the existing closing brace",
    lang: "typescript",
    doc: `function sum(xs: number[]): number {\n  ${CURSOR}\n}\n`,
    raw: "let total = 0;\n  for (const x of xs) total += x;\n  return total;\n}\n\nfunction avg(xs: number[]) {",
    insert: "let total = 0;\n  for (const x of xs) total += x;\n  return total;",
  },
  {
    name: "ts: at the end of an unfinished file the closing brace is kept",
    lang: "typescript",
    doc: `function sum(xs: number[]): number {\n  ${CURSOR}`,
    raw: "return xs.reduce((a, b) => a + b, 0);\n}\n\nfunction avg(xs: number[]) {\n  return sum(xs) / xs.length;\n}",
    insert: "return xs.reduce((a, b) => a + b, 0);\n}",
  },
  {
    name: "ts: inserting inside a block that goes on below: no closing brace",
    lang: "typescript",
    doc: `function f() {\n  const a = 1;\n  ${CURSOR}\n  return a;\n}\n`,
    raw: "const b = 2;\n  console.log(a + b);\n}",
    insert: "const b = 2;\n  console.log(a + b);",
  },
  {
    name: "ts: block opened on the cursor line is closed, then the completion ends",
    lang: "typescript",
    doc: `function f(x: number) {\n  if (x > 0) {${CURSOR}\n  return 0;\n}\n`,
    raw: "\n    return x;\n  }\n  return -x;\n}",
    insert: "\n    return x;\n  }",
  },
  {
    name: "ts: block opened on the cursor line, the document already closes it",
    lang: "typescript",
    doc: `function f(x: number) {\n  if (x > 0) {${CURSOR}\n  }\n}\n`,
    raw: "\n    return x;\n  }\n  return -x;",
    insert: "\n    return x;",
  },
  {
    name: "ts: completing a statement on the line: its block, not the next statements",
    lang: "typescript",
    doc: `function f(x: number) {\n  if (x > 0) ${CURSOR}\n}\n`,
    raw: "{\n    log(x);\n  }\n  return x;",
    insert: "{\n    log(x);\n  }",
  },
  {
    name: "ts: else branch continues the block",
    lang: "typescript",
    doc: `function sign(x: number) {\n  ${CURSOR}\n}\n`,
    raw: "if (x >= 0) {\n    return 1;\n  } else {\n    return -1;\n  }\n}",
    insert: "if (x >= 0) {\n    return 1;\n  } else {\n    return -1;\n  }",
  },
  {
    name: "ts: top level: one function at a time",
    lang: "typescript",
    doc: `export function a() {\n  return 1;\n}\n\n${CURSOR}\n`,
    raw: "export function b() {\n  return 2;\n}\n\nexport function c() {\n  return 3;\n}",
    insert: "export function b() {\n  return 2;\n}",
  },
  {
    name: "ts: several statements at the same level are kept",
    lang: "typescript",
    doc: `function f() {\n  const a = 1;${CURSOR}\n}\n`,
    raw: "\n  const b = 2;\n  const c = a + b;\n  return c;\n}",
    insert: "\n  const b = 2;\n  const c = a + b;\n  return c;",
  },
  {
    name: "ts: empty braces on one line: completion puts the closer on its own line",
    lang: "typescript",
    doc: `function init() {${CURSOR}}\n`,
    raw: "\n  setup();\n  run();\n",
    insert: "\n  setup();\n  run();\n",
    replace: 0,
    final: "function init() {\n  setup();\n  run();\n}\n",
  },
  {
    name: "ts: empty braces on one line: completion writes the closer too",
    lang: "typescript",
    doc: `function init() {${CURSOR}}\n`,
    raw: "\n  setup();\n}",
    insert: "\n  setup();\n}",
    replace: 1,
    final: "function init() {\n  setup();\n}\n",
  },
  {
    name: "js: object literal closer kept when missing",
    lang: "javascript",
    doc: `const config = {\n  port: 8080,\n  ${CURSOR}`,
    raw: "host: 'localhost',\n};\n\nmodule.exports = config;",
    insert: "host: 'localhost',\n};",
  },
  {
    name: "js: promise chain continues through `}).then(`",
    lang: "javascript",
    doc: `function load() {\n  ${CURSOR}\n}\n`,
    raw: "return fetch(url).then((r) => {\n    return r.json();\n  }).then((data) => {\n    render(data);\n  });\n}",
    insert: "return fetch(url).then((r) => {\n    return r.json();\n  }).then((data) => {\n    render(data);\n  });",
  },
  {
    name: "python: function body stops at the next top-level def",
    lang: "python",
    doc: `def mean(xs):\n    ${CURSOR}\n\n\ndef other():\n    pass\n`,
    raw: "return sum(xs) / len(xs)\n\n\ndef median(xs):\n    return sorted(xs)[len(xs) // 2]",
    insert: "return sum(xs) / len(xs)",
  },
  {
    name: "python: a loop block then the function's return are kept",
    lang: "python",
    doc: `def total(items):\n    result = 0\n    ${CURSOR}`,
    raw: "for item in items:\n        result += item.price\n    return result\n\n\nprint(total([]))",
    insert: "for item in items:\n        result += item.price\n    return result",
  },
  {
    name: "python: if/elif/else is one block",
    lang: "python",
    doc: `def grade(score):\n    ${CURSOR}`,
    raw: "if score >= 90:\n        return 'A'\n    elif score >= 80:\n        return 'B'\n    else:\n        return 'C'\n\n\ndef main():\n    pass",
    insert: "if score >= 90:\n        return 'A'\n    elif score >= 80:\n        return 'B'\n    else:\n        return 'C'",
  },
  {
    name: "python: completing the def line: its body only",
    lang: "python",
    doc: `class Stack:\n    def push(self, item)${CURSOR}\n`,
    raw: ":\n        self.items.append(item)\n\n    def pop(self):\n        return self.items.pop()",
    insert: ":\n        self.items.append(item)",
  },
  {
    name: "python: after a finished block, a blank line starts a new paragraph: stop",
    lang: "python",
    doc: `def run(jobs):\n    ${CURSOR}\n`,
    raw: "for job in jobs:\n        job.start()\n\n    for job in jobs:\n        job.wait()",
    insert: "for job in jobs:\n        job.start()",
  },
  {
    name: "python: multi-line call closed by `)` at the statement's level",
    lang: "python",
    doc: `def main():\n    ${CURSOR}`,
    raw: "parser = argparse.ArgumentParser(\n        description='demo',\n    )\n    args = parser.parse_args()",
    insert: "parser = argparse.ArgumentParser(\n        description='demo',\n    )\n    args = parser.parse_args()",
  },

  // ---------------------------------------------------------------- never repeat what follows
  {
    name: "ts: completion equal to the next line is dropped",
    lang: "typescript",
    doc: `function f() {\n  ${CURSOR}\n  return a;\n}\n`,
    raw: "return a;",
    insert: null,
  },
  {
    name: "ts: trailing lines equal to the next lines are removed",
    lang: "typescript",
    doc: `function f() {\n  const a = load();\n  ${CURSOR}\n  save(a);\n  return a;\n}\n`,
    raw: "validate(a);\n  save(a);\n  return a;",
    insert: "validate(a);",
  },
  {
    name: "ts: a line that matches the next one only after trimming indentation is kept",
    lang: "typescript",
    doc: `function f(x: boolean) {\n  if (x) {\n    run();\n${CURSOR}\n}\n`,
    raw: "  }",
    insert: "  }",
  },
  {
    name: "js: closing paren of a call opened lines above, already on the next line",
    lang: "javascript",
    doc: `const sum = add(\n  1,\n  ${CURSOR}\n);\n`,
    raw: "2,\n  3)",
    insert: "2,\n  3",
    final: "const sum = add(\n  1,\n  2,\n  3\n);\n",
  },
  {
    name: "ts: completing the cursor line's statement does not run on into the next ones",
    lang: "typescript",
    doc: `const sum = add(\n  1,\n  2${CURSOR}\n);\n`,
    raw: ",\n  3)",
    insert: ",",
  },
  {
    name: "ts: closer on its own line for an inner block is not the document's outer closer",
    lang: "typescript",
    doc: `function f(x: boolean) {\n  if (x) {\n    run();\n  ${CURSOR}\n}\n`,
    raw: "}",
    insert: "}",
  },
  {
    name: "js: single-line completion ending with a closer the next line has",
    lang: "javascript",
    doc: `const sum = add(\n  1,\n  ${CURSOR}\n);\n`,
    raw: "2, 3)",
    insert: "2, 3",
  },
  {
    name: "python: next line already holds the completion's second line",
    lang: "python",
    doc: `def f(path):\n    with open(path) as fh:\n        ${CURSOR}\n        return data\n`,
    raw: "data = fh.read()\n        return data",
    insert: "data = fh.read()",
  },
  {
    name: "python: completion repeating the rest of the file is dropped",
    lang: "python",
    doc: `import os\n${CURSOR}\nimport sys\nprint(sys.argv)\n`,
    raw: "import sys\nprint(sys.argv)",
    insert: null,
  },

  // ---------------------------------------------------------------- structure-breaking closers
  {
    name: "ts: wrong closer for the bracket open on the line is cut",
    lang: "typescript",
    doc: `const v = matrix[row${CURSOR}`,
    raw: "][col));",
    insert: "][col",
  },
  {
    name: "ts: closer mismatching the completion's own opener is cut",
    lang: "typescript",
    doc: `const v = ${CURSOR}\n`,
    raw: "compute(a, [b, c));",
    insert: "compute(a, [b, c",
  },
  {
    name: "ts: brackets inside strings and comments are ignored",
    lang: "typescript",
    doc: `const re = "(";  // (\nconst s = f(${CURSOR})\n`,
    raw: `"]", x)`,
    insert: `"]", x)`,
    replace: 1,
  },

  // ---------------------------------------------------------------- degenerate repetition
  {
    name: "ts: the same line repeated",
    lang: "typescript",
    doc: `function f() {\n  ${CURSOR}\n}\n`,
    raw: "init();\n  init();\n  init();\n  init();\n  init();\n  init",
    insert: "init();",
  },
  {
    name: "python: a block of lines repeated",
    lang: "python",
    doc: `def f(xs):\n    ${CURSOR}`,
    raw: "for x in xs:\n        print(x)\n        log(x)\n    for x in xs:\n        print(x)\n        log(x)\n    for x in xs:\n        print(x)\n        log(x)\n    for x in xs:\n        pri",
    insert: "for x in xs:\n        print(x)\n        log(x)",
  },
  {
    name: "js: a line ending in a repeated n-gram is dropped",
    lang: "javascript",
    doc: `const xs = [\n  ${CURSOR}\n];\n`,
    raw: "1, 2, 3,\n  4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4",
    insert: "1, 2, 3,",
  },
  {
    name: "js: a single degenerate line is dropped",
    lang: "javascript",
    doc: `const s = ${CURSOR}\n`,
    raw: "foo.bar.foo.bar.foo.bar.foo.bar.foo.bar.foo.bar.foo.bar.foo.bar",
    insert: null,
  },
  {
    name: "ts: an enumeration is not repetition",
    lang: "typescript",
    doc: `function f(xs: number[]) {\n  ${CURSOR}\n}\n`,
    raw: "xs.push(1);\n  xs.push(2);\n  xs.push(3);\n  xs.push(4);\n  xs.push(5);",
    insert: "xs.push(1);\n  xs.push(2);\n  xs.push(3);\n  xs.push(4);\n  xs.push(5);",
  },
  {
    name: "ts: a divider comment is not repetition",
    lang: "typescript",
    doc: `${CURSOR}\n`,
    raw: "// ==================================================",
    insert: "// ==================================================",
  },

  // ---------------------------------------------------------------- more realistic scenes (some after Tabby's golden files)
  {
    name: "ts: mid-line type annotation, completion runs on through the line suffix (Tabby duplicated_line_suffix)",
    lang: "typescript",
    doc: `const log = ({ ok }: { ok:${CURSOR} }) => {\n  console.log(ok);\n}\n`,
    raw: " boolean }) => { ",
    insert: " boolean }) => {",
    replace: 8,
    final: "const log = ({ ok }: { ok: boolean }) => {\n  console.log(ok);\n}\n",
  },
  {
    name: "js: callback body between `{` and auto-closed `})` (Tabby replace_range javascript_01)",
    lang: "javascript",
    doc: `const stream = process.stdin;\nstream.on('data', (data) => {${CURSOR}})\n`,
    raw: "\n  console.log(data.toString());\n});",
    insert: "\n  console.log(data.toString());\n});",
    replace: 2,
    final: "const stream = process.stdin;\nstream.on('data', (data) => {\n  console.log(data.toString());\n});\n",
  },
  {
    name: "ts: method body inside a class is left as is (Tabby limit_scope typescript_01)",
    lang: "typescript",
    doc: `export class Foo {\n  private _foo: number;\n\n  update(value): Foo {\n    ${CURSOR}\n  }\n\n  get foo(): number {\n    return this._foo;\n  }\n}\n`,
    raw: "this._foo = value;\n    return this;",
    insert: "this._foo = value;\n    return this;",
  },
  {
    name: "ts: completion that only re-types the rest of the line is dropped",
    lang: "typescript",
    doc: `class Foo {\n  update(value) {\n    this._foo =${CURSOR} value;\n  }\n}\n`,
    raw: " value;\n    return this;",
    insert: null,
  },
  {
    name: "python: constructor body stops at the next method",
    lang: "python",
    doc: `class User:\n    def __init__(self, name):\n        ${CURSOR}\n`,
    raw: `self.name = name\n        self.created = now()\n\n    def greet(self):\n        return f"hi {self.name}"`,
    insert: "self.name = name\n        self.created = now()",
  },
  {
    name: "js: route handler, the document already has `});`",
    lang: "javascript",
    doc: `app.get("/", (req, res) => {\n  ${CURSOR}\n});\n`,
    raw: `res.send("ok");\n});\n\napp.listen(3000);`,
    insert: `res.send("ok");`,
  },
  {
    name: "ts: interface members, closing brace already there",
    lang: "typescript",
    doc: `interface User {\n  id: string;\n  ${CURSOR}\n}\n`,
    raw: "name: string;\n  email: string;\n}",
    insert: "name: string;\n  email: string;",
  },
  {
    name: "python: call arguments before an auto-closed paren",
    lang: "python",
    doc: `result = compute(${CURSOR})\n`,
    raw: "x, y)",
    insert: "x, y)",
    replace: 1,
  },
  {
    name: "python: brackets inside a string being typed are text",
    lang: "python",
    doc: `msg = "Hello, ${CURSOR}\n`,
    raw: `world (and friends)"`,
    insert: `world (and friends)"`,
  },
  {
    name: "python: an apostrophe in a comment does not open a string",
    lang: "python",
    doc: `# don't panic\nxs = [${CURSOR}]\n`,
    raw: "1, 2, 3]",
    insert: "1, 2, 3]",
    replace: 1,
  },
  {
    name: "go: tab-indented body, closing brace already there",
    lang: "go",
    doc: `func main() {\n\t${CURSOR}\n}\n`,
    raw: `fmt.Println("hi")\n}\n\nfunc other() {`,
    insert: `fmt.Println("hi")`,
  },
  {
    name: "rust: closing bracket and semicolon already on the line",
    lang: "rust",
    doc: `fn main() {\n    let v = vec![${CURSOR}];\n}\n`,
    raw: "1, 2, 3];",
    insert: "1, 2, 3];",
    replace: 2,
    final: "fn main() {\n    let v = vec![1, 2, 3];\n}\n",
  },
  {
    name: "rust: a lifetime quote does not derail the scope",
    lang: "rust",
    doc: `fn first<'a>(x: &'a str) -> &'a str {\n    ${CURSOR}\n}\n`,
    raw: "x\n}",
    insert: "x",
  },

  // ---------------------------------------------------------------- whitespace and empties
  {
    name: "ts: trailing spaces and blank lines are trimmed",
    lang: "typescript",
    doc: `function f() {\n  ${CURSOR}\n}\n`,
    raw: "const a = 1;   \n  return a;  \n\n\n",
    insert: "const a = 1;\n  return a;",
  },
  {
    name: "ts: no double space after the line prefix's space",
    lang: "typescript",
    doc: `const x = ${CURSOR}\n`,
    raw: "  42;",
    insert: "42;",
  },
  {
    name: "ts: whitespace-only completion is dropped",
    lang: "typescript",
    doc: `function f() {\n  ${CURSOR}\n}\n`,
    raw: "   \n\n  ",
    insert: null,
  },
  {
    name: "ts: completion that only re-types the line suffix is dropped",
    lang: "typescript",
    doc: `foo(${CURSOR});\n`,
    raw: ");",
    insert: null,
  },
  {
    name: "ts: CRLF output is normalised",
    lang: "typescript",
    doc: `function f() {\r\n  ${CURSOR}\r\n}\r\n`,
    raw: "const a = 1;\r\n  return a;\r\n}",
    insert: "const a = 1;\n  return a;",
  },
  {
    name: "ts: leaked control token text ends the completion",
    lang: "typescript",
    doc: `const a = ${CURSOR}\n`,
    raw: "1;<|file_sep|>src/other.ts\nexport {}",
    insert: "1;",
    stopTexts: ["<|file_sep|>", "<|endoftext|>"],
  },
  {
    name: "markdown: prose keeps its lines (no indentation scope)",
    lang: "markdown",
    doc: `# Title\n\n${CURSOR}`,
    raw: "Some text.\nMore text.",
    insert: "Some text.\nMore text.",
  },
];
