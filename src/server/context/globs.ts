/**
 * Gitignore-style globs, for `pocketCoder.exclude` and for `.gitignore` files. Pure.
 *
 * - A pattern without a slash (other than a trailing one) matches a name in any folder: `*.pem`, `.env*`.
 * - A pattern with a slash is anchored at the base folder: `config/secrets.yml`, `/build`; `**` crosses folders.
 * - A trailing slash matches folders only; a folder that matches covers everything below it.
 * - `*` and `?` never match a slash; `[abc]`, `[!a-z]` and `{a,b}` work as in shells.
 */

export interface GlobRule {
  readonly pattern: string;
  /** `!pattern` in a .gitignore file: matching paths are included again. */
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  readonly regex: RegExp;
}

/** One rule, or undefined for a blank line or comment. */
export function compileGlob(line: string): GlobRule | undefined {
  let pattern = line.replace(/(?<!\\)\s+$/, "");
  if (pattern === "" || pattern.startsWith("#")) return undefined;
  let negated = false;
  if (pattern.startsWith("!")) {
    negated = true;
    pattern = pattern.slice(1);
  } else if (pattern.startsWith("\\!") || pattern.startsWith("\\#")) {
    pattern = pattern.slice(1);
  }
  const directoryOnly = pattern.endsWith("/");
  if (directoryOnly) pattern = pattern.replace(/\/+$/, "");
  if (pattern === "") return undefined;
  const anchored = pattern.includes("/");
  if (pattern.startsWith("/")) pattern = pattern.slice(1);
  const body = globBody(pattern);
  const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
  return { pattern: line.trim(), negated, directoryOnly, regex };
}

/** The glob as a regular expression source (no anchors). */
function globBody(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atSegmentStart = i === 0 || glob[i - 1] === "/";
        if (atSegmentStart && glob[i + 2] === "/") {
          out += "(?:.*/)?";
          i += 2;
          continue;
        }
        out += ".*";
        i += 1;
        continue;
      }
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let inner = glob.slice(i + 1, close).replace(/\\/g, "\\\\");
      if (inner.startsWith("!")) inner = `^${inner.slice(1)}`;
      out += `[${inner}]`;
      i = close;
    } else if (c === "{") {
      const close = glob.indexOf("}", i);
      if (close < 0) {
        out += "\\{";
        continue;
      }
      out += `(?:${glob.slice(i + 1, close).split(",").map(globBody).join("|")})`;
      i = close;
    } else if (c === "\\" && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1]!);
      i += 1;
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Rules read in order; the last rule that matches decides (gitignore semantics). */
export class GlobRules {
  readonly rules: readonly GlobRule[];

  constructor(lines: readonly string[]) {
    this.rules = lines.map(compileGlob).filter((rule): rule is GlobRule => rule !== undefined);
  }

  /** true: matched (ignored/excluded); false: matched by a negation; undefined: no rule matched. */
  decide(relativePath: string, isDirectory: boolean): boolean | undefined {
    let decision: boolean | undefined;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(relativePath)) decision = !rule.negated;
    }
    return decision;
  }

  /** Whether the path, or a folder above it, matches (a matched folder covers everything below it). */
  matches(relativePath: string): boolean {
    const parts = relativePath.split("/").filter((part) => part !== "");
    for (let length = 1; length <= parts.length; length++) {
      if (this.decide(parts.slice(0, length).join("/"), length < parts.length) === true) return true;
    }
    return false;
  }
}
