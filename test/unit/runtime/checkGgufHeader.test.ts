import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkGgufHeader, type ByteSource } from "../../../src/server/runtime/checkGgufHeader";
import { fimModel } from "../../fixtures/fixtureModels";

/** An in-memory file that counts the bytes read from it. */
function sourceOf(bytes: Buffer, size = bytes.length): ByteSource & { bytesRead: number } {
  const source = {
    size,
    bytesRead: 0,
    read: async (position: number, length: number) => {
      const slice = bytes.subarray(position, Math.min(position + length, bytes.length));
      source.bytesRead += slice.length;
      return slice;
    },
  };
  return source;
}

const u32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
const u64 = (value: bigint | number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(value)); return b; };
const str = (text: string) => Buffer.concat([u64(Buffer.byteLength(text)), Buffer.from(text)]);
const header = (tensors: bigint | number, entries: bigint | number, version = 3) => Buffer.concat([Buffer.from("GGUF"), u32(version), u64(tensors), u64(entries)]);
/** A header followed by zeros up to `size` bytes, like a crafted 14 MB file. */
const padded = (head: Buffer, size: number) => Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length))]);
const FOURTEEN_MB = 14 * 1024 * 1024;

async function problemOf(bytes: Buffer): Promise<{ kind: string; message: string; bytesRead: number }> {
  const source = sourceOf(bytes);
  const result = await checkGgufHeader(source);
  assert.ok("problem" in result, `accepted: ${JSON.stringify("facts" in result ? result.facts : undefined)}`);
  return { ...result.problem, bytesRead: source.bytesRead };
}

describe("checkGgufHeader", () => {
  let model: Buffer;

  before(async () => {
    model = fs.readFileSync(await fimModel(path.join(os.tmpdir(), "pocket-coder-header-tests")));
  });

  test("a valid model: its counts, and the data ends within the file", async () => {
    const result = await checkGgufHeader(sourceOf(model));
    assert.ok("facts" in result);
    assert.equal(result.facts.version, 3);
    assert.equal(result.facts.tensorCount, 3 + 2 * 9);
    assert.ok(result.facts.metadataCount > 20);
    assert.ok(result.facts.dataEnd <= model.length && model.length - result.facts.dataEnd < 32, `${result.facts.dataEnd} of ${model.length}`);
  });

  test("a file cut inside its last tensor is truncated, naming the tensor", async () => {
    const problem = await problemOf(model.subarray(0, model.length - 100));
    assert.equal(problem.kind, "truncated");
    assert.match(problem.message, /tensor blk\.1\.ffn_down\.weight ends at byte \d+, past the end of the file/);
  });

  test("claimed counts and lengths larger than the file are refused after reading only the header", async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ["tensor count", header(1_000_000, 0), /tensor count is 1000000, more than/],
      ["tensor count near 2^64", header(2n ** 64n - 1n, 0), /tensor count is 18446744073709551615/],
      ["metadata count", header(0, 10n ** 9n), /metadata entry count is 1000000000/],
      ["key length", Buffer.concat([header(0, 1), u64(2n ** 40n)]), /length of metadata key 0 is 1099511627776/],
      ["string value", Buffer.concat([header(0, 1), str("k"), u32(8), u64(2n ** 40n)]), /length of k is 1099511627776/],
      ["array of numbers", Buffer.concat([header(0, 1), str("k"), u32(9), u32(4), u64(10n ** 9n)]), /length of k is 1000000000/],
      ["array of strings", Buffer.concat([header(0, 1), str("k"), u32(9), u32(8), u64(2_000_000)]), /length of k is 2000000/],
      ["tensor name", Buffer.concat([header(1, 0), u64(2n ** 50n)]), /length of the name of tensor 0/],
    ];
    for (const [name, head, message] of cases) {
      const problem = await problemOf(padded(head, FOURTEEN_MB));
      assert.equal(problem.kind, "corrupt", name);
      assert.match(problem.message, message, name);
      assert.ok(problem.bytesRead <= 128 * 1024, `${name}: read ${problem.bytesRead} bytes`);
    }
  });

  test("malformed headers are refused with what is wrong", async () => {
    const tensor = (dims: Array<number | bigint>, type: number, offset: number) =>
      Buffer.concat([str("t.weight"), u32(dims.length), ...dims.map(u64), u32(type), u64(offset)]);
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from("GGML0000"), /GGUF signature/],
      [header(0, 0, 1), /version 1 is not supported/],
      [Buffer.concat([header(0, 1), str("general.alignment"), u32(4), u32(24)]), /alignment is 24/],
      [Buffer.concat([header(0, 1), str("k"), u32(13), u32(0)]), /unknown type 13/],
      [Buffer.concat([header(1, 0), tensor([], 0, 0)]), /0 dimensions/],
      [Buffer.concat([header(1, 0), tensor([1, 1, 1, 1, 1], 0, 0)]), /5 dimensions/],
      [Buffer.concat([header(1, 0), tensor([4], 0, 8)]), /not aligned/],
      [Buffer.concat([header(1, 0), tensor([33], 8, 0)]), /not whole blocks/],
      [Buffer.concat([header(1, 0), tensor([2n ** 40n], 0, 0)]), /ends at byte/],
      [Buffer.concat([header(2, 0), tensor([4], 0, 0)]), /tensor 1 has no name/],
    ];
    for (const [bytes, message] of cases) {
      const problem = await problemOf(padded(bytes, 4096));
      assert.match(problem.message, message);
    }
  });
});
