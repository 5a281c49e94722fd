// `npm run test:e2e`: the real-VS-Code suites. Builds the fixture models, then runs
//   1. the extension-host suite on CPU, through @vscode/test-electron's runTests (code-server by default,
//      a downloaded desktop VS Code with POCKET_CODER_VSCODE=desktop),
//   2. the same host on the Vulkan backend (Mesa's software device) when the Vulkan loader is installed,
//   3. the UI scenario: a person types in the editor, sees ghost text, presses Tab and saves.
//   4. the same through a team's real llama-server (API key typed at the prompt), when llama-server is built.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chatModel, fimModel, xssChatModel } from "../fixtures/fixtureModels";
import { llamaServerTestGate } from "../fixtures/llamaServer";
import { runE2eSuite, selectedVsCode } from "./harness/runE2e";
import { runExplainScenario } from "./ui/explainScenario";
import { runQuickControlsScenario } from "./ui/quickControlsScenario";
import { runRemoteEngineScenario } from "./ui/remoteEngineScenario";
import { runUiScenario } from "./ui/ghostTextScenario";
import { runConnectionTokenScenario } from "./start/connectionTokenScenario";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
const SUITE_INDEX = path.join(__dirname, "suite", "index.js");

interface Outcome {
  readonly name: string;
  readonly passed: boolean;
  readonly seconds: number;
  readonly skipped?: string;
}

async function main(): Promise<number> {
  const modelPath = await fimModel(MODEL_DIR);
  const outcomes: Outcome[] = [];
  const cpuSettings = { "pocketCoder.model.path": modelPath, "pocketCoder.gpu": "cpu", "pocketCoder.threads": 1 };

  outcomes.push(await timed("extension host suite (CPU)", async () =>
    (await runE2eSuite({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE_INDEX,
      workspaceFolder: freshWorkspace("cpu"),
      settings: cpuSettings,
      env: { POCKET_CODER_E2E_SUITE: "extension" },
    })) === 0));

  outcomes.push(await timed("extension host suite: quick controls, statistics, Doctor", async () =>
    (await runE2eSuite({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE_INDEX,
      workspaceFolder: freshWorkspace("controls"),
      settings: cpuSettings,
      env: { POCKET_CODER_E2E_SUITE: "controls" },
    })) === 0));

  outcomes.push(await timed("extension host suite: Explain Selection", async () =>
    (await runE2eSuite({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE_INDEX,
      workspaceFolder: freshWorkspace("explain"),
      settings: { ...cpuSettings, "pocketCoder.explain.model.path": await chatModel(MODEL_DIR) },
      env: { POCKET_CODER_E2E_SUITE: "explain", POCKET_CODER_XSS_MODEL: await xssChatModel(MODEL_DIR) },
    })) === 0));

  outcomes.push(await timed("extension host suite: context from language services", async () =>
    (await runE2eSuite({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE_INDEX,
      workspaceFolder: freshWorkspace("context"),
      settings: cpuSettings,
      env: { POCKET_CODER_E2E_SUITE: "context" },
    })) === 0));

  const vulkanSkip = vulkanUnavailableReason();
  if (vulkanSkip === undefined) {
    outcomes.push(await timed("extension host suite (Vulkan software device)", async () =>
      (await runE2eSuite({
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: SUITE_INDEX,
        workspaceFolder: freshWorkspace("vulkan"),
        settings: { ...cpuSettings, "pocketCoder.gpu": "vulkan" },
        // ggml ignores CPU-type Vulkan devices (llvmpipe) unless told to use device 0.
        env: { POCKET_CODER_E2E_SUITE: "gpu", GGML_VK_VISIBLE_DEVICES: "0" },
      })) === 0));
  } else {
    outcomes.push({ name: "extension host suite (Vulkan software device)", passed: true, seconds: 0, skipped: vulkanSkip });
  }

  if (selectedVsCode() === "code-server") {
    outcomes.push(await timed("UI scenario: type, ghost text, Tab, save", async () => {
      const settings = { ...cpuSettings, "editor.tabSize": 2, "editor.detectIndentation": false };
      await runUiScenario({ repoRoot: REPO_ROOT, workspace: freshWorkspace("ui"), settings });
      return true;
    }));
  }

  if (selectedVsCode() === "code-server") {
    outcomes.push(await timed("UI scenario: select, Explain Selection, read the panel", async () => {
      const settings = { ...cpuSettings, "pocketCoder.explain.model.path": await chatModel(MODEL_DIR) };
      await runExplainScenario({ repoRoot: REPO_ROOT, workspace: freshWorkspace("explain-ui"), settings, expectedText: "This function adds two numbers." });
      return true;
    }));
    outcomes.push(await timed("UI scenario: first start, walkthrough, status bar menu", async () => {
      await runQuickControlsScenario({ repoRoot: REPO_ROOT, workspace: freshWorkspace("controls-ui"), settings: cpuSettings });
      return true;
    }));
    outcomes.push(await gatedOnLlamaServer("UI scenario: a team's llama-server, its API key, ghost text", async () => {
      const settings = { "editor.tabSize": 2, "editor.detectIndentation": false };
      await runRemoteEngineScenario({ repoRoot: REPO_ROOT, workspace: freshWorkspace("remote-engine"), modelPath, settings });
      return true;
    }));
    outcomes.push(await timed("installed from the VSIX, offline (unshare -n)", async () => installedVsixOffline(modelPath)));
    outcomes.push(await timed("npm start's VS Code: no page, no remote connection without its token", async () => {
      await runConnectionTokenScenario();
      return true;
    }));
  }

  for (const outcome of outcomes) {
    const verdict = outcome.skipped !== undefined ? `skipped (${outcome.skipped})` : outcome.passed ? "passed" : "FAILED";
    console.log(`e2e: ${outcome.name}: ${verdict} in ${outcome.seconds.toFixed(1)} s`);
  }
  const ran = outcomes.filter((outcome) => outcome.skipped === undefined);
  const failed = ran.filter((outcome) => !outcome.passed).length;
  const skipped = outcomes.length - ran.length;
  console.log(`${ran.length - failed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
  return failed === 0 ? 0 : 1;
}

async function timed(name: string, run: () => Promise<boolean>): Promise<Outcome> {
  const started = Date.now();
  console.log(`e2e: ${name} …`);
  try {
    return { name, passed: await run(), seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    console.error(`e2e: ${name} threw:`, error);
    return { name, passed: false, seconds: (Date.now() - started) / 1000 };
  }
}

/** Skipped with a notice where llama-server is not built; in CI (`CI` set) that fails instead (llamaServerTestGate). */
async function gatedOnLlamaServer(name: string, run: () => Promise<boolean>): Promise<Outcome> {
  let skip: string | false;
  try {
    skip = llamaServerTestGate().skip;
  } catch (error) {
    console.error(`e2e: ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return { name, passed: false, seconds: 0 };
  }
  return skip === false ? timed(name, run) : { name, passed: true, seconds: 0, skipped: skip };
}

/** Packages the VSIX, then runs the install-and-complete scenario in a network namespace with only loopback. */
function installedVsixOffline(modelPath: string): boolean {
  const packaged = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "package.mjs")], { cwd: REPO_ROOT, encoding: "utf8" });
  const vsix = newestVsix(path.join(REPO_ROOT, "dist"));
  if (packaged.status !== 0 || vsix === undefined) {
    console.error(`e2e: packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
    return false;
  }
  const scenario = path.join(__dirname, "vsix", "installedVsixScenario.js");
  const command = `ip link set lo up && exec "${process.execPath}" "${scenario}" "${vsix}" "${modelPath}"`;
  const offline = spawnSync("unshare", ["--net", "sh", "-c", command], { stdio: "inherit" });
  return offline.status === 0;
}

function newestVsix(folder: string): string | undefined {
  const files = fs.readdirSync(folder).filter((name) => name.endsWith(".vsix")).map((name) => path.join(folder, name));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Removed when the run ends, passed or failed. */
const workspaces: string[] = [];

function freshWorkspace(name: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `pocket-coder-e2e-${name}-`));
  workspaces.push(folder);
  fs.mkdirSync(path.join(folder, "src"));
  fs.writeFileSync(path.join(folder, "README.md"), "A workspace for Pocket Coder's end-to-end tests.\n");
  return folder;
}

function vulkanUnavailableReason(): string | undefined {
  const loaders = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1"];
  if (!loaders.some((loader) => fs.existsSync(loader))) return "no Vulkan loader: apt-get install libvulkan1 mesa-vulkan-drivers";
  if (!fs.existsSync("/usr/share/vulkan/icd.d")) return "no Vulkan driver: apt-get install mesa-vulkan-drivers";
  return undefined;
}

main().then((code) => exitRemovingWorkspaces(code), (error: unknown) => {
  console.error(error);
  exitRemovingWorkspaces(1);
});

function exitRemovingWorkspaces(code: number): never {
  for (const folder of workspaces) fs.rmSync(folder, { recursive: true, force: true });
  process.exit(code);
}
