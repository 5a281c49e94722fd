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

/** Files of node-llama-cpp that only building llama.cpp from source needs (Pocket Coder never builds: `build: "never"`). */
const NOT_AT_RUNTIME = [/^node-llama-cpp\/llama\/gitRelease\.bundle$/];
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

/** node-llama-cpp and every package it needs at runtime, as paths relative to the repository (Node's resolution). */
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
    const optional = manifest.optionalDependencies ?? {};
    for (const name of Object.keys({ ...manifest.dependencies, ...optional })) {
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
  return [...seen].map((dir) => path.relative(ROOT, dir)).sort();
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
    for (const relativeDir of closure) copyPackage(relativeDir, stage);
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
      `node_modules staged ${mb(stagedModules)} MB in ${closure.length} packages; binaries: ${spec.binaries.join(", ")}; ` +
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
