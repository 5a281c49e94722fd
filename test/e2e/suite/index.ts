// Entry that VS Code's extension host calls (extensionTestsPath): runs the mocha suites in this folder.
import * as path from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", timeout: 120_000, color: false, reporter: "spec" });
  const only = process.env["POCKET_CODER_E2E_SUITE"] ?? "extension";
  mocha.addFile(path.join(__dirname, `${only}.e2e.js`));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      // The closing line CI reads, whatever the reporter printed.
      console.log(`e2e: ${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} end-to-end test(s) failed.`));
      else resolve();
    });
  });
}
