// What a person sees: a first start without a model (an invitation, the walkthrough), then the status bar menu —
// snooze, cancel, off and on for a language — with the ghost text coming and going as the status says.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { selectors, VsCodeHost, Workbench } from "../harness";
import { MATH_FILE_BEFORE } from "./ghostTextScenario";

export interface QuickControlsScenarioOptions {
  readonly repoRoot: string;
  readonly workspace: string;
  /** With a model (the menu part). */
  readonly settings: Record<string, unknown>;
}

const TOAST = ".notifications-toasts .notification-toast";
const STATUS = `${selectors.statusBarItem}:has-text("Pocket Coder")`;

async function pickFromMenu(workbench: Workbench, label: string): Promise<void> {
  await workbench.page.locator(STATUS).first().click();
  const row = workbench.page.locator(`${selectors.quickInputRow}:has-text("${label}")`).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await workbench.waitForGone(selectors.quickInput, 10_000);
}

/** A new line inside the function of MATH_FILE_BEFORE, where the designed model answers; undoes the previous one first. */
async function newLineInFunction(workbench: Workbench, undoFirst: boolean): Promise<void> {
  if (undoFirst) await workbench.press("Control+Z");
  await workbench.press("Control+Home");
  await workbench.press("End");
  await workbench.press("Enter");
}

async function assertNoGhostText(workbench: Workbench, why: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(await workbench.page.locator(selectors.ghostText).count(), 0, why);
}

/** No model: a neutral "Set up Pocket Coder", one welcome with Get Started, the walkthrough; a reload is not welcomed again. */
async function firstStart(options: QuickControlsScenarioOptions): Promise<void> {
  const host = await VsCodeHost.start({ settings: {} });
  try {
    const workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });
    try {
      await workbench.waitForStatusBarItem("Set up Pocket Coder", 60_000);
      // VS Code marks items with an error or warning background by these classes.
      assert.equal(await workbench.page.locator(`${selectors.statusBarItem}.error-kind, ${selectors.statusBarItem}.warning-kind`).count(), 0,
        "the invitation is not an error");
      const welcome = workbench.page.locator(`${TOAST}:has-text("Welcome to Pocket Coder")`);
      await welcome.waitFor({ timeout: 30_000 });
      assert.equal(await workbench.page.locator(`${TOAST} .codicon-error`).count(), 0, "no error notification");
      console.log(`e2e: screenshot ${await workbench.screenshot("welcome")}`);
      await welcome.locator(".monaco-button:has-text(\"Get Started\")").click();
      await workbench.waitFor(`.gettingStartedContainer :text("Get Started with Pocket Coder")`, 30_000);
      for (const step of ["Choose a code model", "Try a completion", "Explain a selection", "The air-gapped checklist"]) {
        await workbench.waitFor(`.gettingStartedContainer :text("${step}")`, 10_000);
      }
      assert.equal(await workbench.page.locator(`.gettingStartedContainer :text("Or download a recommended model")`).count(), 0,
        "the download step shows only where downloads are allowed");
      console.log(`e2e: screenshot ${await workbench.screenshot("walkthrough")}`);

      // The same window reloaded: the invitation stays in the status bar, the welcome is not repeated.
      await workbench.runCommand("Developer: Reload Window");
      await workbench.page.waitForFunction("!!window.driver", undefined, { timeout: 60_000 });
      await workbench.waitForStatusBarItem("Set up Pocket Coder", 60_000);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal(await workbench.page.locator(`${TOAST}:has-text("Welcome to Pocket Coder")`).count(), 0, "welcomed once");
    } finally {
      await workbench.close();
    }
  } finally {
    await host.stop();
  }
}

async function menu(options: QuickControlsScenarioOptions): Promise<void> {
  fs.writeFileSync(path.join(options.workspace, "src", "math.ts"), MATH_FILE_BEFORE);
  // The language toggle writes the layer that decides, here the workspace's: in code-server a write to the user
  // settings from the extension host drops the machine-scoped settings this harness gives there (the model path).
  fs.mkdirSync(path.join(options.workspace, ".vscode"), { recursive: true });
  fs.writeFileSync(path.join(options.workspace, ".vscode", "settings.json"), JSON.stringify({ "[typescript]": { "pocketCoder.completion.enabled": true } }));
  const host = await VsCodeHost.start({ settings: options.settings });
  try {
    const workbench = await Workbench.open(host, options.workspace, { extensionDevelopmentPath: options.repoRoot });
    try {
      await workbench.waitForStatusBarItem("Pocket Coder · idle", 60_000);
      await workbench.openFile("src/math.ts");
      await workbench.page.locator(STATUS).first().click();
      for (const label of ["Turn off inline completions", "Turn off for typescript", "Snooze for 5 minutes", "Snooze for 15 minutes",
        "Snooze for 60 minutes", "Select model…", "Doctor", "Show statistics", "Show logs", "Restart server"]) {
        await workbench.waitFor(`${selectors.quickInputRow}:has-text("${label}")`, 10_000);
      }
      console.log(`e2e: screenshot ${await workbench.screenshot("quick-controls")}`);
      await workbench.press("Escape");

      await pickFromMenu(workbench, "Snooze for 15 minutes");
      await workbench.waitForStatusBarItem("Pocket Coder: snoozed until", 10_000);
      await newLineInFunction(workbench, false);
      await assertNoGhostText(workbench, "snoozed: no ghost text");

      await pickFromMenu(workbench, "Cancel snooze");
      await workbench.waitForStatusBarItem("Pocket Coder · idle", 10_000);
      await newLineInFunction(workbench, true);
      await workbench.waitFor(selectors.ghostText, 30_000);
      await workbench.press("Escape");

      await pickFromMenu(workbench, "Turn off for typescript");
      await workbench.waitForStatusBarItem("Pocket Coder: off for typescript", 10_000);
      await newLineInFunction(workbench, true);
      await assertNoGhostText(workbench, "off for typescript: no ghost text");
      await pickFromMenu(workbench, "Turn on for typescript");
      await workbench.waitForStatusBarItem("Pocket Coder · CPU", 10_000);
      await newLineInFunction(workbench, true);
      await workbench.waitFor(selectors.ghostText, 30_000);
    } catch (error) {
      console.log(`e2e: screenshot ${await workbench.screenshot("quick-controls-failure")}`);
      throw error;
    } finally {
      await workbench.close();
    }
  } finally {
    await host.stop();
  }
}

export async function runQuickControlsScenario(options: QuickControlsScenarioOptions): Promise<void> {
  await firstStart(options);
  await menu(options);
}
