// What a person does to get an explanation: select code, run "Explain Selection", read the panel.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { VsCodeHost, Workbench } from "../harness";

export interface ExplainScenarioOptions {
  readonly repoRoot: string;
  readonly workspace: string;
  readonly settings: Record<string, unknown>;
  /** Text the designed chat model answers with. */
  readonly expectedText: string;
}

export async function runExplainScenario(options: ExplainScenarioOptions): Promise<void> {
  fs.writeFileSync(path.join(options.workspace, "src", "add.ts"), "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
  const host = await VsCodeHost.start({ settings: options.settings });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });
    await workbench.waitForStatusBarItem("Pocket Coder · idle", 60_000);
    await workbench.openFile("src/add.ts");
    await workbench.press("Control+A");
    await workbench.runCommand("Pocket Coder: Explain Selection");
    const body = workbench.webview().locator("body");
    await workbench.webview().locator(`text=${options.expectedText}`).first().waitFor({ timeout: 60_000 });
    const shown = (await body.textContent()) ?? "";
    assert.ok(shown.includes(options.expectedText), shown);
    console.log(`e2e: screenshot ${await workbench.screenshot("explain-panel")}`);
  } finally {
    await workbench?.close();
    await host.stop();
  }
}
