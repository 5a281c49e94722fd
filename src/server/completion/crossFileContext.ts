import type { ContextFile } from "./fim/fimTypes";

export interface OpenFile {
  readonly uri: string;
  /** Workspace-relative path. */
  readonly path: string;
  readonly languageId: string;
  readonly text: string;
  /** When the user last edited or focused it (ms); larger = more recent. */
  readonly lastUsedAt: number;
}

export interface CrossFileBudget {
  /** Characters of other files in the prompt, all chunks together. */
  readonly maxChars: number;
  /** Characters per file. */
  readonly maxCharsPerFile: number;
  /** Files larger than this are skipped (generated or minified code says little). */
  readonly maxFileChars: number;
}

export const DEFAULT_CROSS_FILE_BUDGET: CrossFileBudget = { maxChars: 3000, maxCharsPerFile: 1500, maxFileChars: 500_000 };

/**
 * Chunks of the other open files that share the current file's language, most recently used last
 * (nearest the cursor, where models attend most). The result depends only on the other files, so it
 * stays identical while the user types in the current one: the prompt's head, and so its KV cache, survives.
 */
export function selectCrossFileContext(current: { uri: string; languageId: string }, files: readonly OpenFile[], budget = DEFAULT_CROSS_FILE_BUDGET): ContextFile[] {
  const candidates = files
    .filter((file) => file.uri !== current.uri && file.languageId === current.languageId)
    .filter((file) => file.text.length <= budget.maxFileChars && !file.text.includes("\u0000") && file.text.trim() !== "")
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt);

  const chosen: ContextFile[] = [];
  const seen = new Set<string>();
  let used = 0;
  for (const file of candidates) {
    if (used >= budget.maxChars) break;
    const text = headOnLineBoundary(file.text, Math.min(budget.maxCharsPerFile, budget.maxChars - used));
    if (text.trim() === "" || seen.has(text)) continue;
    seen.add(text);
    chosen.push({ path: file.path, text });
    used += text.length;
  }
  return chosen.reverse();
}

/** The file's head (imports, declarations) cut at a line end within `maxChars`. */
function headOnLineBoundary(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text.endsWith("\n") ? text : `${text}\n`;
  const cut = text.lastIndexOf("\n", maxChars);
  return cut <= 0 ? "" : text.slice(0, cut + 1);
}
