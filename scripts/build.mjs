// Bundles the extension and the language server with esbuild.
// node-llama-cpp stays external: it is ESM-only and loads native binaries that ship beside it.
import * as esbuild from "esbuild";
import { webviewBuildOptions } from "../src/extension/explain/webview/build.mjs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
// `--outdir=DIR` puts the three Node bundles elsewhere (the VSIX packager builds into its staging folder).
const outdir = process.argv.find((arg) => arg.startsWith("--outdir="))?.slice("--outdir=".length) ?? "dist";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

const builds = [
  { ...common, entryPoints: ["src/extension/extension.ts"], outfile: `${outdir}/extension.js`, external: ["vscode"] },
  { ...common, entryPoints: ["src/server/main.ts"], outfile: `${outdir}/server.js`, external: ["node-llama-cpp"] },
  { ...common, entryPoints: ["src/server/cli.ts"], outfile: `${outdir}/cli.js`, external: ["node-llama-cpp"], banner: { js: "#!/usr/bin/env node" } },
  // The explain panel's script runs in the webview (a browser): its own options, not `common`.
  webviewBuildOptions,
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
