import type { PostProcessStep } from "./types";

/** "\r\n" and lone "\r" become "\n" (the editor converts to the document's line ending on insert). */
export const normalizeNewlines: PostProcessStep = (c) => {
  const text = c.text.includes("\r") ? c.text.replace(/\r\n?/g, "\n") : c.text;
  return text === c.text ? c : { ...c, text };
};

/** Cuts at the first control-token text that leaked into the output (e.g. "<|file_sep|>"). */
export const cutAtStopTexts: PostProcessStep = (c, ctx) => {
  let end = c.text.length;
  for (const stop of ctx.stopTexts) {
    if (stop.length === 0) continue;
    const i = c.text.indexOf(stop);
    if (i >= 0 && i < end) end = i;
  }
  return end === c.text.length ? c : { ...c, text: c.text.slice(0, end) };
};
