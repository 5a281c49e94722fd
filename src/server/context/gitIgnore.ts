/**
 * Whether a file is git-ignored, read from the repository's own `.gitignore` files (every folder from the repository
 * root down to the file) and `.git/info/exclude`. Done in the server rather than through an editor's git integration
 * so that it works for every editor and client, for files git does not track yet, and without git installed; the
 * user's global excludes file (`core.excludesFile`) is not read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GlobRules } from "./globs";

export interface FileReader {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(filePath: string): string | undefined;
  exists(filePath: string): boolean;
}

export const diskReader: FileReader = {
  readText(filePath) {
    try {
      return fs.readFileSync(filePath, "utf8");
    } catch {
      return undefined;
    }
  },
  exists: (filePath) => fs.existsSync(filePath),
};

/** How long a folder's rules are trusted before the file is read again (edits to .gitignore apply after this). */
const RULES_TTL_MS = 5_000;

export class GitIgnoreIndex {
  private readonly roots = new Map<string, { root: string | undefined; at: number }>();
  private readonly rules = new Map<string, { rules: GlobRules | undefined; at: number }>();

  constructor(private readonly reader: FileReader = diskReader, private readonly now: () => number = Date.now) {}

  /** Whether an absolute file path is ignored by the git repository that holds it (false outside a repository). */
  isIgnored(filePath: string): boolean {
    const root = this.repositoryRoot(path.dirname(filePath));
    if (root === undefined) return false;
    const relative = path.relative(root, filePath).split(path.sep).join("/");
    if (relative === "" || relative.startsWith("../")) return false;
    const parts = relative.split("/");
    if (parts[0] === ".git") return true;
    const infoExclude = this.rulesAt(path.join(root, ".git", "info"), "exclude");
    for (let length = 1; length <= parts.length; length++) {
      const candidate = parts.slice(0, length).join("/");
      const isDirectory = length < parts.length;
      let decision = infoExclude?.decide(candidate, isDirectory);
      // Deeper .gitignore files take precedence: read from the root down.
      for (let depth = 0; depth < length; depth++) {
        const folder = path.join(root, ...parts.slice(0, depth));
        const decided = this.rulesAt(folder, ".gitignore")?.decide(parts.slice(depth, length).join("/"), isDirectory);
        if (decided !== undefined) decision = decided;
      }
      if (decision === true) return true;
    }
    return false;
  }

  private repositoryRoot(folder: string): string | undefined {
    const cached = this.roots.get(folder);
    if (cached !== undefined && this.now() - cached.at < RULES_TTL_MS) return cached.root;
    let root: string | undefined;
    if (this.reader.exists(path.join(folder, ".git"))) root = folder;
    else {
      const parent = path.dirname(folder);
      root = parent === folder ? undefined : this.repositoryRoot(parent);
    }
    this.roots.set(folder, { root, at: this.now() });
    return root;
  }

  private rulesAt(folder: string, name: string): GlobRules | undefined {
    const key = path.join(folder, name);
    const cached = this.rules.get(key);
    if (cached !== undefined && this.now() - cached.at < RULES_TTL_MS) return cached.rules;
    const text = this.reader.readText(key);
    const rules = text === undefined ? undefined : new GlobRules(text.split(/\r?\n/));
    this.rules.set(key, { rules, at: this.now() });
    return rules;
  }
}
