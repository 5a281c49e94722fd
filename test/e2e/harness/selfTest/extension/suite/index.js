"use strict";
// Extension-test entry point (extensionTestsPath), same contract as with @vscode/test-electron:
// run() resolves when all tests pass and rejects otherwise.
const path = require("path");
const Mocha = require("mocha");

exports.run = function run() {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 20000 });
  mocha.addFile(path.join(__dirname, "harness.test.js"));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
};
