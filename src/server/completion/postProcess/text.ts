/** Small string helpers for the post-processing steps. */

export function isBlank(s: string): boolean {
  return s.trim().length === 0;
}

/** Indentation width in columns (a tab counts `tabSize`). */
export function indentWidth(line: string, tabSize: number): number {
  let w = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) w++;
    else if (c === 9) w += tabSize;
    else break;
  }
  return w;
}

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_$]/u.test(ch);
}

/**
 * Overlap lengths k (longest first) such that `a` ends with `b.slice(0, k)`. Linear time (KMP failure function over
 * `b` against the tail of `a`).
 */
export function suffixPrefixOverlaps(a: string, b: string): number[] {
  const m = Math.min(a.length, b.length);
  if (m === 0) return [];
  const pattern = b.slice(0, m);
  const fail = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = fail[k - 1]!;
    if (pattern[i] === pattern[k]) k++;
    fail[i] = k;
  }
  let k = 0;
  for (let i = a.length - m; i < a.length; i++) {
    while (k > 0 && (k === m || a[i] !== pattern[k])) k = fail[k - 1]!;
    if (a[i] === pattern[k]) k++;
  }
  const out: number[] = [];
  while (k > 0) {
    out.push(k);
    k = fail[k - 1]!;
  }
  return out;
}

/** Removes trailing whitespace, including line breaks. */
export function trimEnd(s: string): string {
  return s.replace(/\s+$/u, "");
}
