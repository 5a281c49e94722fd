// Entry point of code-server-launcher.sh: takes the command line @vscode/test-electron's runTests
// gives a desktop VS Code and runs the same suite on code-server instead.
//
// runTests passes (runTest.js, 2.5.x): launchArgs first (e.g. the workspace folder,
// --disable-extensions), then --no-sandbox --disable-gpu-sandbox --disable-updates --skip-welcome
// --skip-release-notes --disable-workspace-trust --extensionTestsPath=… --extensionDevelopmentPath=…
// (one per path), then --extensions-dir=… --user-data-dir=… unless launchArgs gave them.
import * as fs from "node:fs";
import * as path from "node:path";
import { runExtensionTests } from "./runExtensionTests";
import { Settings } from "./VsCodeHost";

export interface LauncherArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath: string;
  workspaceFolder?: string;
  userDataDir?: string;
}

/** Options that take a value; everything else starting with "-" is a desktop-only switch we ignore
 * (the server always runs without workspace trust, updates, welcome page or GPU). */
const VALUE_OPTIONS = ["extensionDevelopmentPath", "extensionTestsPath", "user-data-dir", "extensions-dir"];

export function parseLauncherArgs(argv: readonly string[]): LauncherArgs {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      positionals.push(arg);
      continue;
    }
    const name = match[1] ?? "";
    if (!VALUE_OPTIONS.includes(name)) continue;
    // Both --name=value (what runTests writes) and --name value (what people type).
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const extensionTestsPath = values.get("extensionTestsPath")?.[0];
  const extensionDevelopmentPaths = values.get("extensionDevelopmentPath") ?? [];
  if (!extensionTestsPath || extensionDevelopmentPaths.length === 0) {
    throw new Error("need --extensionDevelopmentPath=… and --extensionTestsPath=…");
  }
  if (positionals.length > 1) throw new Error(`only one folder can be opened, got ${positionals.join(", ")}`);
  const userDataDir = values.get("user-data-dir")?.[0];
  return {
    extensionDevelopmentPaths: extensionDevelopmentPaths.map((p) => path.resolve(p)),
    extensionTestsPath: path.resolve(extensionTestsPath),
    ...(positionals[0] !== undefined && { workspaceFolder: path.resolve(positionals[0]) }),
    ...(userDataDir !== undefined && { userDataDir: path.resolve(userDataDir) }),
  };
}

/** Settings a desktop VS Code would read from <user-data-dir>/User/settings.json. The server gets
 * its own fresh user data folder (no state leaks between runs); only these settings carry over. */
function readUserSettings(userDataDir: string | undefined): Settings {
  if (userDataDir === undefined) return {};
  const file = path.join(userDataDir, "User", "settings.json");
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, "utf8")) as Settings;
}

async function main(): Promise<void> {
  // Without these, Ctrl+C (runTests forwards SIGINT) would end node without its "exit" handlers,
  // which are what take down the server's process group.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

  const args = parseLauncherArgs(process.argv.slice(2));
  const exitCode = await runExtensionTests({
    extensionDevelopmentPath: args.extensionDevelopmentPaths,
    extensionTestsPath: args.extensionTestsPath,
    ...(args.workspaceFolder !== undefined && { workspaceFolder: args.workspaceFolder }),
    settings: readUserSettings(args.userDataDir),
    // This process's environment (runTests' extensionTestsEnv included) is what the server and so
    // the extension host inherit; nothing extra to pass.
  });
  process.exit(exitCode);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
