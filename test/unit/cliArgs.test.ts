import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../../src/server/commandLine/args";
import { offsetOf } from "../../src/server/commandLine/completeCommand";

describe("the CLI's arguments", () => {
  test("options with values, flags and positionals", () => {
    const args = parseArgs(["--model", "/m.gguf", "--gpu=cpu", "--verbose", "file.ts", "3:4"], ["model", "gpu"]);
    assert.deepEqual([...args.options], [["model", "/m.gguf"], ["gpu", "cpu"]]);
    assert.deepEqual([...args.flags], ["verbose"]);
    assert.deepEqual(args.positionals, ["file.ts", "3:4"]);
    assert.throws(() => parseArgs(["--model"], ["model"]), UsageError);
  });

  test("LINE:COL is 1-based and must be inside the text", () => {
    const text = "ab\r\ncd\n\nxyz";
    assert.equal(offsetOf(text, 1, 1), 0);
    assert.equal(offsetOf(text, 1, 3), 2);
    assert.equal(offsetOf(text, 2, 2), 5);
    assert.equal(offsetOf(text, 3, 1), 7);
    assert.equal(offsetOf(text, 4, 4), 11);
    assert.throws(() => offsetOf(text, 1, 4), /Line 1 has no column 4/);
    assert.throws(() => offsetOf(text, 5, 1), /fewer than 5 lines/);
    assert.throws(() => offsetOf(text, 0, 1), UsageError);
  });
});
