import type { DefinitionsParams, DefinitionsResult } from "../../shared/protocol";
import { declarationSnippet } from "./declarationSnippet";
import type { IdentifierAt } from "./identifiers";

/** A declaration's snippet, as it goes into a prompt. */
export interface ResolvedDefinition {
  readonly name: string;
  readonly uri: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

export interface DefinitionLookupOptions {
  /** Asks the editor. */
  readonly request: (params: DefinitionsParams) => Promise<DefinitionsResult>;
  /** Whether the client can answer (another editor may not): lookups otherwise find nothing at once. */
  readonly available?: () => boolean;
  /** The lines of a document (open or on disk), or undefined when it cannot be read. */
  readonly readLines: (uri: string) => Promise<readonly string[] | undefined>;
  /** Whether a file's text may enter a prompt (exclusions, git-ignore). */
  readonly mayShare: (uri: string) => boolean;
  /** How long a lookup waits for the editor; a later answer still fills the cache. */
  readonly waitMs: number;
  /** An answer for an older version of the document is used, and asked again after this long. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly version: number;
  readonly at: number;
  readonly definitions: readonly ResolvedDefinition[];
}

const MAX_NAMES_PER_DOCUMENT = 256;

/**
 * The definitions of the identifiers around the cursor, from the editor's language services, cached per document and
 * identifier: a name answered for this version of the document is never asked again, an answer for an older version
 * is used at once and refreshed in the background. A lookup never waits longer than `waitMs`.
 */
export class DefinitionLookup {
  private readonly cache = new Map<string, Map<string, Entry>>();
  private readonly inFlight = new Map<string, Map<string, Promise<void>>>();
  private readonly now: () => number;

  constructor(private readonly options: DefinitionLookupOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get available(): boolean {
    return this.options.available?.() ?? true;
  }

  async lookup(uri: string, version: number, identifiers: readonly IdentifierAt[], signal?: AbortSignal): Promise<ResolvedDefinition[]> {
    const request = this.options.request;
    if (!this.available || identifiers.length === 0) return [];
    const entries = this.cacheOf(uri);
    const flights = this.flightsOf(uri);
    const refreshMs = this.options.refreshMs ?? 5_000;
    const toAsk = identifiers.filter((identifier) => {
      if (flights.has(identifier.name)) return false;
      const entry = entries.get(identifier.name);
      return entry === undefined || (entry.version !== version && this.now() - entry.at > refreshMs);
    });
    if (toAsk.length > 0) {
      const flight = this.ask(request, uri, version, toAsk);
      for (const identifier of toAsk) flights.set(identifier.name, flight);
    }
    const pending = identifiers.filter((identifier) => !entries.has(identifier.name)).map((identifier) => flights.get(identifier.name)).filter((p) => p !== undefined);
    if (pending.length > 0) await waitAtMost(Promise.all(pending), this.options.waitMs, signal);

    const seen = new Set<string>();
    const found: ResolvedDefinition[] = [];
    for (const identifier of identifiers) {
      for (const definition of entries.get(identifier.name)?.definitions ?? []) {
        const key = `${definition.uri}#${definition.startLine}`;
        if (seen.has(key) || !this.options.mayShare(definition.uri)) continue;
        seen.add(key);
        found.push(definition);
      }
    }
    return found;
  }

  /** The document was closed: its answers go. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.inFlight.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }

  private async ask(
    request: NonNullable<DefinitionLookupOptions["request"]>, uri: string, version: number, identifiers: readonly IdentifierAt[],
  ): Promise<void> {
    const flights = this.flightsOf(uri);
    let definitions: ResolvedDefinition[][] = identifiers.map(() => []);
    try {
      const result = await request({ textDocument: { uri, version }, positions: identifiers.map(({ line, character }) => ({ line, character })) });
      definitions = await this.resolve(identifiers, result);
    } catch {
      // An editor that fails or refuses answers nothing; the names are asked again after refreshMs.
    } finally {
      // A document closed meanwhile keeps no answers.
      if (this.inFlight.get(uri) !== flights) return;
      const entries = this.cacheOf(uri);
      identifiers.forEach((identifier, index) => {
        entries.delete(identifier.name);
        entries.set(identifier.name, { version, at: this.now(), definitions: definitions[index] ?? [] });
        flights.delete(identifier.name);
      });
      while (entries.size > MAX_NAMES_PER_DOCUMENT) entries.delete(entries.keys().next().value!);
    }
  }

  private async resolve(identifiers: readonly IdentifierAt[], result: DefinitionsResult): Promise<ResolvedDefinition[][]> {
    const resolved: ResolvedDefinition[][] = identifiers.map(() => []);
    const linesByUri = new Map<string, Promise<readonly string[] | undefined>>();
    for (const target of result.definitions ?? []) {
      const identifier = identifiers[target.from];
      if (identifier === undefined || !this.options.mayShare(target.uri)) continue;
      let lines = linesByUri.get(target.uri);
      if (lines === undefined) {
        lines = this.options.readLines(target.uri);
        linesByUri.set(target.uri, lines);
      }
      const text = await lines;
      if (text === undefined) continue;
      const snippet = declarationSnippet(text, target.range.start.line, target.range.end.line);
      const list = resolved[target.from]!;
      if (snippet === undefined || list.some((known) => known.uri === target.uri && known.startLine === snippet.startLine)) continue;
      list.push({ name: identifier.name, uri: target.uri, ...snippet });
    }
    return resolved;
  }

  private cacheOf(uri: string): Map<string, Entry> {
    let entries = this.cache.get(uri);
    if (entries === undefined) this.cache.set(uri, (entries = new Map()));
    return entries;
  }

  private flightsOf(uri: string): Map<string, Promise<void>> {
    let flights = this.inFlight.get(uri);
    if (flights === undefined) this.inFlight.set(uri, (flights = new Map()));
    return flights;
  }
}

/** Resolves when `promise` settles, `ms` pass, or `signal` aborts, whichever comes first. */
function waitAtMost(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    promise.then(done, done);
  });
}
