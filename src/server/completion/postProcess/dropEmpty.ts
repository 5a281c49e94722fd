import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

/** Nothing to show: empty or whitespace-only, or only re-typing the line suffix it replaces. */
export const dropEmpty: PostProcessStep = (c, ctx) => {
  if (isBlank(c.text)) return undefined;
  if (c.replaceSuffixChars > 0 && c.text === ctx.lineSuffix.slice(0, c.replaceSuffixChars)) return undefined;
  return c;
};
