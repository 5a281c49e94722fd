/**
 * node-llama-cpp is ESM-only and loads a native binding: import it lazily, once, with a real
 * dynamic import (the server bundle is CommonJS).
 */
import type * as NodeLlamaCpp from "node-llama-cpp" with { "resolution-mode": "import" };

export type NodeLlamaCppModule = typeof NodeLlamaCpp;
export type { Llama, LlamaModel, LlamaContext, LlamaContextSequence, Token, GgufFileInfo } from "node-llama-cpp" with { "resolution-mode": "import" };

let loading: Promise<NodeLlamaCppModule> | undefined;

export function importNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  loading ??= import("node-llama-cpp");
  return loading;
}
