// Runs an extension-host mocha suite through @vscode/test-electron's runTests, on either
//   - code-server (default; offline): runTests spawns code-server-launcher.sh, or
//   - a desktop VS Code that runTests downloads (POCKET_CODER_VSCODE=desktop; needs internet and,
//     on a Linux machine without a display, xvfb-run).
// The suite, its settings and its environment are the same either way.
//
// CLI: node out/test/e2e/harness/runE2e.js --extensionDevelopmentPath=DIR --extensionTestsPath=FILE
//        [--workspace=DIR] [--settings=FILE.json] [--env=NAME=VALUE ...]
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTests, TestRunFailedError } from "@vscode/test-electron";
import { codeServerLauncherPath } from "./hostPaths";
import { Settings } from "./VsCodeHost";

export interface E2eSuite {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  workspaceFolder?: string;
  /** User settings, written to a fresh user data folder's User/settings.json. */
  settings?: Settings;
  /** Reaches the extension host's process.env. */
  env?: Record<string, string>;
}

/** Which VS Code runs the suite: POCKET_CODER_VSCODE=desktop or code-server (default). */
export function selectedVsCode(): "desktop" | "code-server" {
  return process.env["POCKET_CODER_VSCODE"] === "desktop" ? "desktop" : "code-server";
}

/** Resolves with the suite's exit code (0 = passed). */
export async function runE2eSuite(suite: E2eSuite): Promise<number> {
  // Both VS Codes read settings from <user-data-dir>/User/settings.json (the launcher copies them
  // into the server's own profile), so settings are passed the desktop way.
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-e2e-user-"));
  fs.mkdirSync(path.join(userDataDir, "User"));
  fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(suite.settings ?? {}, null, 2));
  const launchArgs = [
    ...(suite.workspaceFolder !== undefined ? [suite.workspaceFolder] : []),
    // Only the extension under test (and built-ins) load on desktop; the server has no others.
    "--disable-extensions",
    `--user-data-dir=${userDataDir}`,
  ];
  const desktop = selectedVsCode() === "desktop";
  try {
    return await runTests({
      ...(desktop ? { version: process.env["POCKET_CODER_VSCODE_VERSION"] ?? "1.100.3" } : { vscodeExecutablePath: codeServerLauncherPath }),
      extensionDevelopmentPath: suite.extensionDevelopmentPath,
      extensionTestsPath: suite.extensionTestsPath,
      launchArgs,
      ...(suite.env && { extensionTestsEnv: suite.env }),
    });
  } catch (error) {
    // runTests rejects on a non-zero exit; callers want the code.
    if (error instanceof TestRunFailedError) return error.code ?? 1;
    throw error;
  } finally {
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

function parseCli(argv: readonly string[]): E2eSuite {
  const option = (name: string): string[] =>
    argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
  const extensionDevelopmentPath = option("extensionDevelopmentPath")[0];
  const extensionTestsPath = option("extensionTestsPath")[0];
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error("usage: runE2e.js --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [--workspace=DIR] [--settings=FILE] [--env=K=V]");
  }
  const workspaceFolder = option("workspace")[0];
  const settingsFile = option("settings")[0];
  const env = Object.fromEntries(option("env").filter((kv) => kv.includes("=")).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  return {
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(extensionTestsPath),
    ...(workspaceFolder !== undefined && { workspaceFolder: path.resolve(workspaceFolder) }),
    ...(settingsFile !== undefined && { settings: JSON.parse(fs.readFileSync(settingsFile, "utf8")) as Settings }),
    env,
  };
}

if (require.main === module) {
  runE2eSuite(parseCli(process.argv.slice(2))).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
