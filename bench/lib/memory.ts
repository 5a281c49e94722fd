import * as fs from "node:fs";
import { round } from "./stats";

/** MiB of the process's resident memory, from /proc/self/smaps_rollup. */
export interface MemorySplit {
  readonly rssMiB: number;
  readonly anonymousMiB: number;
  readonly fileMiB: number;
}

export function memorySplit(pid: number | "self" | undefined = "self"): MemorySplit | undefined {
  if (pid === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  } catch {
    return undefined;
  }
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);
  const rss = kib("Rss");
  const anonymous = kib("Anonymous");
  return { rssMiB: round(rss / 1024), anonymousMiB: round(anonymous / 1024), fileMiB: round((rss - anonymous) / 1024) };
}
