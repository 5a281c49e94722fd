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

/** One mapping of the process, for telling the weights, the KV cache and the allocator's arenas apart. */
export interface MappingRss {
  readonly rssMiB: number;
  readonly sizeMiB: number;
  /** The mapped file, `[heap]`, or "" for an anonymous mapping. */
  readonly name: string;
}

/** The mappings holding at least `minMiB` resident, largest first, and the resident sum of all the others. */
export function largestMappings(minMiB = 8): { mappings: MappingRss[]; restMiB: number } {
  const mappings: MappingRss[] = [];
  let restKiB = 0;
  let current: { sizeKiB: number; name: string } | undefined;
  for (const line of fs.readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      current = { sizeKiB: (parseInt(head[2]!, 16) - parseInt(head[1]!, 16)) / 1024, name: head[3]! };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss === null || current === undefined) continue;
    const kib = Number(rss[1]);
    if (kib >= minMiB * 1024) mappings.push({ rssMiB: round(kib / 1024), sizeMiB: round(current.sizeKiB / 1024), name: current.name });
    else restKiB += kib;
  }
  mappings.sort((a, b) => b.rssMiB - a.rssMiB);
  return { mappings, restMiB: round(restKiB / 1024) };
}
