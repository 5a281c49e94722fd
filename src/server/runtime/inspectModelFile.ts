import { open, stat } from "node:fs/promises";
import * as path from "node:path";
import type { ModelFacts } from "../completion/fim/fimTypes";
import { modelFactsFromGgufMetadata } from "../completion/fim/modelFacts";
import { ModelLoadError } from "./ModelLoadError";
import { importNodeLlamaCpp, type GgufFileInfo } from "./nodeLlamaCpp";

export interface InspectedModel {
  readonly path: string;
  readonly name: string;
  readonly facts: ModelFacts;
  readonly fileInfo: GgufFileInfo;
}

const GGUF_MAGIC = "GGUF";

/** Checks a model file and reads its metadata without loading weights; throws a ModelLoadError a person can act on. */
export async function inspectModelFile(modelPath: string): Promise<InspectedModel> {
  if (modelPath === "") {
    throw new ModelLoadError(
      "noModel",
      "No model is configured. Choose a GGUF code model file (for example Qwen2.5-Coder-1.5B base, Q8_0) " +
        "with \"Select GGUF file…\" or set pocketCoder.model.path.",
    );
  }
  if (!path.isAbsolute(modelPath)) {
    throw new ModelLoadError("modelNotFound", `pocketCoder.model.path must be an absolute path; got "${modelPath}".`);
  }
  const size = await fileSize(modelPath);
  if ((await readMagic(modelPath)) !== GGUF_MAGIC) {
    throw new ModelLoadError(
      "invalidModel",
      `${modelPath} is not a GGUF model file (it does not start with the GGUF signature). ` +
        "Pocket Coder needs a .gguf file, such as those in the \"-GGUF\" repositories of code models.",
    );
  }

  const { readGgufFileInfo } = await importNodeLlamaCpp();
  let fileInfo: GgufFileInfo;
  try {
    fileInfo = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false });
  } catch (error) {
    throw new ModelLoadError(
      "invalidModel",
      `${modelPath} could not be read as GGUF (${errorText(error)}). The file may be truncated or damaged: ` +
        "download it again and check its size.",
    );
  }
  if (size < minimumDataEnd(fileInfo)) {
    throw new ModelLoadError(
      "invalidModel",
      `${modelPath} is truncated: its tensor data ends early (${size} bytes on disk). ` +
        "The download was probably interrupted: download it again and check its size.",
    );
  }

  const fallbackName = path.basename(modelPath, path.extname(modelPath));
  const facts = modelFactsFromGgufMetadata(fileInfo.metadata as unknown as Record<string, unknown>, fallbackName);
  return { path: modelPath, name: facts.name ?? fallbackName, facts, fileInfo };
}

/** Where the last tensor's data starts in the file: a shorter file cannot hold its weights. */
function minimumDataEnd(fileInfo: GgufFileInfo): number {
  let lastStart = -1;
  for (const tensor of fileInfo.tensorInfo ?? []) {
    if (tensor.filePart === 1) lastStart = Math.max(lastStart, Number(tensor.fileOffset));
  }
  return lastStart + 1;
}

async function fileSize(modelPath: string): Promise<number> {
  try {
    const info = await stat(modelPath);
    if (!info.isFile()) throw new ModelLoadError("invalidModel", `${modelPath} is not a file. Point pocketCoder.model.path at a .gguf file.`);
    return info.size;
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(
      "modelNotFound",
      `The model file ${modelPath} does not exist or cannot be read (${errorText(error)}). ` +
        "Check pocketCoder.model.path or choose another file with \"Select GGUF file…\".",
    );
  }
}

async function readMagic(modelPath: string): Promise<string> {
  const handle = await open(modelPath, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
