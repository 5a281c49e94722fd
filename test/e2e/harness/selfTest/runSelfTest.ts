// Proves the e2e harness end to end with the throwaway extension in ./extension:
//   1. its mocha suite passes inside the extension host (through runTests + the launcher),
//   2. the same suite with a deliberately failing test exits non-zero,
//   3. a UI scenario: type, see ghost text, Tab, Ctrl+S, check the file on disk, screenshot.
// Run: test/e2e/host/setup.sh && npx tsc -p . && node out/test/e2e/harness/selfTest/runSelfTest.js
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../hostPaths";
import { launchChromium } from "../playwright";
import { runE2eSuite } from "../runE2e";
import { VsCodeHost } from "../VsCodeHost";
import { selectors, Workbench } from "../Workbench";

const extensionDir = path.join(repoRoot, "test", "e2e", "harness", "selfTest", "extension");

function makeWorkspace(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-selftest-ws-"));
  fs.writeFileSync(path.join(folder, "main.py"), "print('hi')\n");
  return folder;
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`[selftest] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function runSuite(workspace: string, failOnPurpose: boolean): Promise<number> {
  return runE2eSuite({
    extensionDevelopmentPath: extensionDir,
    extensionTestsPath: path.join(extensionDir, "suite", "index.js"),
    workspaceFolder: workspace,
    settings: { "selftest.marker": 42 },
    env: {
      POCKET_CODER_TEST_MODEL: "tiny-test-model.gguf",
      SELFTEST_WORKSPACE: workspace,
      SELFTEST_FAIL: failOnPurpose ? "1" : "0",
    },
  });
}

async function ghostTextScenario(workspace: string): Promise<void> {
  const host = await VsCodeHost.start();
  const browser = await launchChromium();
  try {
    const workbench = await Workbench.open(host, workspace, { extensionDevelopmentPath: extensionDir, browser });
    await workbench.waitForStatusBarItem("selftest ready");
    await workbench.openFile("main.py");
    await workbench.press("Control+End");
    await workbench.type("x = ");
    await workbench.waitFor(selectors.ghostText);
    await workbench.screenshot("selftest-ghost-text");
    await workbench.press("Tab");
    await workbench.save();
    assert.equal(fs.readFileSync(path.join(workspace, "main.py"), "utf8"), "print('hi')\nx = hello from the harness");
    console.log(`[selftest] screenshot: ${await workbench.screenshot("selftest-accepted")}`);
    // Settings changed while the window is open reach it (line numbers disappear).
    host.writeMachineSettings({ "editor.lineNumbers": "off" });
    await workbench.waitForGone(".monaco-editor .line-numbers");
    await workbench.close();
  } finally {
    await browser.close();
    await host.stop();
  }
}

async function main(): Promise<void> {
  const workspace = makeWorkspace();
  try {
    const passing = await timed("passing suite", () => runSuite(workspace, false));
    assert.equal(passing, 0, "the passing suite must exit 0");
    const failing = await timed("failing suite", () => runSuite(workspace, true));
    assert.notEqual(failing, 0, "a failing assertion must give a non-zero exit code");
    await timed("ghost text UI scenario", () => ghostTextScenario(workspace));
    console.log("[selftest] harness OK");
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
