// `npm start`: build, then open VS Code with Pocket Coder loaded from this folder.
//   - the `code` command when it is on PATH (desktop VS Code, Extension Development Host);
//   - otherwise the bundled test host: a real VS Code 1.100 from npm, served on 127.0.0.1 (open the printed URL).
// The model comes from pocketCoder.model.path or, when that is empty, from POCKET_CODER_MODEL.
// Usage: npm start [-- FOLDER]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });

/** The options `npm start` starts the bundled VS Code with (test/e2e/start/connectionTokenScenario.ts starts it so). */
export function bundledHostOptions(environment = process.env) {
  const env = environment.POCKET_CODER_MODEL ? { POCKET_CODER_MODEL: environment.POCKET_CODER_MODEL } : {};
  // A fresh secret per start: without it, any local user who finds the port gets an editor and a terminal as you.
  const connectionToken = randomBytes(24).toString("base64url");
  return { env, connectionToken, settings: { "workbench.startupEditor": "none" } };
}

async function main() {
  const folder = path.resolve(process.argv[2] ?? process.cwd());
  run("npm", ["run", "--silent", "build"]);
  if (!process.env.POCKET_CODER_MODEL) {
    console.log("Tip: set POCKET_CODER_MODEL=/path/to/model.gguf, or choose one with \"Pocket Coder: Select Model…\".");
  }

  if (spawnSync("code", ["--version"], { stdio: "ignore" }).status === 0) {
    spawn("code", [`--extensionDevelopmentPath=${root}`, folder], { stdio: "inherit", env: process.env });
    return;
  }
  console.log("No `code` command found: starting the bundled VS Code (code-server 4.100.3) instead.");
  run("bash", ["test/e2e/host/setup.sh"]);
  run("npx", ["tsc", "-p", "."]);
  const require = createRequire(import.meta.url);
  const { VsCodeHost } = require(path.join(root, "out", "test", "e2e", "harness", "VsCodeHost.js"));
  const host = await VsCodeHost.start(bundledHostOptions());
  const url = host.workbenchUrl(fs.existsSync(folder) ? folder : root, [["extensionDevelopmentPath", host.remoteUri(root)]]);
  console.log(`\nPocket Coder is running on 127.0.0.1 only, protected by a one-time token (in the address below; keep it private).\n` +
    `Open this address in a browser on this machine:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  const stop = async () => {
    await host.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
