// What a person does: open a file, type, see the ghost text, press Tab, save — checked on disk.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { selectors, VsCodeHost, Workbench } from "../harness";

export interface UiScenarioOptions {
  readonly repoRoot: string;
  readonly workspace: string;
  readonly settings: Record<string, unknown>;
}

export async function runUiScenario(options: UiScenarioOptions): Promise<void> {
  const file = path.join(options.workspace, "src", "math.ts");
  fs.writeFileSync(file, "export function add(a: number, b: number): number {\n}\n");
  const host = await VsCodeHost.start({ settings: options.settings });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });
    await workbench.waitForStatusBarItem("Pocket Coder · CPU", 60_000);
    await workbench.openFile("src/math.ts");
    // End of line 1, then a new line: VS Code indents it by two spaces, the designed model's cue.
    await workbench.press("Control+Home");
    await workbench.press("End");
    await workbench.press("Enter");
    await workbench.waitFor(selectors.ghostText, 30_000);
    // Ghost text renders as several spans (one per inline decoration part).
    const ghost = (await workbench.page.locator(selectors.ghostText).allTextContents()).join("");
    assert.match(ghost.replace(/\u00a0/g, " "), /return a \+ b;/);
    console.log(`e2e: screenshot ${await workbench.screenshot("ghost-text")}`);
    await workbench.press("Tab");
    await workbench.waitForGone(selectors.ghostText);
    await workbench.save();
    assert.equal(fs.readFileSync(file, "utf8"), "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
  } finally {
    await workbench?.close();
    await host.stop();
  }
}
