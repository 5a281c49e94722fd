// playwright-core lives only in test/e2e/host/node_modules (installed by setup.sh), so it is loaded
// from there at run time, and typed here by the small subset the harness uses: importing its types
// would break `tsc -p .` on a checkout where setup.sh has not run yet.
import * as path from "node:path";
import { chromiumPath, hostDir } from "./hostPaths";

export interface Locator {
  click(options?: { timeout?: number }): Promise<void>;
  waitFor(options?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<void>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  allTextContents(): Promise<string[]>;
  count(): Promise<number>;
  first(): Locator;
  locator(selector: string): Locator;
}

export interface FrameLocator {
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface Page {
  goto(url: string, options?: { timeout?: number; waitUntil?: "load" | "domcontentloaded" | "commit" }): Promise<unknown>;
  exposeFunction(name: string, callback: (...args: never[]) => unknown): Promise<void>;
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
  waitForSelector(selector: string, options?: { state?: "attached" | "visible" | "hidden"; timeout?: number }): Promise<unknown>;
  waitForFunction(fn: string | (() => unknown), arg?: unknown, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  evaluate<R>(fn: string | (() => R | Promise<R>)): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<Buffer>;
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", listener: (error: Error) => void): void;
  keyboard: Keyboard;
  close(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(options?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: {
    launch(options: { executablePath: string; headless: boolean; args: string[]; timeout?: number }): Promise<Browser>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by absolute path on purpose (see above)
const playwrightCore = (): PlaywrightCore => require(path.join(hostDir, "node_modules", "playwright-core")) as PlaywrightCore;

/** Headless Debian chromium. The flags keep it from reaching for the network (which is absent)
 * and from needing a GPU or a user namespace sandbox (we run as root in containers). */
export async function launchChromium(): Promise<Browser> {
  return playwrightCore().chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
