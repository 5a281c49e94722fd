// What a person does: open a file, type, see the ghost text, press Tab, save — checked on disk; then the keys around
// ghost text (Escape, the trigger key, Tab with and without a suggestion).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { selectors, VsCodeHost, Workbench } from "../harness";

export interface UiScenarioOptions {
  readonly repoRoot: string;
  readonly workspace: string;
  readonly settings: Record<string, unknown>;
}

export const MATH_FILE_BEFORE = "export function add(a: number, b: number): number {\n}\n";
const MATH_FILE_AFTER = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";

/**
 * In src/math.ts (MATH_FILE_BEFORE): a new line inside the function (VS Code indents it by two spaces,
 * the designed model's cue), the ghost text appears, Tab accepts it, the file is saved and checked on disk.
 */
export async function acceptGhostTextOnNewLine(workbench: Workbench, file: string, screenshotName: string): Promise<string> {
  await workbench.openFile("src/math.ts");
  await workbench.press("Control+Home");
  await workbench.press("End");
  await workbench.press("Enter");
  await workbench.waitFor(selectors.ghostText, 30_000);
  // Ghost text renders as several spans (one per inline decoration part).
  const ghost = (await workbench.page.locator(selectors.ghostText).allTextContents()).join("");
  assert.match(ghost.replace(/\u00a0/g, " "), /return a \+ b;/);
  const screenshot = await workbench.screenshot(screenshotName);
  await workbench.press("Tab");
  await workbench.waitForGone(selectors.ghostText);
  await workbench.save();
  assert.equal(fs.readFileSync(file, "utf8"), MATH_FILE_AFTER);
  return screenshot;
}

/**
 * The keys around ghost text, pressed for real, from where acceptGhostTextOnNewLine left the cursor (the end of the
 * accepted line): Escape hides a suggestion, Alt+\ (Pocket Coder's trigger key) asks for it again, Tab accepts it;
 * with no suggestion showing, Tab indents.
 */
async function triggerKeyAndTabIndent(workbench: Workbench, file: string): Promise<void> {
  await workbench.press("Enter");
  await workbench.waitFor(selectors.ghostText, 30_000);
  await workbench.press("Escape");
  await workbench.waitForGone(selectors.ghostText);
  await workbench.press("Alt+Backslash");
  await workbench.waitFor(selectors.ghostText, 30_000);
  await workbench.press("Tab");
  await workbench.waitForGone(selectors.ghostText);
  // Before the text (Home): the model's answer there would repeat what follows the cursor, so none shows.
  await workbench.press("Home");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(await workbench.page.locator(selectors.ghostText).count(), 0, "no ghost text before Tab");
  await workbench.press("Tab");
  await workbench.save();
  assert.equal(fs.readFileSync(file, "utf8"), TRIGGER_AND_INDENT_AFTER);
}

const TRIGGER_AND_INDENT_AFTER = "export function add(a: number, b: number): number {\n  return a + b;\n    return a + b;\n}\n";

export async function runUiScenario(options: UiScenarioOptions): Promise<void> {
  const file = path.join(options.workspace, "src", "math.ts");
  fs.writeFileSync(file, MATH_FILE_BEFORE);
  const host = await VsCodeHost.start({ settings: options.settings });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });
    await workbench.waitForStatusBarItem("Pocket Coder · idle", 60_000);
    console.log(`e2e: screenshot ${await acceptGhostTextOnNewLine(workbench, file, "ghost-text")}`);
    await triggerKeyAndTabIndent(workbench, file);
  } finally {
    await workbench?.close();
    await host.stop();
  }
}
