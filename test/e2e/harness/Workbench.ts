// Drives the VS Code workbench of a running VsCodeHost in headless chromium, for UI-level tests
// (ghost text, webviews, keyboard). One VsCodeHost can serve many Workbench pages in turn.
import * as fs from "node:fs";
import * as path from "node:path";
import { testResultsDir } from "./hostPaths";
import { Browser, BrowserContext, FrameLocator, launchChromium, Locator, Page } from "./playwright";
import { VsCodeHost } from "./VsCodeHost";

/** Selectors for parts of the workbench that tests wait for. */
export const selectors = {
  ghostText: ".monaco-editor .ghost-text-decoration",
  quickInput: ".quick-input-widget input",
  quickInputRow: ".quick-input-widget .monaco-list-row",
  activeTab: ".tabs-container .tab.active",
  dirtyActiveTab: ".tabs-container .tab.active.dirty",
  focusedEditor: ".monaco-editor.focused",
  statusBarItem: ".statusbar-item",
} as const;

export interface OpenWorkbenchOptions {
  /** Load this extension from source, as in an Extension Development Host window. */
  extensionDevelopmentPath?: string;
  /** Reuse a browser (e.g. one per test file); by default each Workbench launches its own. */
  browser?: Browser;
  viewport?: { width: number; height: number };
}

export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly ownBrowser: Browser | undefined,
  ) {}

  /** Opens the workbench on `folder` and resolves once the workbench is restored. */
  static async open(host: VsCodeHost, folder: string, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
    const ownBrowser = options.browser ? undefined : await launchChromium();
    const browser = options.browser ?? ownBrowser;
    if (!browser) throw new Error("no browser");
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      // The extension host's console output in a normal window ends up in the page's console.
      if (process.env["POCKET_CODER_E2E_VERBOSE"] === "1") {
        page.on("console", (message) => process.stderr.write(`[page ${message.type()}] ${message.text()}\n`));
      }
      const payload: Array<[string, string]> = options.extensionDevelopmentPath
        ? [["extensionDevelopmentPath", host.remoteUri(options.extensionDevelopmentPath)]]
        : [];
      await page.goto(host.workbenchUrl(folder, payload));
      // --enable-smoke-test-driver puts VS Code's own test driver on window.driver; it knows when
      // the workbench has finished restoring, which beats guessing with sleeps.
      await page.waitForFunction("!!window.driver", undefined, { timeout: 60_000 });
      await page.evaluate("window.driver.whenWorkbenchRestored()");
      return new Workbench(page, context, ownBrowser);
    } catch (error) {
      await context.close();
      await ownBrowser?.close();
      throw error;
    }
  }

  /** Opens a file of the workspace through Quick Open (Ctrl+P) and waits until its editor has focus. */
  async openFile(relativePath: string): Promise<void> {
    const name = path.basename(relativePath);
    await this.page.keyboard.press("Control+P");
    await this.waitFor(selectors.quickInput);
    await this.page.keyboard.insertText(relativePath);
    // The first row is the best match once the file search has answered.
    await this.page.locator(`${selectors.quickInputRow}:has-text("${name}")`).first().waitFor({ timeout: 30_000 });
    await this.page.keyboard.press("Enter");
    await this.waitFor(`${selectors.activeTab}:has-text("${name}")`);
    await this.waitFor(selectors.focusedEditor);
    await this.waitForIdle();
  }

  /** Resolves when the page next has idle time. A new editor creates some of its features, the
   * inline suggestion controller among them, only in an idle callback (or after 5 s); typing
   * before that gets no ghost text. Idle callbacks run in the order they were requested, so ours
   * runs after the editor's. */
  async waitForIdle(timeoutMs = 10_000): Promise<void> {
    await this.page.evaluate(
      `new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: ${timeoutMs} }))`,
    );
  }

  /** Types like a user, key by key (so editor features such as inline suggestions react). */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 20 });
  }

  /** Presses a key or chord, e.g. "Tab", "Control+S", "Escape". */
  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  /** Waits until `selector` is visible (and returns its locator). */
  async waitFor(selector: string, timeoutMs = 30_000): Promise<Locator> {
    const locator = this.page.locator(selector).first();
    await locator.waitFor({ state: "visible", timeout: timeoutMs });
    return locator;
  }

  /** Waits until nothing matches `selector` any more (e.g. the dirty marker after a save). */
  async waitForGone(selector: string, timeoutMs = 30_000): Promise<void> {
    await this.page.locator(selector).first().waitFor({ state: "hidden", timeout: timeoutMs });
  }

  /** Waits for a status bar entry showing `text`. An extension activates some time after the
   * workbench is restored; waiting for something it shows avoids typing before its providers exist. */
  async waitForStatusBarItem(text: string, timeoutMs = 30_000): Promise<Locator> {
    return this.waitFor(`${selectors.statusBarItem}:has-text("${text}")`, timeoutMs);
  }

  /** Ctrl+S, then waits for the active tab to lose its dirty marker. */
  async save(): Promise<void> {
    await this.press("Control+S");
    await this.waitForGone(selectors.dirtyActiveTab);
  }

  /** Runs a command through the command palette by its title, e.g. "Developer: Reload Window". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press("Control+Shift+P");
    await this.waitFor(selectors.quickInput);
    await this.page.keyboard.insertText(title);
    await this.page.locator(`${selectors.quickInputRow}:has-text("${title}")`).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press("Enter");
  }

  /** The content document of the visible webview (e.g. a panel the extension opened). */
  webview(): FrameLocator {
    return this.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
  }

  /** Saves a PNG to test-results/<name>.png (git-ignored) and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(testResultsDir, { recursive: true });
    const file = path.join(testResultsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.context.close();
    await this.ownBrowser?.close();
  }
}
