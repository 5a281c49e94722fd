// Where the installed test host (test/e2e/host, see setup.sh) and its pieces live.
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root: the folder holding test/e2e/host/package.json, found by walking up from
 * this file so it works both from test/e2e/harness (sources) and out/test/e2e/harness (compiled). */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "test", "e2e", "host", "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no test/e2e/host/package.json above ${__dirname}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const hostDir = path.join(repoRoot, "test", "e2e", "host");
export const testResultsDir = path.join(repoRoot, "test-results");

/** VS Code's own server entry point inside code-server; the code-server CLI wrapper would reject
 * --enable-smoke-test-driver, which the web workbench needs to run extension tests. */
export const serverMainPath = path.join(hostDir, "node_modules", "code-server", "lib", "vscode", "out", "server-main.js");

/** The shell script that @vscode/test-electron's runTests spawns instead of a desktop VS Code. */
export const codeServerLauncherPath = path.join(repoRoot, "test", "e2e", "harness", "code-server-launcher.sh");

/** Debian's chromium; Playwright's own browser download cannot work offline. */
export const chromiumPath = process.env["POCKET_CODER_CHROMIUM"] ?? "/usr/bin/chromium";

export function assertHostInstalled(): void {
  if (!fs.existsSync(serverMainPath)) {
    throw new Error(`VS Code test host not installed (${serverMainPath} missing): run test/e2e/host/setup.sh`);
  }
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} missing: run test/e2e/host/setup.sh (installs Debian's chromium)`);
  }
}
