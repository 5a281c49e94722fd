import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import type { InspectModelsParams, ModelFileInfo } from "../../shared/protocol";
import { readMetadataValue } from "../completion/fim/modelFacts";
import { resolveFimFamily } from "../completion/fim/resolveFimFamily";
import { errorText, inspectModelFile, type InspectedModel } from "./inspectModelFile";
import { ModelLoadError } from "./ModelLoadError";
import { importNodeLlamaCpp } from "./nodeLlamaCpp";

/** More files than anyone keeps in a models folder; bounds the work one request can cause. */
const MAX_FILES = 200;

export interface InspectedFiles {
  readonly models: readonly ModelFileInfo[];
  readonly directoryProblem?: string;
}

/** Reads the headers of the GGUF files in a folder (and its direct sub-folders) and/or of given files; never loads weights. */
export async function inspectModelFiles(params: InspectModelsParams): Promise<InspectedFiles> {
  const files = new Set<string>();
  let directoryProblem: string | undefined;
  const directory = params.directory?.trim() ?? "";
  if (directory !== "") {
    try {
      for (const file of await listGgufFiles(directory)) files.add(file);
    } catch (error) {
      directoryProblem = `The models folder ${directory} cannot be read (${errorText(error)}). ` +
        "Check pocketCoder.model.directory, or use Browse… to pick a file.";
    }
  }
  for (const file of params.files ?? []) files.add(file);
  const models: ModelFileInfo[] = [];
  for (const file of [...files].slice(0, MAX_FILES)) models.push(await describeModelFile(file));
  return { models, ...(directoryProblem === undefined ? {} : { directoryProblem }) };
}

/** `*.gguf` in `directory` and its direct sub-folders, sorted by file name; of split models only the first part. */
export async function listGgufFiles(directory: string): Promise<string[]> {
  if (!path.isAbsolute(directory)) throw new Error("the folder must be an absolute path");
  const found: string[] = [];
  const visit = async (folder: string, depth: number) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && depth === 0 && !entry.name.startsWith(".")) {
        await visit(full, 1).catch(() => undefined);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && /\.gguf$/i.test(entry.name) && !isLaterSplitPart(entry.name)) {
        found.push(full);
      }
    }
  };
  await visit(directory, 0);
  return found.sort((a, b) => path.basename(a).localeCompare(path.basename(b)) || a.localeCompare(b));
}

function isLaterSplitPart(fileName: string): boolean {
  const match = /-(\d{5})-of-\d{5}\.gguf$/i.exec(fileName);
  return match !== null && match[1] !== "00001";
}

/** Everything the model picker shows about one file; problems become text, never exceptions. */
export async function describeModelFile(filePath: string): Promise<ModelFileInfo> {
  const fileName = path.basename(filePath);
  const sizeBytes = await stat(filePath).then((info) => info.size, () => 0);
  let inspected: InspectedModel;
  try {
    inspected = await inspectModelFile(filePath);
  } catch (error) {
    const problem = error instanceof ModelLoadError ? error.message : `${filePath} cannot be read: ${errorText(error)}`;
    return { path: filePath, fileName, sizeBytes, name: fileName, canComplete: false, canChat: false, problem };
  }

  const metadata = inspected.fileInfo.metadata;
  const fim = resolveFimFamily(inspected.facts);
  const template = readMetadataValue(metadata, "tokenizer.chat_template");
  const canChat = typeof template === "string" && template.trim() !== "";
  const architecture = inspected.facts.architecture;
  const contextLength = architecture === undefined ? undefined : readMetadataValue(metadata, `${architecture}.context_length`);
  const parameters = parameterLabel(metadata, inspected);
  const quantization = await quantizationOf(metadata);
  const chatTemplate = canChat ? await chatTemplateName(inspected) : undefined;
  return {
    path: filePath,
    fileName,
    sizeBytes,
    name: inspected.name,
    ...(architecture === undefined ? {} : { architecture }),
    ...(parameters === undefined ? {} : { parameters }),
    ...(quantization === undefined ? {} : { quantization }),
    ...(fim === undefined ? {} : { fimFamily: fim.label }),
    canComplete: fim !== undefined,
    canChat,
    ...(chatTemplate === undefined ? {} : { chatTemplate }),
    ...(typeof contextLength === "number" ? { trainContextSize: contextLength } : {}),
    ...(fim === undefined
      ? {
        completionProblem: "It has no fill-in-the-middle (FIM) tokens, so it cannot do inline completion" +
          (canChat ? " (it is a chat/instruct model: usable for Explain only)." : "."),
      }
      : {}),
  };
}

/** "Q8_0", "Q4_K_M", "F16", from `general.file_type`. */
async function quantizationOf(metadata: unknown): Promise<string | undefined> {
  const fileType = readMetadataValue(metadata, "general.file_type");
  if (typeof fileType !== "number") return undefined;
  const { GgufFileType } = await importNodeLlamaCpp();
  const name = (GgufFileType as unknown as Record<number, string | undefined>)[fileType];
  return name === undefined ? `type ${fileType}` : name.replace(/^(MOSTLY|ALL)_/, "");
}

/** `general.size_label` ("1.5B"), else the weights counted from the tensor shapes. */
function parameterLabel(metadata: unknown, inspected: InspectedModel): string | undefined {
  const label = readMetadataValue(metadata, "general.size_label");
  if (typeof label === "string" && label.trim() !== "") return label.trim();
  let count = 0;
  for (const tensor of inspected.fileInfo.tensorInfo ?? []) {
    count += tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
  }
  if (count <= 0) return undefined;
  if (count >= 1e9) return `${(count / 1e9).toFixed(1).replace(/\.0$/, "")}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}

/** The chat format node-llama-cpp recognises in the file's template, e.g. "ChatML"; "Jinja template" when it is only run as a template. */
async function chatTemplateName(inspected: InspectedModel): Promise<string | undefined> {
  try {
    const { resolveChatWrapper } = await importNodeLlamaCpp();
    const wrapper = resolveChatWrapper({ type: "auto", fileInfo: inspected.fileInfo, filename: inspected.path, warningLogs: false });
    if (wrapper === null) return "unrecognised template";
    return wrapper.wrapperName === "JinjaTemplate" ? "Jinja template" : wrapper.wrapperName;
  } catch {
    return "unrecognised template";
  }
}
