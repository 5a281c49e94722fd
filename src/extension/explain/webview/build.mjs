// esbuild options for the Explain webview bundle: src/extension/explain/webview/main.ts → media/explain/dist/explain.js.
// scripts/build.mjs adds `webviewBuildOptions` to its build list; `node src/extension/explain/webview/build.mjs` builds it alone.
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../../..");

/** @type {import("esbuild").BuildOptions} */
export const webviewBuildOptions = {
  entryPoints: [path.join(here, "main.ts")],
  outfile: path.join(root, "media/explain/dist/explain.js"),
  tsconfig: path.join(here, "tsconfig.json"),
  bundle: true,
  platform: "browser",
  format: "iife",
  // VS Code 1.100 runs webviews in Electron 34 (Chromium 132).
  target: "chrome120",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  logLevel: "info",
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const esbuild = await import("esbuild");
  if (process.argv.includes("--watch")) await (await esbuild.context(webviewBuildOptions)).watch();
  else await esbuild.build(webviewBuildOptions);
}
