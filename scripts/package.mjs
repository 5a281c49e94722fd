#!/usr/bin/env node
// Builds a platform-specific VSIX that works with no network: the bundled extension, server and CLI,
// media, and a node_modules holding only node-llama-cpp's runtime closure with only the target's
// llama.cpp binaries (npm installs every variant: CUDA alone is over 500 MB).
//
//   npm run package                              # the host's target, e.g. dist/pocket-coder-linux-x64-0.1.0.vsix
//   npm run package -- --variant cuda            # + CUDA binaries: dist/pocket-coder-linux-x64-cuda-0.1.0.vsix
//   npm run package -- --target win32-x64        # another target (its @node-llama-cpp/* packages must be installed)
//   options: --out DIR (default dist), --keep-stage (print and keep the staging folder), --skip-build
//
// How: a production build goes into a staging folder with package.json (dependencies cut down to
// node-llama-cpp), README, LICENSE, SECURITY.md, media/** and the pruned node_modules; then
// `vsce package --target T` runs there. vsce lists node_modules with `npm list --production`, so it packs
// exactly the staged tree (with --no-dependencies it would leave node_modules out entirely).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { thirdPartyNotices } from "./thirdPartyNotices.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { targets } = JSON.parse(fs.readFileSync(path.join(ROOT, "scripts/vsix-targets.json"), "utf8"));

/**
 * Files of node-llama-cpp that only building llama.cpp from source needs (Pocket Coder never builds:
 * `build: "never"`), and the project templates of `npm create node-llama-cpp`; none is opened at runtime.
 */
const NOT_AT_RUNTIME = [
  /^node-llama-cpp\/llama\/gitRelease\.bundle$/,
  /^node-llama-cpp\/llama\/(addon|cmake|patches|profiles|toolchains|xpack)(\/|$)/, /^node-llama-cpp\/llama\/(CMakeLists\.txt|\.clang-format)$/,
  /^node-llama-cpp\/templates(\/|$)/,
];
/**
 * node-llama-cpp's dependencies for building llama.cpp and for its own CLI (`npx node-llama-cpp …`): the
 * runtime never opens them (traced with strace through complete, doctor and explain), so they are left out
 * with whatever only they need, and the staged node-llama-cpp/package.json stops listing them.
 */
const NEVER_LOADED = { "node-llama-cpp": ["cmake-js", "ignore", "node-addon-api", "validate-npm-package-name", "yargs"] };
/**
 * Loaded but never called: node-llama-cpp's entry imports its model downloader (ipull, an HTTP client) and
 * the git client it builds llama.cpp with (simple-git). Pocket Coder never downloads or builds through
 * node-llama-cpp, so each ships as a stub whose exports throw, generated from node-llama-cpp's own imports.
 */
const STUBBED = ["ipull", "simple-git"];
const STUB_MESSAGE = "Pocket Coder never downloads or builds llama.cpp through node-llama-cpp";
/** Never needed at runtime in any package. */
const DROPPED_FILES = /(\.d\.ts|\.d\.mts|\.d\.cts|\.map|\.tsbuildinfo)$/;

function parseArgs(argv) {
  const options = { target: hostTarget(), variant: undefined, out: path.join(ROOT, "dist"), keepStage: false, skipBuild: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--target") options.target = value();
    else if (arg === "--variant") options.variant = value();
    else if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--keep-stage") options.keepStage = true;
    else if (arg === "--skip-build") options.skipBuild = true;
    else throw new Error(`Unknown option ${arg}`);
  }
  return options;
}

function hostTarget() {
  const platform = process.platform;
  const arch = process.arch === "arm" ? "armhf" : process.arch;
  return `${platform}-${arch}`;
}

/** The binary packages and size budget for a target (and variant). */
export function targetSpec(target, variant) {
  const spec = targets[target];
  if (spec === undefined) throw new Error(`No VSIX target "${target}"; known: ${Object.keys(targets).join(", ")}`);
  if (variant === undefined) return { binaries: spec.binaries, budgetMB: spec.budgetMB };
  const variantSpec = spec.variants?.[variant];
  if (variantSpec === undefined) throw new Error(`Target ${target} has no "${variant}" variant.`);
  return variantSpec;
}

/**
 * node-llama-cpp and every package it needs at runtime, as paths relative to the repository (Node's
 * resolution): `packages` to copy, `stubs` to replace (STUBBED; their dependencies are not followed).
 */
function runtimeClosure(allowedBinaries) {
  const resolve = (fromDir, name) => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
      if (dir === ROOT || dir === path.dirname(dir)) return undefined;
    }
  };
  const start = resolve(ROOT, "node-llama-cpp");
  if (start === undefined) throw new Error("node-llama-cpp is not installed: run npm ci first.");
  const seen = new Set();
  const missingBinaries = new Set(allowedBinaries);
  const stack = [start];
  while (stack.length > 0) {
    const dir = stack.pop();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    if (STUBBED.includes(manifest.name)) continue;
    const optional = manifest.optionalDependencies ?? {};
    const left = NEVER_LOADED[manifest.name] ?? [];
    for (const name of Object.keys({ ...manifest.dependencies, ...optional })) {
      if (left.includes(name)) continue;
      if (name.startsWith("@node-llama-cpp/")) {
        const short = name.slice("@node-llama-cpp/".length);
        if (!allowedBinaries.includes(short)) continue;
        missingBinaries.delete(short);
      }
      const found = resolve(dir, name);
      if (found !== undefined) stack.push(found);
      else if (name.startsWith("@node-llama-cpp/")) missingBinaries.add(name.slice("@node-llama-cpp/".length));
      else if (!(name in optional)) throw new Error(`${name} (needed by ${path.relative(ROOT, dir)}) is not installed: run npm ci.`);
    }
  }
  for (const short of allowedBinaries) {
    if (!fs.existsSync(path.join(ROOT, "node_modules/@node-llama-cpp", short, "package.json"))) missingBinaries.add(short);
    else missingBinaries.delete(short);
  }
  if (missingBinaries.size > 0) {
    const version = JSON.parse(fs.readFileSync(path.join(start, "package.json"), "utf8")).version;
    const list = [...missingBinaries].map((name) => `@node-llama-cpp/${name}@${version}`).join(" ");
    throw new Error(`The target's llama.cpp binaries are not installed here: ${list}\n` +
      `Package on that platform, or fetch them from the npm registry first: npm install --no-save --force ${list}`);
  }
  const relative = [...seen].map((dir) => path.relative(ROOT, dir)).sort();
  const isStub = (dir) => STUBBED.includes(JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")).name);
  return { packages: relative.filter((dir) => !isStub(dir)), stubs: relative.filter(isStub) };
}

/** Top-level `import`/`export … from` of a package (or a path inside it), and `import()`/`require()` of one. */
function importsOf(text, name) {
  const quoted = `["']${name.replace(/[./]/g, "\\$&")}(/[^"']*)?["']`;
  const statements = [...text.matchAll(new RegExp(`\\b(import|export)\\s*([^;"'()]*?)\\s*from\\s*${quoted}`, "g"))]
    .map((match) => ({ kind: match[1], clause: match[2].trim(), subpath: match[3] }));
  const calls = [...text.matchAll(new RegExp(`\\b(import|require)\\s*\\(\\s*${quoted}\\s*\\)`, "g"))].map((match) => match[0]);
  return { statements, calls };
}

/**
 * The names the staged packages import from a stubbed package, read from their files. Anything a stub
 * cannot stand in for (a namespace import, `export *`, a subpath, `import()`, `require()`) stops packaging,
 * so that a node-llama-cpp update that uses the package differently fails here and not in a user's editor.
 */
function stubExports(name, stage, stagedFiles) {
  const names = new Set();
  let hasDefault = false;
  for (const file of stagedFiles) {
    const { statements, calls } = importsOf(fs.readFileSync(file, "utf8"), name);
    const where = path.relative(stage, file);
    if (calls.length > 0) throw new Error(`${where} loads ${name} with ${calls[0]}: a stub cannot stand in for it; ship ${name} (remove it from STUBBED in scripts/package.mjs).`);
    for (const { kind, clause, subpath } of statements) {
      const unsupported = subpath !== undefined ? `a path inside it (${name}${subpath})` : /\*/.test(clause) ? `"${kind} ${clause}"` : undefined;
      if (unsupported !== undefined) throw new Error(`${where} imports ${unsupported} from ${name}: a stub cannot stand in for it; ship ${name} (remove it from STUBBED in scripts/package.mjs).`);
      const braced = /\{([^}]*)\}/.exec(clause);
      const outside = clause.replace(/\{[^}]*\}/, "").replace(/,/g, " ").trim();
      if (kind === "import" && outside !== "" && outside !== "type") hasDefault = true;
      for (const part of (braced?.[1] ?? "").split(",")) {
        const imported = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]?.trim();
        if (imported === undefined || imported === "" || part.trim().startsWith("type ")) continue;
        if (imported === "default") hasDefault = true;
        else names.add(imported);
      }
    }
  }
  return { names: [...names].sort(), hasDefault };
}

/** A stub package: same name and version (npm list stays consistent), every imported name throwing when used. */
function writeStub(relativeDir, stage, stagedFiles) {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, relativeDir, "package.json"), "utf8"));
  const { names, hasDefault } = stubExports(manifest.name, stage, stagedFiles);
  const to = path.join(stage, relativeDir);
  fs.mkdirSync(to, { recursive: true });
  fs.writeFileSync(path.join(to, "package.json"), `${JSON.stringify({
    name: manifest.name, version: manifest.version, type: "module", main: "index.js", exports: "./index.js",
    description: `Stub written by Pocket Coder's scripts/package.mjs: ${STUB_MESSAGE}.`,
  }, null, 2)}\n`);
  const lines = [
    `// Stub written by Pocket Coder's scripts/package.mjs in place of ${manifest.name} ${manifest.version}: ${STUB_MESSAGE}.`,
    "function unavailable(name) {",
    `  const fail = () => { throw new Error(\`${manifest.name}.\${name}: ${STUB_MESSAGE}.\`); };`,
    "  return new Proxy(function () {}, { apply: fail, construct: fail, get: fail });",
    "}",
    ...names.map((exported) => `export const ${exported} = unavailable(${JSON.stringify(exported)});`),
    ...(hasDefault ? [`export default unavailable("default");`] : []),
  ];
  fs.writeFileSync(path.join(to, "index.js"), `${lines.join("\n")}\n`);
  return { name: manifest.name, names: hasDefault ? ["default", ...names] : names };
}

/** The staged package.json of a package some of whose dependencies are left out (NEVER_LOADED). */
function dropDependencies(relativeDir, stage) {
  const file = path.join(stage, relativeDir, "package.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  const left = NEVER_LOADED[manifest.name];
  if (left === undefined) return;
  for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
    for (const name of left) if (manifest[field] !== undefined) delete manifest[field][name];
  }
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

function scriptFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...scriptFiles(full));
    else if (/\.(js|mjs|cjs)$/.test(entry.name)) files.push(full);
  }
  return files;
}

function copyPackage(relativeDir, stage) {
  const from = path.join(ROOT, relativeDir);
  const to = path.join(stage, relativeDir);
  const inModules = relativeDir.split(path.sep).join("/").replace(/^node_modules\//, "");
  fs.cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (source) => {
      const inside = path.relative(from, source).split(path.sep).join("/");
      if (inside === "") return true;
      // Nested node_modules are packages of their own: copied only if they are in the closure.
      if (inside === "node_modules" || inside.startsWith("node_modules/")) return false;
      if (DROPPED_FILES.test(inside)) return false;
      return !NOT_AT_RUNTIME.some((pattern) => pattern.test(`${inModules}/${inside}`));
    },
  });
}

function stagedManifest(nodeLlamaCppVersion) {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  // Everything else is bundled into dist/*.js by esbuild; node-llama-cpp stays external (ESM + native).
  manifest.dependencies = { "node-llama-cpp": nodeLlamaCppVersion };
  delete manifest.devDependencies;
  delete manifest.scripts;
  return manifest;
}

function dirSize(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(full) : fs.statSync(full).size;
  }
  return total;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const spec = targetSpec(options.target, options.variant);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const label = `${options.target}${options.variant === undefined ? "" : `-${options.variant}`}`;
  const outFile = path.join(options.out, `${manifest.name}-${label}-${manifest.version}.vsix`);
  const started = Date.now();
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), `pocket-coder-vsix-${label}-`));
  try {
    const closure = runtimeClosure(spec.binaries);

    if (!options.skipBuild) {
      execFileSync(process.execPath, ["scripts/build.mjs", "--production", `--outdir=${path.join(stage, "dist")}`], { cwd: ROOT, stdio: "inherit" });
    } else {
      fs.mkdirSync(path.join(stage, "dist"));
      for (const file of ["extension.js", "server.js", "cli.js"]) fs.copyFileSync(path.join(ROOT, "dist", file), path.join(stage, "dist", file));
    }
    if (!fs.existsSync(path.join(ROOT, "media/explain/dist/explain.js"))) throw new Error("media/explain/dist/explain.js is missing: the build did not produce it.");
    fs.cpSync(path.join(ROOT, "media"), path.join(stage, "media"), { recursive: true });
    for (const file of ["README.md", "LICENSE", "SECURITY.md", "CHANGELOG.md"]) fs.copyFileSync(path.join(ROOT, file), path.join(stage, file));
    fs.writeFileSync(path.join(stage, "THIRD_PARTY_NOTICES.txt"), thirdPartyNotices(ROOT));
    // The repository's allow-list, plus the staged node_modules (already pruned to the target).
    fs.writeFileSync(path.join(stage, ".vscodeignore"),
      `${fs.readFileSync(path.join(ROOT, ".vscodeignore"), "utf8").trimEnd()}\n# Added by scripts/package.mjs: the staged runtime closure.\n!node_modules/**\n`);
    const nodeLlamaCppVersion = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")).version;
    fs.writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(stagedManifest(nodeLlamaCppVersion), null, 2)}\n`);
    for (const relativeDir of closure.packages) {
      copyPackage(relativeDir, stage);
      dropDependencies(relativeDir, stage);
    }
    const stagedFiles = scriptFiles(path.join(stage, "node_modules"));
    const stubs = closure.stubs.map((relativeDir) => writeStub(relativeDir, stage, stagedFiles));
    const stagedModules = dirSize(path.join(stage, "node_modules"));

    fs.mkdirSync(options.out, { recursive: true });
    fs.rmSync(outFile, { force: true });
    const vsce = path.join(ROOT, "node_modules/@vscode/vsce/vsce");
    execFileSync(process.execPath, [vsce, "package", "--target", options.target, "--out", outFile, "--no-yarn", "--no-update-package-json", "--no-git-tag-version"], {
      cwd: stage,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    });

    const size = fs.statSync(outFile).size;
    const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
    console.log(`\n${path.relative(process.cwd(), outFile)}: ${mb(size)} MB (budget ${spec.budgetMB} MB); ` +
      `node_modules staged ${mb(stagedModules)} MB in ${closure.packages.length} packages + stubs for ${stubs.map((stub) => `${stub.name} (${stub.names.join(", ")})`).join(", ")}; binaries: ${spec.binaries.join(", ")}; ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (size > spec.budgetMB * 1024 * 1024) {
      console.error(`The VSIX is over its ${spec.budgetMB} MB budget (scripts/vsix-targets.json).`);
      process.exitCode = 1;
    }
  } finally {
    if (options.keepStage) console.log(`Staging folder kept: ${stage}`);
    else fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
