import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nearestName, parseArgs, UsageError } from "../../src/server/commandLine/args";
import { forCommandLine } from "../../src/server/commandLine/commandLineWording";
import { offsetOf } from "../../src/server/commandLine/completeCommand";

describe("the CLI's arguments", () => {
  test("options with values, flags and positionals", () => {
    const args = parseArgs(["--model", "/m.gguf", "--gpu=cpu", "--verbose", "file.ts", "3:4"], ["model", "gpu"], ["verbose"]);
    assert.deepEqual([...args.options], [["model", "/m.gguf"], ["gpu", "cpu"]]);
    assert.deepEqual([...args.flags], ["verbose"]);
    assert.deepEqual(args.positionals, ["file.ts", "3:4"]);
    assert.throws(() => parseArgs(["--model"], ["model"], []), UsageError);
  });

  test("an unknown option is rejected with the nearest known name", () => {
    assert.deepEqual([...parseArgs(["--verbose"], ["model"], ["verbose"]).flags], ["verbose"]);
    assert.throws(() => parseArgs(["--modle", "/m.gguf"], ["model"], ["verbose"]), /^UsageError: Unknown option --modle\. Did you mean --model\?$/);
    assert.throws(() => parseArgs(["--gpu=cpu"], ["model"], ["verbose"]), /Unknown option --gpu\.$/);
    assert.equal(nearestName("no-sped", ["no-speed", "verbose"]), "no-speed");
    assert.equal(nearestName("threds", ["threads"]), "threads");
    assert.equal(nearestName("colour", ["model", "gpu"]), undefined);
  });

  test("the engine's messages in the command line's words", () => {
    assert.equal(
      forCommandLine("No model is configured. Choose a GGUF code model file (for example X) with \"Select GGUF file…\" or set pocketCoder.model.path."),
      "No model is configured. Choose a GGUF code model file (for example X): pass --model FILE.",
    );
    assert.equal(forCommandLine("/m is not a file. Point pocketCoder.model.path at a .gguf file."), "/m is not a file. Pass a .gguf file to --model.");
    assert.equal(forCommandLine("pocketCoder.threads must be a whole number."), "--threads must be a whole number.");
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
