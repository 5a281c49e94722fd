import type { PostProcessStep } from "./types";

/**
 * Single-line mode (mid-line cursor, a selected IntelliSense item, or asked for): keep the first line only.
 * A first line that is empty yields an empty completion (dropped at the end).
 */
export const enforceSingleLine: PostProcessStep = (c, ctx) => {
  if (!ctx.singleLine) return c;
  const nl = c.text.indexOf("\n");
  return nl < 0 ? c : { ...c, text: c.text.slice(0, nl) };
};
