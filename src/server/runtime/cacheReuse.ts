/**
 * Which cached tokens a new prompt keeps, the way llama-server's `--cache-reuse` chooses them: the common prefix, then
 * only runs of at least `minRun` tokens that the cache holds in the prompt's order; the tokens between them are erased
 * and each run shifts down into its new place. node-llama-cpp's own shifting (`adaptStateToTokens(tokens, true)`)
 * keeps every single cached token that equals the next one the prompt needs — an indentation, a newline, a `(` from
 * an unrelated line — and so carries KV computed in another context into the prompt. A long run is the same text, so
 * only its position changes (the one approximation llama-server also makes: the text before the run was different).
 */

export interface TokenRange {
  /** Cache index of the first token to erase. */
  readonly start: number;
  /** One past the last. */
  readonly end: number;
}

export interface CacheReusePlan {
  /** Cache ranges to erase, ascending and disjoint; what follows each moves down into its place. */
  readonly erase: readonly TokenRange[];
  /** After erasing, the cache holds exactly `target.slice(0, reused)`. */
  readonly reused: number;
}

export function planCacheReuse<T>(cached: readonly T[], target: readonly T[], minRun: number): CacheReusePlan {
  let common = 0;
  while (common < cached.length && common < target.length && cached[common] === target[common]) common++;
  // With nothing in common the first range would start at the cache's first position, which node-llama-cpp handles
  // by re-evaluating every kept token at once (no abort possible): start from an empty cache instead.
  if (common === 0) return { erase: cached.length === 0 ? [] : [{ start: 0, end: cached.length }], reused: 0 };

  const erase: TokenRange[] = [];
  let cacheIndex = common;
  let targetIndex = common;
  let erasedFrom = common;
  while (cacheIndex < cached.length && targetIndex < target.length) {
    const run = matchLength(cached, cacheIndex, target, targetIndex);
    if (run >= minRun) {
      if (erasedFrom < cacheIndex) erase.push({ start: erasedFrom, end: cacheIndex });
      cacheIndex += run;
      targetIndex += run;
      erasedFrom = cacheIndex;
    } else {
      cacheIndex++;
    }
  }
  if (erasedFrom < cached.length) erase.push({ start: erasedFrom, end: cached.length });
  return { erase, reused: targetIndex };
}

function matchLength<T>(cached: readonly T[], cacheIndex: number, target: readonly T[], targetIndex: number): number {
  let length = 0;
  while (cacheIndex + length < cached.length && targetIndex + length < target.length &&
    cached[cacheIndex + length] === target[targetIndex + length]) length++;
  return length;
}
