/**
 * Where a document is, for prompts: its path relative to the workspace folder that holds it, and that
 * folder's name. Pure and total: any URI an editor sends (`file://host/…`, an encoded `/`, a malformed `%`,
 * `untitled:`, `vscode-remote:`, `vscode-vfs:`…) gets an answer, never an exception, because this runs for
 * every open document on every request.
 */

export interface DocumentPlace {
  /** Relative to the workspace folder, with `/` separators; the file name alone when no folder holds it. */
  readonly filePath: string;
  /** The folder's name, "" when no folder holds the document. */
  readonly repoName: string;
}

export interface WorkspaceFolderRef {
  readonly uri: string;
  readonly name: string;
}

export function documentPlace(uri: string, folders: readonly WorkspaceFolderRef[]): DocumentPlace {
  const document = parseUri(uri);
  for (const folder of folders) {
    const root = parseUri(folder.uri);
    if (root.scheme !== document.scheme || root.authority !== document.authority) continue;
    const rootSegments = trimTrailingEmpty(root.segments);
    if (rootSegments.length >= document.segments.length) continue;
    if (!rootSegments.every((segment, index) => sameSegment(segment, document.segments[index]!, document.scheme, index))) continue;
    const relative = document.segments.slice(rootSegments.length).join("/");
    if (relative !== "") return { filePath: relative, repoName: folder.name };
  }
  return { filePath: lastName(document), repoName: "" };
}

interface ParsedUri {
  /** Lower-case; "" when the text has none. */
  readonly scheme: string;
  /** Lower-case; `localhost` of a file URI counts as none. */
  readonly authority: string;
  /** The decoded path segments after the leading `/` (an opaque path such as `Untitled-1` is one segment). */
  readonly segments: readonly string[];
}

/** RFC 3986 appendix B: splits any string into URI parts without ever failing. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)/;

function parseUri(uri: string): ParsedUri {
  const match = URI_PARTS.exec(uri);
  const scheme = (match?.[1] ?? "").toLowerCase();
  let authority = (match?.[2] ?? "").toLowerCase();
  if (scheme === "file" && authority === "localhost") authority = "";
  const rawPath = match?.[3] ?? "";
  const segments = (rawPath.startsWith("/") ? rawPath.slice(1) : rawPath).split("/").map(decodeSegment);
  return { scheme, authority, segments: removeDotSegments(segments) };
}

/**
 * Percent-decodes one path segment. An encoded `/` stays `%2F` (it is part of a name, not a separator), and
 * a `%` that starts no valid UTF-8 escape stays as it is.
 */
function decodeSegment(segment: string): string {
  return segment.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ""), "hex");
    const pieces: string[] = [];
    let start = 0;
    const flush = (end: number) => {
      if (end > start) pieces.push(decodeBytes(bytes.subarray(start, end), run.slice(start * 3, end * 3)));
    };
    for (let index = 0; index < bytes.length; index++) {
      if (bytes[index] === 0x2f) {
        flush(index);
        pieces.push(run.slice(index * 3, index * 3 + 3));
        start = index + 1;
      }
    }
    flush(bytes.length);
    return pieces.join("");
  });
}

/** UTF-8 bytes as text, or the original escapes when they are not valid UTF-8. */
function decodeBytes(bytes: Uint8Array, escapes: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return escapes;
  }
}

/** `a/./b/../c` is `a/c`: a document cannot climb out of its folder by its URI's spelling. */
function removeDotSegments(segments: readonly string[]): string[] {
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === ".") continue;
    if (segment === "..") kept.pop();
    else kept.push(segment);
  }
  return kept;
}

/** A folder URI may end with `/`. */
function trimTrailingEmpty(segments: readonly string[]): readonly string[] {
  return segments.length > 0 && segments.at(-1) === "" ? segments.slice(0, -1) : segments;
}

/** Windows drive letters differ in case between clients (`c%3A` vs `C:`). */
function sameSegment(a: string, b: string, scheme: string, index: number): boolean {
  if (a === b) return true;
  return scheme === "file" && index === 0 && /^[A-Za-z]:$/.test(a) && a.toLowerCase() === b.toLowerCase();
}

function lastName(document: ParsedUri): string {
  for (let index = document.segments.length - 1; index >= 0; index--) {
    const segment = document.segments[index]!;
    if (segment !== "") return segment;
  }
  return "untitled";
}
