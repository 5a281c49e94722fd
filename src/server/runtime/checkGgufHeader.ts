/**
 * Checks a GGUF file's header against the file's size before anything else parses it. GGUF headers state
 * counts and lengths (tensors, metadata entries, strings, arrays) that a parser allocates for, so a crafted
 * 14 MB file can make one allocate gigabytes. This walks the header with a small read window, allocating
 * nothing in proportion to what the header claims: every count times the least bytes its entries can take
 * must fit in what is left of the file, and every tensor's data must end inside it. Pure: reads through
 * the ByteSource it is given.
 */

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
}

export type GgufHeaderProblem =
  /** The header is malformed or claims more than the file holds. */
  | { readonly kind: "corrupt"; readonly message: string }
  /** The header is sound but the tensor data it describes runs past the end of the file. */
  | { readonly kind: "truncated"; readonly message: string };

export interface GgufHeaderFacts {
  readonly version: number;
  readonly tensorCount: number;
  readonly metadataCount: number;
  /** Where the tensor data starts (the header's end, aligned). */
  readonly dataStart: number;
  /** Where the last tensor's data ends; the file must be at least this long. */
  readonly dataEnd: number;
}

const WINDOW_BYTES = 64 * 1024;
const GGML_MAX_DIMS = 4;
const DEFAULT_ALIGNMENT = 32;
const MAX_ARRAY_NESTING = 4;

const ValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;
const FIXED_VALUE_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
/** The fewest bytes a value of each type can take: a string is at least its length, an array its type and count. */
const minimumValueBytes = (type: number): number => FIXED_VALUE_BYTES[type] ?? (type === ValueType.STRING ? 8 : 12);
/** A metadata entry: key length, a one-byte key, the type, a one-byte value. */
const MIN_METADATA_BYTES = 8 + 1 + 4 + 1;
/** A tensor entry: name length, a one-byte name, the dimension count, one dimension, the type, the offset. */
const MIN_TENSOR_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

/** ggml's [elements per block, bytes per block] of each tensor type GGUF files use (ggml.c type_traits). */
const GGML_TYPE_SIZES: Record<number, readonly [number, number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82], 23: [256, 136],
  24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2], 34: [256, 54], 35: [256, 66], 39: [32, 17],
};

class HeaderError extends Error {
  constructor(readonly kind: GgufHeaderProblem["kind"], message: string) {
    super(message);
  }
}

/** Reads forward through the file one window at a time. */
class Cursor {
  position = 0;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(private readonly source: ByteSource) {}

  get remaining(): number {
    return this.source.size - this.position;
  }

  async bytes(count: number, what: string): Promise<Uint8Array> {
    if (count > this.remaining) throw new HeaderError("corrupt", `${what} runs past the end of the file`);
    const offset = this.position - this.windowStart;
    if (offset < 0 || offset + count > this.window.length) {
      this.window = await this.source.read(this.position, Math.max(count, WINDOW_BYTES));
      this.windowStart = this.position;
      if (this.window.length < count) throw new HeaderError("corrupt", `${what} runs past the end of the file`);
    }
    const start = this.position - this.windowStart;
    this.position += count;
    return this.window.subarray(start, start + count);
  }

  skip(count: number, what: string): void {
    if (count > this.remaining) throw new HeaderError("corrupt", `${what} runs past the end of the file`);
    this.position += count;
  }

  async u32(what: string): Promise<number> {
    const bytes = await this.bytes(4, what);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  async u64(what: string): Promise<bigint> {
    const bytes = await this.bytes(8, what);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  }

  /** A count or length that must fit `minimumBytes` each in the rest of the file. */
  async count(what: string, minimumBytes: number): Promise<number> {
    const value = await this.u64(what);
    if (value * BigInt(minimumBytes) > BigInt(this.remaining)) {
      throw new HeaderError("corrupt", `${what} is ${value}, more than the ${this.remaining} bytes left in the file can hold`);
    }
    return Number(value);
  }

  async string(what: string): Promise<string> {
    const length = await this.count(`the length of ${what}`, 1);
    return new TextDecoder().decode(await this.bytes(length, what));
  }

  async skipString(what: string): Promise<void> {
    this.skip(await this.count(`the length of ${what}`, 1), what);
  }
}

/** Checks the header; returns its facts or the problem, never throws for a bad file (only for a failing read). */
export async function checkGgufHeader(source: ByteSource): Promise<{ facts: GgufHeaderFacts } | { problem: GgufHeaderProblem }> {
  try {
    return { facts: await walkHeader(new Cursor(source), source.size) };
  } catch (error) {
    if (error instanceof HeaderError) return { problem: { kind: error.kind, message: error.message } };
    throw error;
  }
}

async function walkHeader(cursor: Cursor, fileSize: number): Promise<GgufHeaderFacts> {
  const magic = new TextDecoder("latin1").decode(await cursor.bytes(4, "the GGUF signature"));
  if (magic !== "GGUF") throw new HeaderError("corrupt", "it does not start with the GGUF signature");
  const version = await cursor.u32("the GGUF version");
  if (version !== 2 && version !== 3) throw new HeaderError("corrupt", `GGUF version ${version} is not supported (only 2 and 3 are)`);
  const tensorCountValue = await cursor.u64("the tensor count");
  const metadataCount = await cursor.count("the metadata entry count", MIN_METADATA_BYTES);
  if (tensorCountValue * BigInt(MIN_TENSOR_BYTES) + BigInt(metadataCount * MIN_METADATA_BYTES) > BigInt(cursor.remaining)) {
    throw new HeaderError("corrupt", `the tensor count is ${tensorCountValue}, more than the ${cursor.remaining} bytes left in the file can hold`);
  }
  const tensorCount = Number(tensorCountValue);

  let alignment = DEFAULT_ALIGNMENT;
  for (let index = 0; index < metadataCount; index++) {
    const key = await cursor.string(`metadata key ${index}`);
    const type = await cursor.u32(`the type of ${key}`);
    if (key === "general.alignment" && type === ValueType.UINT32) {
      alignment = await cursor.u32(key);
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new HeaderError("corrupt", `general.alignment is ${alignment}, not a power of two`);
    } else {
      await skipValue(cursor, type, key, 0);
    }
  }

  const tensors: Array<{ name: string; offset: bigint; bytes: bigint | undefined }> = [];
  for (let index = 0; index < tensorCount; index++) {
    const name = await cursor.string(`the name of tensor ${index}`);
    if (name === "") throw new HeaderError("corrupt", `tensor ${index} has no name`);
    const dimensionCount = await cursor.u32(`the dimension count of ${name}`);
    if (dimensionCount < 1 || dimensionCount > GGML_MAX_DIMS) throw new HeaderError("corrupt", `tensor ${name} has ${dimensionCount} dimensions`);
    let elements = 1n;
    let rowLength = 0n;
    for (let dimension = 0; dimension < dimensionCount; dimension++) {
      const length = await cursor.u64(`a dimension of ${name}`);
      if (dimension === 0) rowLength = length;
      elements *= length;
    }
    const type = await cursor.u32(`the type of ${name}`);
    const offset = await cursor.u64(`the data offset of ${name}`);
    if (offset % BigInt(alignment) !== 0n) throw new HeaderError("corrupt", `the data of tensor ${name} is not aligned to ${alignment} bytes`);
    const traits = GGML_TYPE_SIZES[type];
    let bytes: bigint | undefined;
    if (traits !== undefined) {
      const [blockElements, blockBytes] = traits;
      if (rowLength % BigInt(blockElements) !== 0n) throw new HeaderError("corrupt", `the rows of tensor ${name} are not whole blocks of its type`);
      bytes = (elements / BigInt(blockElements)) * BigInt(blockBytes);
    }
    tensors.push({ name, offset, bytes });
  }

  const dataStart = Math.ceil(cursor.position / alignment) * alignment;
  let dataEnd = BigInt(dataStart);
  for (const tensor of tensors) {
    // A type this table does not know (a newer ggml) is left to llama.cpp; its start must still be in the file.
    const end = BigInt(dataStart) + tensor.offset + (tensor.bytes ?? 1n);
    if (end > BigInt(fileSize)) {
      throw new HeaderError(
        "truncated",
        tensor.bytes === undefined
          ? `the data of tensor ${tensor.name} starts past the end of the file (${fileSize} bytes)`
          : `the data of tensor ${tensor.name} ends at byte ${end}, past the end of the file (${fileSize} bytes)`,
      );
    }
    if (end > dataEnd) dataEnd = end;
  }
  return { version, tensorCount, metadataCount, dataStart, dataEnd: Number(dataEnd) };
}

async function skipValue(cursor: Cursor, type: number, key: string, depth: number): Promise<void> {
  const fixed = FIXED_VALUE_BYTES[type];
  if (fixed !== undefined) {
    cursor.skip(fixed, key);
  } else if (type === ValueType.STRING) {
    await cursor.skipString(key);
  } else if (type === ValueType.ARRAY) {
    if (depth >= MAX_ARRAY_NESTING) throw new HeaderError("corrupt", `${key} nests arrays more than ${MAX_ARRAY_NESTING} deep`);
    const elementType = await cursor.u32(`the element type of ${key}`);
    if (elementType > ValueType.FLOAT64) throw new HeaderError("corrupt", `${key} has elements of unknown type ${elementType}`);
    const count = await cursor.count(`the length of ${key}`, minimumValueBytes(elementType));
    const elementBytes = FIXED_VALUE_BYTES[elementType];
    if (elementBytes !== undefined) {
      cursor.skip(count * elementBytes, key);
    } else {
      for (let index = 0; index < count; index++) await skipValue(cursor, elementType, key, depth + 1);
    }
  } else {
    throw new HeaderError("corrupt", `${key} has a value of unknown type ${type}`);
  }
}
