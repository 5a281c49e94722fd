// The e2e harness's public API: a real VS Code (code-server 4.100.3 = VS Code 1.100.3) for tests.
// Install it first with test/e2e/host/setup.sh. See README.md.
export { VsCodeHost, baseTestSettings } from "./VsCodeHost";
export type { VsCodeHostOptions, Settings, ExtensionHostExit } from "./VsCodeHost";
export { runExtensionTests } from "./runExtensionTests";
export type { ExtensionTestRun } from "./runExtensionTests";
export { runE2eSuite, selectedVsCode } from "./runE2e";
export type { E2eSuite } from "./runE2e";
export { Workbench, selectors } from "./Workbench";
export type { OpenWorkbenchOptions } from "./Workbench";
export { launchChromium } from "./playwright";
export type { Browser, Page, Locator, FrameLocator } from "./playwright";
export { codeServerLauncherPath, hostDir, repoRoot, testResultsDir } from "./hostPaths";
