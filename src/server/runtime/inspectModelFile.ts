import { open, stat, type FileHandle } from "node:fs/promises";
import * as path from "node:path";
import type { ModelFacts } from "../completion/fim/fimTypes";
import { modelFactsFromGgufMetadata } from "../completion/fim/modelFacts";
import { checkGgufHeader, type GgufHeaderFacts } from "./checkGgufHeader";
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
  // Before node-llama-cpp parses the header: it allocates whatever counts and lengths the header claims.
  await checkHeader(modelPath, size);

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

  const fallbackName = path.basename(modelPath, path.extname(modelPath));
  const facts = modelFactsFromGgufMetadata(fileInfo.metadata as unknown as Record<string, unknown>, fallbackName);
  return { path: modelPath, name: facts.name ?? fallbackName, facts, fileInfo };
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

/**
 * Opens the file (a file that exists but cannot be read gets its own message) and checks its signature and
 * header against its size, reading only the header's bytes.
 */
async function checkHeader(modelPath: string, size: number): Promise<GgufHeaderFacts> {
  let handle: FileHandle;
  try {
    handle = await open(modelPath, "r");
  } catch (error) {
    throw unreadableFileError(modelPath, error);
  }
  try {
    const read = async (position: number, length: number): Promise<Uint8Array> => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    };
    if (Buffer.from(await read(0, 4)).toString("latin1") !== GGUF_MAGIC) {
      throw new ModelLoadError(
        "invalidModel",
        `${modelPath} is not a GGUF model file (it does not start with the GGUF signature). ` +
          "Pocket Coder needs a .gguf file, such as those in the \"-GGUF\" repositories of code models.",
      );
    }
    const checked = await checkGgufHeader({ size, read });
    if ("facts" in checked) return checked.facts;
    throw new ModelLoadError(
      "invalidModel",
      checked.problem.kind === "truncated"
        ? `${modelPath} is truncated: ${checked.problem.message}. The download was probably interrupted: download it again and check its size.`
        : `${modelPath} is not a valid GGUF file: ${checked.problem.message}. The file is damaged or was not written as GGUF: ` +
          "download it again, or choose another file.",
    );
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw unreadableFileError(modelPath, error);
  } finally {
    await handle.close();
  }
}

/** EACCES and EPERM say what to change; anything else says what happened. */
function unreadableFileError(modelPath: string, error: unknown): ModelLoadError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") {
    return new ModelLoadError(
      "unreadableModel",
      `The model file ${modelPath} cannot be read: permission denied. Let your user read it (e.g. chmod a+r), ` +
        "or choose another file with \"Select GGUF file…\".",
    );
  }
  return new ModelLoadError(
    "unreadableModel",
    `The model file ${modelPath} cannot be read (${errorText(error)}). Check the file or the disk it is on, ` +
      "or choose another file with \"Select GGUF file…\".",
  );
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
