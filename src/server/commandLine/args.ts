/** A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, and positionals. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly options: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * `valued` lists the options that take a value, `flags` the boolean ones; any other `--name` is rejected
 * (with the nearest known name), so a typo never turns into a silently ignored flag.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  const seenFlags = new Set<string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--") {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals >= 0 ? equals : undefined);
    if (!valued.includes(name) && !flags.includes(name)) {
      const nearest = nearestName(name, [...valued, ...flags]);
      throw new UsageError(`Unknown option --${name}.${nearest === undefined ? "" : ` Did you mean --${nearest}?`}`);
    }
    if (valued.includes(name)) {
      const value = equals >= 0 ? arg.slice(equals + 1) : argv[++index];
      if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      options.set(name, value);
    } else if (equals >= 0) {
      throw new UsageError(`--${name} takes no value.`);
    } else {
      seenFlags.add(name);
    }
  }
  return { positionals, options, flags: seenFlags };
}

/** The known name within two edits of `name` (a typo such as --modle), if there is one. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const previous = rows[i - 1]!;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/** An optional whole-number option. */
export function integerOption(args: ParsedArgs, name: string): number | undefined {
  const raw = args.options.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number; got "${raw}".`);
  return value;
}

/** Writes to stdout and resolves once the data is handed to the OS (a pipe is asynchronous; the CLI exits right after). */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
