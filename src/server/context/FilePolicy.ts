import { fileURLToPath } from "node:url";
import { GlobRules } from "./globs";
import type { GitIgnoreIndex } from "./gitIgnore";

export interface FilePolicySettings {
  readonly exclude: readonly string[];
  readonly context: { readonly includeGitIgnored: boolean };
}

/**
 * Which files Pocket Coder may read: an excluded file (`pocketCoder.exclude`) gets no completion and never enters a
 * prompt; a git-ignored one gets completions but stays out of other files' context and of explanations unless the
 * user opts in. Applies before any engine sees a prompt.
 */
export class FilePolicy {
  private compiled: { source: readonly string[]; rules: GlobRules } | undefined;

  constructor(
    private readonly settings: () => FilePolicySettings,
    /** The path globs are matched against: workspace-relative inside a workspace folder, else absolute. */
    private readonly matchPath: (uri: string) => string,
    private readonly gitIgnore: GitIgnoreIndex,
  ) {}

  /** No completion in it, and never in any prompt. */
  isExcluded(uri: string): boolean {
    const exclude = this.settings().exclude;
    if (this.compiled?.source !== exclude) this.compiled = { source: exclude, rules: new GlobRules(exclude) };
    return this.compiled.rules.matches(this.matchPath(uri).replace(/^\/+/, ""));
  }

  /** Whether the file's text may go into the prompt of another file or an explanation. */
  mayShare(uri: string): boolean {
    if (this.isExcluded(uri)) return false;
    if (this.settings().context.includeGitIgnored || !uri.startsWith("file:")) return true;
    try {
      return !this.gitIgnore.isIgnored(fileURLToPath(uri));
    } catch {
      return false;
    }
  }
}
