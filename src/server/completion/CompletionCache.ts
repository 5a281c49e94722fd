/**
 * Result cache for completions, with type-through. Pure: no vscode, no node-llama-cpp.
 *
 * One cache per loaded model. An entry is keyed on (the last `prefixKeyChars` characters before the cursor, the first `suffixKeyChars`
 * characters after it). Using a tail and a head rather than whole windows keeps hits when the window's far end moves
 * and keeps keying cheap on every keystroke (hashing a few KB).
 *
 * Type-through: when the user types the first characters of a cached suggestion, the text before the cursor is the old
 * text plus those characters and the text after it is unchanged. `lookup` finds entries with the same suffix
 * head, and accepts one when the new prefix tail equals (old prefix tail + typed) with `typed` a prefix of its
 * `insertText`; it returns the rest without a model call. Typed line breaks work too (accepting a line, then Enter),
 * since the prefix is compared as one text, not per line.
 * Cost per lookup: hashing the key parts, plus per candidate entry one KMP pass over the prefix tail (linear).
 */
import { suffixPrefixOverlaps } from "./postProcess/text";

export interface CompletionCacheKey {
  /** Text before the cursor (e.g. prefixBeforeLine + linePrefix); only its tail is used. */
  readonly prefix: string;
  /** Text after the cursor; only its head is used. */
  readonly suffix: string;
}

export interface CachedCompletion {
  readonly insertText: string;
  /** Characters of the line suffix the completion replaces (see postProcessCompletion). */
  readonly replaceSuffixChars: number;
}

export interface CacheHit extends CachedCompletion {
  /** Characters of the cached suggestion the user has typed since (0 for an exact hit). */
  readonly typedChars: number;
}

export interface CompletionCacheOptions {
  /** Entries kept (least recently used go first). Default 256. */
  readonly maxEntries?: number;
  /** Characters of the prefix tail in the key. Default 2000. */
  readonly prefixKeyChars?: number;
  /** Characters of the suffix head in the key. Default 1000. */
  readonly suffixKeyChars?: number;
}

interface Entry {
  readonly key: string;
  readonly suffixKey: string;
  readonly prefixTail: string;
  readonly completion: CachedCompletion;
}

export class CompletionCache {
  private readonly entries = new Map<string, Entry>();
  /** suffixKey → keys of entries sharing it (type-through candidates). */
  private readonly bySuffix = new Map<string, Set<string>>();
  private readonly maxEntries: number;
  private readonly prefixKeyChars: number;
  private readonly suffixKeyChars: number;

  constructor(options: CompletionCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 256);
    this.prefixKeyChars = Math.max(1, options.prefixKeyChars ?? 2000);
    this.suffixKeyChars = Math.max(0, options.suffixKeyChars ?? 1000);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bySuffix.clear();
  }

  set(key: CompletionCacheKey, completion: CachedCompletion): void {
    const suffixKey = this.suffixKeyOf(key);
    const prefixTail = tail(key.prefix, this.prefixKeyChars);
    const entryKey = entryKeyOf(suffixKey, prefixTail);
    this.deleteEntry(entryKey);
    this.entries.set(entryKey, { key: entryKey, suffixKey, prefixTail, completion: { ...completion } });
    let group = this.bySuffix.get(suffixKey);
    if (!group) this.bySuffix.set(suffixKey, (group = new Set()));
    group.add(entryKey);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.deleteEntry(oldest);
    }
  }

  /** The completion cached for exactly this context. */
  get(key: CompletionCacheKey): CachedCompletion | undefined {
    const suffixKey = this.suffixKeyOf(key);
    const prefixTail = tail(key.prefix, this.prefixKeyChars);
    const entry = this.entries.get(entryKeyOf(suffixKey, prefixTail));
    if (!entry || entry.prefixTail !== prefixTail) return undefined;
    this.touch(entry);
    return entry.completion;
  }

  /**
   * An exact hit, or the rest of a cached suggestion the user has partly typed. Undefined when nothing matches, or the
   * user has typed all of it (or all but the line-suffix characters it replaces).
   */
  lookup(key: CompletionCacheKey): CacheHit | undefined {
    const exact = this.get(key);
    if (exact) return { ...exact, typedChars: 0 };
    const group = this.bySuffix.get(this.suffixKeyOf(key));
    if (!group) return undefined;
    const newTail = tail(key.prefix, this.prefixKeyChars);
    // Most recently used first.
    const candidates = [...group].reverse();
    for (const entryKey of candidates) {
      const entry = this.entries.get(entryKey);
      if (!entry) continue;
      const insert = entry.completion.insertText;
      // Every t such that the new prefix ends with insert[0, t) (longest first).
      for (const t of suffixPrefixOverlaps(newTail, insert)) {
        if (tail(entry.prefixTail + insert.slice(0, t), this.prefixKeyChars) !== newTail) continue;
        const rest = insert.slice(t);
        const replace = entry.completion.replaceSuffixChars;
        // Typed it all, or all that is left re-types the characters it would replace (`a, b` typed of `a, b)`
        // replacing an auto-closed `)`): nothing left to suggest.
        if (rest.length === 0 || rest === key.suffix.slice(0, replace)) return undefined;
        this.touch(entry);
        return { insertText: rest, replaceSuffixChars: replace, typedChars: t };
      }
    }
    return undefined;
  }

  private suffixKeyOf(key: CompletionCacheKey): string {
    const head = key.suffix.slice(0, this.suffixKeyChars);
    return `${hashString(head)}:${head.length}`;
  }

  private touch(entry: Entry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    const group = this.bySuffix.get(entry.suffixKey);
    if (group) {
      group.delete(entry.key);
      group.add(entry.key);
    }
  }

  private deleteEntry(entryKey: string): void {
    const entry = this.entries.get(entryKey);
    if (!entry) return;
    this.entries.delete(entryKey);
    const group = this.bySuffix.get(entry.suffixKey);
    if (group) {
      group.delete(entryKey);
      if (group.size === 0) this.bySuffix.delete(entry.suffixKey);
    }
  }
}

function tail(s: string, n: number): string {
  return s.length > n ? s.slice(s.length - n) : s;
}

function entryKeyOf(suffixKey: string, prefixTail: string): string {
  return `${suffixKey}|${hashString(prefixTail)}:${prefixTail.length}`;
}

/** cyrb53: a fast 53-bit string hash (not cryptographic), as base-36 text. */
export function hashString(s: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
