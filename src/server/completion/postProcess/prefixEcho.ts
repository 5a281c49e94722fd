import type { PostProcessStep } from "./types";

/** Shortest echo removed (non-space characters): a shorter line prefix may well be repeated on purpose (`x` → `xs`). */
const MIN_ECHO_CHARS = 4;

/**
 * A completion that starts by restating the cursor line's text before the cursor (`const x = foo(` + `const x =
 * foo(a, b)`) writes the whole line: the restated part is removed, so only what follows the cursor is inserted.
 */
export const removeLinePrefixEcho: PostProcessStep = (c, ctx) => {
  const echo = ctx.linePrefix.trim();
  if (echo.replace(/\s+/g, "").length < MIN_ECHO_CHARS) return c;
  const text = c.text.trimStart();
  if (!text.startsWith(echo)) return c;
  // The cursor may sit after spaces that the echo does not end with (`x = ` + `x = 1`): they are already written.
  const rest = text.slice(echo.length);
  return { ...c, text: /\s$/.test(ctx.linePrefix) ? rest.replace(/^[ \t]+/, "") : rest };
};
