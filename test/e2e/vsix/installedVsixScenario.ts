// The air-gapped path, as an administrator does it: install the built VSIX (not the development
// folder) into a real VS Code, point it at a GGUF file, and complete. Run by runAll.ts inside a network
// namespace with only loopback (`unshare -n`), so any attempt to reach the network would fail it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VsCodeHost, Workbench } from "../harness";
import { acceptGhostTextOnNewLine, MATH_FILE_BEFORE } from "../ui/ghostTextScenario";

async function main(): Promise<void> {
  const [vsixPath, modelPath] = process.argv.slice(2);
  if (vsixPath === undefined || modelPath === undefined) throw new Error("usage: installedVsixScenario VSIX MODEL");
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-e2e-vsix-"));
  fs.mkdirSync(path.join(workspace, "src"));
  const file = path.join(workspace, "src", "math.ts");
  fs.writeFileSync(file, MATH_FILE_BEFORE);

  const host = await VsCodeHost.start({
    installVsix: vsixPath,
    settings: {
      "pocketCoder.model.path": modelPath, "pocketCoder.gpu": "cpu", "pocketCoder.threads": 1,
      "editor.tabSize": 2, "editor.detectIndentation": false,
    },
  });
  let workbench: Workbench | undefined;
  try {
    const installed = fs.readdirSync(host.dirs.extensions).filter((name) => name.startsWith("pocket-coder.pocket-coder-"));
    assert.equal(installed.length, 1, `installed extensions: ${fs.readdirSync(host.dirs.extensions).join(", ")}`);
    workbench = await Workbench.open(host, workspace);
    await workbench.waitForStatusBarItem("Pocket Coder · idle", 60_000);
    const screenshot = await acceptGhostTextOnNewLine(workbench, file, "installed-vsix");
    console.log(`e2e: installed ${installed[0]} from the VSIX and completed offline; screenshot ${screenshot}`);
  } finally {
    await workbench?.close();
    await host.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
