// Runs a standard extension test suite (a module exporting `run(): Promise<void>`, as for
// @vscode/test-electron) inside the Node extension host of a fresh VsCodeHost, driven by a headless
// browser page that plays the part of the desktop window.
import * as util from "node:util";
import { Browser, launchChromium } from "./playwright";
import { Settings, VsCodeHost } from "./VsCodeHost";

export interface ExtensionTestRun {
  /** The extension(s) under test (folders holding their package.json). */
  extensionDevelopmentPath: string | string[];
  /** The suite's index module (with or without .js), as for @vscode/test-electron. */
  extensionTestsPath: string;
  /** Folder opened as the workspace; none when omitted. */
  workspaceFolder?: string;
  /** User settings for the run, over baseTestSettings. */
  settings?: Settings;
  /** Reaches the extension host's process.env (it inherits the server's environment). */
  env?: Record<string, string>;
  /** Whole-run limit; the run counts as failed (exit code 1) past it. Default 10 minutes. */
  timeoutMs?: number;
}

/** POCKET_CODER_E2E_VERBOSE=1 echoes the server's own output and full workbench error stacks. */
const verbose = process.env["POCKET_CODER_E2E_VERBOSE"] === "1";

/** Resolves with the suite's exit code: 0 when run() resolved, non-zero when it rejected. */
export async function runExtensionTests(run: ExtensionTestRun): Promise<number> {
  const host = await VsCodeHost.start({
    ...(run.settings && { settings: run.settings }),
    ...(run.env && { env: run.env }),
    echoServerLog: verbose,
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await browser.newContext()).newPage();
    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    // A crashed extension host (e.g. a native module aborting) makes the workbench report exit
    // code 0 after failing to reconnect; a suite that ran to its end exits its host with 0/null.
    let extensionHostCrashed = false;
    host.onExtensionHostExit(({ code, signal }) => {
      if (code === 0 && signal === null) return;
      extensionHostCrashed = true;
      console.error(`extension host exited unexpectedly (code ${code}, signal ${signal})`);
      reportExit(1);
    });
    // The workbench calls these (see vs/code/browser/workbench) when the smoke-test driver is on:
    // codeAutomationLog carries the extension host's console output (mocha's reporter included),
    // codeAutomationExit the result of the suite's run().
    await page.exposeFunction("codeAutomationLog", (level: string, lines: string[]) => printWorkbenchLog(level, lines));
    await page.exposeFunction("codeAutomationExit", (code: number) => reportExit(extensionHostCrashed ? 1 : code));

    const developmentPaths = ([] as string[]).concat(run.extensionDevelopmentPath);
    await page.goto(
      host.workbenchUrl(run.workspaceFolder, [
        ...developmentPaths.map((p): [string, string] => ["extensionDevelopmentPath", host.remoteUri(p)]),
        ["extensionTestsPath", host.remoteUri(run.extensionTestsPath)],
      ]),
    );
    return await withTimeout(exited, run.timeoutMs ?? 600_000, () => {
      console.error(`extension tests did not finish in ${run.timeoutMs ?? 600_000} ms`);
      return 1;
    });
  } finally {
    await browser?.close();
    await host.stop();
  }
}

/** `args` are one console call's arguments (format string first), from the extension host's
 * console or the workbench's own log. The workbench's errors in an offline sandbox (e.g. the
 * extension gallery unreachable) are expected, so their stack traces are shown only when verbose. */
function printWorkbenchLog(level: string, args: unknown): void {
  let text = Array.isArray(args) ? util.format(...(args as unknown[])) : String(args);
  if (level === "error" && !verbose) text = text.split("\n")[0] ?? "";
  (level === "error" ? process.stderr : process.stdout).write(`${text}\n`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(onTimeout()), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
