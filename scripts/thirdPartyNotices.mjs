// THIRD_PARTY_NOTICES.txt for the VSIX, generated at package time from the license files in node_modules:
// the packages esbuild bundles into dist/*.js and the Explain webview (with their dependencies), node-llama-cpp
// and llama.cpp, whose binaries ship inside node-llama-cpp's platform packages.
import * as fs from "node:fs";
import * as path from "node:path";

/** What the bundles contain: these packages and everything they depend on. */
const BUNDLED_ROOTS = [
  "vscode-languageclient", "vscode-languageserver", "vscode-languageserver-textdocument", // dist/extension.js, server.js, cli.js
  "markdown-it", "dompurify", "highlight.js", // media/explain/dist/explain.js
];

/** llama.cpp is compiled into node-llama-cpp's binaries; its license file is not in node_modules. */
const LLAMA_CPP = `llama.cpp (https://github.com/ggml-org/llama.cpp), compiled into the @node-llama-cpp/* binaries
MIT License

Copyright (c) 2023-2024 The ggml authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

function readManifest(root, name) {
  const file = path.join(root, "node_modules", name, "package.json");
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

function licenseText(root, name) {
  const folder = path.join(root, "node_modules", name);
  const file = fs.readdirSync(folder).find((entry) => /^(licen[cs]e|copying)(-mit)?(\.(md|txt))?$/i.test(entry));
  if (file === undefined) throw new Error(`${name} has no license file: add its notice to scripts/thirdPartyNotices.mjs by hand.`);
  return fs.readFileSync(path.join(folder, file), "utf8").trim();
}

/** The notices text; throws when a package's license file cannot be found, so nothing ships without one. */
export function thirdPartyNotices(root) {
  const names = new Set();
  const visit = (name) => {
    if (names.has(name)) return;
    const manifest = readManifest(root, name);
    if (manifest === undefined) return;
    names.add(name);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  for (const name of BUNDLED_ROOTS) visit(name);
  // node-llama-cpp itself; its runtime dependencies ship as packages in node_modules, each with its own license file.
  names.add("node-llama-cpp");
  const sections = [...names].sort().map((name) => {
    const manifest = readManifest(root, name);
    return `${name} ${manifest.version} (${manifest.license ?? "see below"})\n\n${licenseText(root, name)}\n`;
  });
  return [
    "Pocket Coder includes the following third-party software. Their notices follow.",
    "",
    ...[...sections, LLAMA_CPP].map((section) => `${"-".repeat(78)}\n${section}`),
  ].join("\n");
}

if (process.argv[1] === new URL(import.meta.url).pathname) process.stdout.write(thirdPartyNotices(path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")));
