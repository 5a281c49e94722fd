// What a team's user does: with pocketCoder.engine pointing at the team's llama-server (and no local model), enter the
// server's API key at the prompt of "Pocket Coder: Set Engine API Key…", read "Remote · host:port" in the status bar,
// then type and accept the ghost text — which the real llama-server computed.
//
// A Playwright scenario rather than an extension-host suite: the key has to be typed into the command's password
// input box, and an extension host cannot fill an input box (VS Code's `type` command reaches code editors only).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { FIM_COMPLETION } from "../../fixtures/fixtureModels";
import { requestLlamaServer, startLlamaServer, type LlamaServer } from "../../fixtures/llamaServer";
import { selectors, VsCodeHost, Workbench } from "../harness";
import { MATH_FILE_BEFORE } from "./ghostTextScenario";

export interface RemoteEngineScenarioOptions {
  readonly repoRoot: string;
  readonly workspace: string;
  /** The GGUF the llama-server serves (the designed FIM model). */
  readonly modelPath: string;
  /** Editor settings; the engine settings are added here, and no local model path is set. */
  readonly settings: Record<string, unknown>;
}

/** Only llama-server and the user know it: it is typed at the prompt, never written to settings. */
const API_KEY = "pocket-coder-e2e-team-key";
const TOAST = ".notifications-toasts .notification-toast";
const POCKET_CODER_STATUS = `${selectors.statusBarItem}:has-text("Pocket Coder")`;
const MATH_FILE_AFTER = MATH_FILE_BEFORE.replace("{\n", `{\n  ${FIM_COMPLETION}\n`);

export async function runRemoteEngineScenario(options: RemoteEngineScenarioOptions): Promise<void> {
  const server = await startLlamaServer({ modelPath: options.modelPath, apiKey: API_KEY });
  try {
    await remoteEngineInVsCode(options, server);
  } finally {
    await server.stop();
  }
}

async function remoteEngineInVsCode(options: RemoteEngineScenarioOptions, server: LlamaServer): Promise<void> {
  const file = path.join(options.workspace, "src", "math.ts");
  fs.writeFileSync(file, MATH_FILE_BEFORE);
  const settings = { ...options.settings, "pocketCoder.engine.kind": "llama-server", "pocketCoder.engine.url": server.url };
  assert.equal(Object.keys(settings).some((key) => key.startsWith("pocketCoder.model.")), false, "no local model is configured");
  const host = await VsCodeHost.start({ settings });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });

    // Without the key the server refuses Pocket Coder, and the user is told what to do.
    await workbench.waitFor(`${TOAST}:has-text("refused the API key")`, 60_000);
    await workbench.waitFor(`${POCKET_CODER_STATUS}.error-kind`);

    // The notification's own button is the fix it offers: a refused key asks for the key, not for a model file.
    const setKey = await workbench.waitFor(`${TOAST} .monaco-button:has-text("Set Engine API Key…")`);
    await setKey.click();
    await workbench.waitFor(`.quick-input-widget :text("The API key for ${server.url}")`, 10_000);
    await workbench.waitFor(`${selectors.quickInput}[type="password"]`);
    await workbench.type(API_KEY);
    await workbench.press("Enter");
    await workbench.waitForGone(selectors.quickInput, 10_000);

    await workbench.waitForStatusBarItem(`Pocket Coder · Remote · 127.0.0.1:${server.port}`, 60_000);
    assert.equal(await workbench.page.locator(`${POCKET_CODER_STATUS}.error-kind`).count(), 0, "the error is gone");
    const before = await llamaServerCounters(server);

    await workbench.openFile("src/math.ts");
    await workbench.press("Control+Home");
    await workbench.press("End");
    await workbench.press("Enter");
    await workbench.waitFor(selectors.ghostText, 60_000);
    // Ghost text renders as several spans (one per inline decoration part), with non-breaking spaces.
    const ghost = (await workbench.page.locator(selectors.ghostText).allTextContents()).join("").replace(/\u00a0/g, " ");
    assert.equal(ghost, FIM_COMPLETION);
    console.log(`e2e: screenshot ${await workbench.screenshot("remote-engine-ghost-text")}`);
    await workbench.press("Tab");
    await workbench.waitForGone(selectors.ghostText);
    await workbench.save();
    assert.equal(fs.readFileSync(file, "utf8"), MATH_FILE_AFTER);

    // The completion was computed by this llama-server: its counters moved.
    const after = await llamaServerCounters(server);
    assert.ok(after.promptTokens > before.promptTokens, `llama-server read a prompt: ${JSON.stringify({ before, after })}`);
    assert.ok(after.predictedTokens > before.predictedTokens, `llama-server generated tokens: ${JSON.stringify({ before, after })}`);
    // The key lives in VS Code's secret storage only: not in settings, not in any log.
    assert.deepEqual(filesContaining(host.dirs.root, API_KEY), [], "files under the VS Code server's folders that hold the API key");
  } catch (error) {
    if (workbench !== undefined) console.log(`e2e: screenshot ${await workbench.screenshot("remote-engine-failure")}`);
    console.error(`e2e: llama-server's log ends:\n${server.logTail()}`);
    throw error;
  } finally {
    await workbench?.close();
    await host.stop();
  }
}

function filesContaining(folder: string, text: string): string[] {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(text));
}

interface LlamaServerCounters {
  readonly promptTokens: number;
  readonly predictedTokens: number;
}

/** llama-server's /metrics (Prometheus text; it needs the key like every endpoint but /health). */
async function llamaServerCounters(server: LlamaServer): Promise<LlamaServerCounters> {
  const response = await requestLlamaServer(`${server.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` }, timeoutMs: 10_000 });
  assert.equal(response.status, 200, `/metrics answered ${response.status}: ${response.body}`);
  const counter = (name: string): number => {
    const match = new RegExp(`^llamacpp:${name} (\\S+)$`, "m").exec(response.body);
    assert.ok(match, `/metrics has llamacpp:${name}`);
    return Number(match[1]);
  };
  return { promptTokens: counter("prompt_tokens_total"), predictedTokens: counter("tokens_predicted_total") };
}
