// What Explain Selection explains when nothing is selected (pure extension logic).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  describeTarget,
  indentationBlock,
  resolveExplainTarget,
  resolveProblemTarget,
  smallestEnclosingSymbol,
  titleOf,
  type SymbolLike,
} from "../../../src/extension/explain/explainTarget";

const TS = [
  "import { mul } from \"./math\";",            // 0
  "",                                           // 1
  "export class Scaler {",                      // 2
  "  constructor(private factor: number) {}",   // 3
  "",                                           // 4
  "  scale(values: number[]) {",                // 5
  "    const out = [];",                        // 6
  "    for (const v of values) {",              // 7
  "      out.push(mul(v, this.factor));",       // 8
  "    }",                                      // 9
  "    return out;",                            // 10
  "  }",                                        // 11
  "}",                                          // 12
  "",                                           // 13
  "const ANSWER = 42;",                         // 14
];

const range = (a: number, b: number, c: number, d: number) => ({ start: { line: a, character: b }, end: { line: c, character: d } });
const at = (line: number, character = 0) => range(line, character, line, character);

/** As a TypeScript document symbol provider reports them (DocumentSymbols, nested). */
const SYMBOLS: SymbolLike[] = [
  {
    name: "Scaler", range: range(2, 0, 12, 1), children: [
      { name: "constructor", range: range(3, 2, 3, 40) },
      { name: "factor", range: range(3, 14, 3, 36) },
      { name: "scale", range: range(5, 2, 11, 3), children: [{ name: "out", range: range(6, 10, 6, 18) }] },
    ],
  },
  { name: "ANSWER", range: range(14, 6, 14, 17) },
];

describe("explain target", () => {
  test("a selection is explained as it is", () => {
    const target = resolveExplainTarget({ lines: TS, selection: range(6, 4, 8, 10), symbols: SYMBOLS });
    assert.deepEqual(target, { kind: "selection", range: range(6, 4, 8, 10) });
  });

  test("no selection: the smallest multi-line symbol around the cursor, as whole lines", () => {
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(8, 10), symbols: SYMBOLS }), {
      kind: "symbol", name: "scale", range: range(5, 0, 11, 3),
    });
    // On the one-line constructor, the class is the smallest multi-line symbol.
    assert.equal(resolveExplainTarget({ lines: TS, selection: at(3, 5), symbols: SYMBOLS })?.name, "Scaler");
  });

  test("flat SymbolInformation lists work too", () => {
    const flat: SymbolLike[] = [
      { name: "Scaler", location: { range: range(2, 0, 12, 1) } },
      { name: "scale", location: { range: range(5, 2, 11, 3) } },
    ];
    assert.equal(smallestEnclosingSymbol(flat, { line: 7, character: 0 })?.name, "scale");
  });

  test("without symbols: the indentation block, else the line", () => {
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(8, 3), symbols: [] }), { kind: "block", range: range(7, 0, 9, 5) });
    // On a block's first line: that block, with its closing bracket.
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(5), symbols: [] }), { kind: "block", range: range(5, 0, 11, 3) });
    // A top-level line that opens nothing: the line itself.
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(14, 3), symbols: [] }), { kind: "line", range: range(14, 0, 14, 18) });
    // On a blank line: the nearest code; a closing bracket stands for the block it closes.
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(13), symbols: [] }), { kind: "block", range: range(2, 0, 12, 1) });
    assert.deepEqual(resolveExplainTarget({ lines: TS, selection: at(9, 4), symbols: [] }), { kind: "block", range: range(7, 0, 9, 5) });
  });

  test("Python blocks by indentation", () => {
    const py = ["def add(a, b):", "    total = a + b", "", "    return total", "", "print(add(1, 2))"];
    assert.deepEqual(indentationBlock(py, 1), { first: 0, last: 3 });
    assert.deepEqual(indentationBlock(py, 0), { first: 0, last: 3 });
    assert.equal(indentationBlock(py, 5), undefined);
  });

  test("an empty or blank document has nothing to explain; a whitespace selection falls back to the cursor", () => {
    assert.equal(resolveExplainTarget({ lines: [""], selection: at(0), symbols: [] }), undefined);
    assert.equal(resolveExplainTarget({ lines: ["  ", "", "\t"], selection: range(0, 0, 2, 1), symbols: [] }), undefined);
    assert.equal(resolveExplainTarget({ lines: TS, selection: range(12, 1, 12, 1), symbols: SYMBOLS })?.name, "Scaler");
    assert.equal(resolveExplainTarget({ lines: TS, selection: range(1, 0, 1, 0), symbols: [] })?.kind, "line");
  });

  test("a problem: the enclosing symbol when short, else the lines around it", () => {
    assert.deepEqual(resolveProblemTarget(TS, range(8, 15, 8, 18), SYMBOLS), { kind: "symbol", name: "scale", range: range(5, 0, 11, 3) });
    assert.deepEqual(resolveProblemTarget(TS, range(8, 15, 8, 18), SYMBOLS, 5), { kind: "block", range: range(7, 0, 9, 5) });
    assert.deepEqual(resolveProblemTarget(TS, range(8, 15, 8, 18), [], 2), { kind: "block", range: range(5, 0, 11, 3) });
  });

  test("panel header", () => {
    assert.equal(describeTarget("src/scale.ts", range(5, 0, 11, 3), "typescript"), "src/scale.ts · lines 6–12 · typescript");
    assert.equal(describeTarget("a.py", range(2, 0, 3, 0), "python"), "a.py · line 3 · python");
    assert.equal(titleOf({ kind: "symbol", name: "scale", range: at(0) }), "Explain `scale`");
    assert.equal(titleOf({ kind: "line", range: at(14) }), "Explain line 15");
  });
});
