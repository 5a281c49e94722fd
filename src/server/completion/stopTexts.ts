/** Where the first of `stopTexts` starts in `text`, or -1; empty stop texts are ignored. */
export function firstStopIndex(text: string, stopTexts: readonly string[]): number {
  let first = -1;
  for (const stop of stopTexts) {
    if (stop === "") continue;
    const index = text.indexOf(stop);
    if (index >= 0 && (first < 0 || index < first)) first = index;
  }
  return first;
}
