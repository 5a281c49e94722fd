/**
 * Builds {@link ModelFacts} from plain GGUF metadata (as returned by node-llama-cpp's `readGgufFileInfo(...).metadata`,
 * nested objects, or a flat `{ "tokenizer.ggml.tokens": [...] }` map). Pure: this module must not import
 * node-llama-cpp; the server passes the metadata object in.
 */
import type { ModelFacts } from "./fimTypes";

type FimTokenRole = keyof ModelFacts["metadataFimTokens"];

/** GGUF keys naming FIM tokens, newest first (llama.cpp reads the `fim_*` keys, older files carry the others). */
const FIM_TOKEN_KEYS: ReadonlyArray<readonly [FimTokenRole, readonly string[]]> = [
  ["prefix", ["tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id"]],
  ["suffix", ["tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id"]],
  ["middle", ["tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id"]],
  ["pad", ["tokenizer.ggml.fim_pad_token_id"]],
  ["repo", ["tokenizer.ggml.fim_rep_token_id"]],
  ["separator", ["tokenizer.ggml.fim_sep_token_id"]],
];

/**
 * Reads `a.b.c` from either nested objects (`{a: {b: {c}}}`), a flat map (`{"a.b.c": …}`) or a mix of both
 * (`{"a.b": {c}}`).
 */
export function readMetadataValue(metadata: unknown, dottedKey: string): unknown {
  return readPath(metadata, dottedKey.split("."), 0);
}

function readPath(node: unknown, parts: readonly string[], from: number): unknown {
  if (from >= parts.length) return node;
  if (node === null || typeof node !== "object") return undefined;
  const record = node as Record<string, unknown>;
  // Longest key first, so a flat "tokenizer.ggml.tokens" wins over a partial nested match.
  for (let to = parts.length; to > from; to--) {
    const key = parts.slice(from, to).join(".");
    if (Object.prototype.hasOwnProperty.call(record, key)) {
      const found = readPath(record[key], parts, to);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function asTokenId(value: unknown, vocabSize: number): number | undefined {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (typeof value === "bigint") n = Number(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n >= vocabSize) return undefined;
  return n;
}

function baseName(fileName: string): string {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  return last.replace(/\.gguf$/i, "");
}

export interface ModelFactsInit {
  readonly architecture?: string | undefined;
  readonly name?: string | undefined;
  /** The vocabulary's token texts, in id order (only membership matters). */
  readonly tokens: readonly string[];
  readonly metadataFimTokens?: ModelFacts["metadataFimTokens"];
}

/** ModelFacts from plain data. The token set is built lazily, on the first `hasToken` call. */
export function createModelFacts(init: ModelFactsInit): ModelFacts {
  let set: Set<string> | undefined;
  const tokens = init.tokens;
  return {
    architecture: init.architecture,
    name: init.name,
    metadataFimTokens: Object.freeze({ ...(init.metadataFimTokens ?? {}) }),
    hasToken(textToFind: string): boolean {
      if (set === undefined) set = new Set(tokens);
      return set.has(textToFind);
    },
  };
}

/**
 * The resolver's facts from GGUF metadata: `general.architecture`, `general.name` (else `general.basename`, else the
 * file name without `.gguf`), the vocabulary `tokenizer.ggml.tokens`, and the texts of the FIM tokens that the metadata
 * names by id (`tokenizer.ggml.fim_{pre,suf,mid,pad,rep,sep}_token_id`, falling back to the older
 * `tokenizer.ggml.{prefix,suffix,middle}_token_id`). Ids outside the vocabulary are ignored.
 * `fallbackName` (a file name or path; directories and ".gguf" are stripped) is used when the metadata has no name.
 */
export function modelFactsFromGgufMetadata(metadata: unknown, fallbackName?: string): ModelFacts {
  const rawTokens = readMetadataValue(metadata, "tokenizer.ggml.tokens");
  const tokens: readonly string[] = Array.isArray(rawTokens) ? (rawTokens as unknown[]).map((t) => (typeof t === "string" ? t : "")) : [];
  const metadataFimTokens: { -readonly [K in FimTokenRole]?: string } = {};
  for (const [role, keys] of FIM_TOKEN_KEYS) {
    for (const key of keys) {
      const id = asTokenId(readMetadataValue(metadata, key), tokens.length);
      const tokenText = id === undefined ? undefined : tokens[id];
      if (tokenText) {
        metadataFimTokens[role] = tokenText;
        break;
      }
    }
  }
  const name =
    asString(readMetadataValue(metadata, "general.name")) ??
    asString(readMetadataValue(metadata, "general.basename")) ??
    (fallbackName ? baseName(fallbackName) : undefined);
  return createModelFacts({
    architecture: asString(readMetadataValue(metadata, "general.architecture")),
    name,
    tokens,
    metadataFimTokens,
  });
}
