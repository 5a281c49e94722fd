/** A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, and positionals. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly options: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** `valued` lists the options that take a value; any other `--name` is a boolean flag. */
export function parseArgs(argv: readonly string[], valued: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
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
    if (valued.includes(name)) {
      const value = equals >= 0 ? arg.slice(equals + 1) : argv[++index];
      if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      options.set(name, value);
    } else if (equals >= 0) {
      throw new UsageError(`--${name} takes no value.`);
    } else {
      flags.add(name);
    }
  }
  return { positionals, options, flags };
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
