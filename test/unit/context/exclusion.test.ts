import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { FilePolicy } from "../../../src/server/context/FilePolicy";
import { GitIgnoreIndex, type FileReader } from "../../../src/server/context/gitIgnore";
import { compileGlob, GlobRules } from "../../../src/server/context/globs";
import { DEFAULT_EXCLUDE, DEFAULT_SETTINGS, normalizeSettings } from "../../../src/shared/settings";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..", "..");

describe("globs (gitignore style)", () => {
  test("a pattern without a slash matches the name in any folder", () => {
    const rules = new GlobRules(["*.pem", ".env*"]);
    assert.equal(rules.matches("server.pem"), true);
    assert.equal(rules.matches("deploy/certs/server.pem"), true);
    assert.equal(rules.matches(".env"), true);
    assert.equal(rules.matches("app/.env.local"), true);
    assert.equal(rules.matches("src/env.ts"), false);
    assert.equal(rules.matches("src/pem.ts"), false);
  });

  test("a pattern with a slash is anchored; ** crosses folders; a trailing slash means a folder and all below it", () => {
    const rules = new GlobRules(["config/*.yml", "/build", "docs/**/draft-*.md", "secrets/"]);
    assert.equal(rules.matches("config/prod.yml"), true);
    assert.equal(rules.matches("app/config/prod.yml"), false);
    assert.equal(rules.matches("config/nested/prod.yml"), false);
    assert.equal(rules.matches("build/out.js"), true);
    assert.equal(rules.matches("src/build/out.js"), false);
    assert.equal(rules.matches("docs/draft-1.md"), true);
    assert.equal(rules.matches("docs/a/b/draft-2.md"), true);
    assert.equal(rules.matches("app/secrets/token.txt"), true);
    assert.equal(rules.matches("app/secrets"), false, "a folder-only pattern does not match a file of that name");
  });

  test("negation, character classes, braces, escapes and comments", () => {
    const rules = new GlobRules(["# comment", "*.log", "!keep.log", "file[0-9].txt", "*.{crt,cer}", "\\#hash"]);
    assert.equal(rules.matches("debug.log"), true);
    assert.equal(rules.matches("keep.log"), false);
    assert.equal(rules.matches("file7.txt"), true);
    assert.equal(rules.matches("fileX.txt"), false);
    assert.equal(rules.matches("a.cer"), true);
    assert.equal(rules.matches("#hash"), true);
    assert.equal(compileGlob("   "), undefined);
    assert.equal(compileGlob("# x"), undefined);
  });

  test("the default exclusions cover secrets and leave source files alone", () => {
    const rules = new GlobRules(DEFAULT_EXCLUDE);
    for (const secret of [
      ".env", ".env.production", "config/.env.local", "prod.env", "certs/server.pem", "tls.key", "store.p12", "cert.pfx", "home/.ssh/id_rsa",
      "id_ed25519.pub", ".npmrc", ".netrc", ".git-credentials", "credentials.json", "gcp/service-account-prod.json", "vault.kdbx",
      ".aws/credentials", "x/.docker/config.json", "terraform.tfvars",
    ]) assert.equal(rules.matches(secret), true, secret);
    for (const source of ["src/env.ts", "src/keys.ts", "README.md", "src/credentials.ts", "package.json", "src/secrets.ts", "docs/environment.md"]) {
      assert.equal(rules.matches(source), false, source);
    }
  });

  test("package.json's default for pocketCoder.exclude is the server's default", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      contributes: { configuration: Array<{ properties: Record<string, { default?: unknown }> }> };
    };
    const declared = manifest.contributes.configuration.flatMap((section) => Object.entries(section.properties)).find(([key]) => key === "pocketCoder.exclude");
    assert.deepEqual(declared?.[1].default, [...DEFAULT_EXCLUDE]);
  });

  test("settings: exclude and context.includeGitIgnored are read, bad values reported", () => {
    assert.deepEqual(normalizeSettings({}).settings.exclude, DEFAULT_EXCLUDE);
    const read = normalizeSettings({ exclude: ["*.secret", 3], context: { includeGitIgnored: true } });
    assert.deepEqual(read.settings.exclude, ["*.secret"]);
    assert.equal(read.settings.context.includeGitIgnored, true);
    assert.equal(read.problems.length, 1);
    assert.deepEqual(normalizeSettings({ exclude: "*.pem" }).settings.exclude, DEFAULT_SETTINGS.exclude);
  });
});

/** An in-memory file system for the git-ignore reader. */
function memoryFiles(files: Record<string, string>): FileReader {
  const normalized = new Map(Object.entries(files).map(([name, text]) => [path.resolve(name), text]));
  return {
    readText: (filePath) => normalized.get(path.resolve(filePath)),
    exists: (filePath) => normalized.has(path.resolve(filePath)) || [...normalized.keys()].some((name) => name.startsWith(path.resolve(filePath) + path.sep)),
  };
}

describe("GitIgnoreIndex", () => {
  const files = memoryFiles({
    "/repo/.git/HEAD": "ref: refs/heads/main\n",
    "/repo/.git/info/exclude": "local-notes.md\n",
    "/repo/.gitignore": "node_modules/\n*.log\n/dist\nconfig/local.*\n",
    "/repo/packages/app/.gitignore": "generated/\n!important.log\n",
  });
  const index = new GitIgnoreIndex(files);

  test("root rules, anchored rules, folder rules and info/exclude", () => {
    assert.equal(index.isIgnored("/repo/node_modules/lib/index.js"), true);
    assert.equal(index.isIgnored("/repo/packages/app/node_modules/x.js"), true);
    assert.equal(index.isIgnored("/repo/debug.log"), true);
    assert.equal(index.isIgnored("/repo/dist/out.js"), true);
    assert.equal(index.isIgnored("/repo/packages/app/dist/out.js"), false, "/dist is anchored at the root");
    assert.equal(index.isIgnored("/repo/config/local.json"), true);
    assert.equal(index.isIgnored("/repo/local-notes.md"), true);
    assert.equal(index.isIgnored("/repo/src/index.ts"), false);
  });

  test("a nested .gitignore adds rules for its folder and can re-include a file", () => {
    assert.equal(index.isIgnored("/repo/packages/app/generated/types.ts"), true);
    assert.equal(index.isIgnored("/repo/generated/types.ts"), false);
    assert.equal(index.isIgnored("/repo/packages/app/important.log"), false);
    assert.equal(index.isIgnored("/repo/packages/app/other.log"), true);
  });

  test("outside a repository nothing is ignored", () => {
    assert.equal(index.isIgnored("/elsewhere/debug.log"), false);
  });
});

describe("FilePolicy", () => {
  const reader = memoryFiles({ "/repo/.git/HEAD": "x", "/repo/.gitignore": "build/\n" });
  const uri = (name: string) => pathToFileURL(path.join("/repo", name)).toString();
  const policyFor = (includeGitIgnored: boolean, exclude = DEFAULT_EXCLUDE) =>
    new FilePolicy(() => ({ exclude, context: { includeGitIgnored } }), (u) => path.relative("/repo", new URL(u).pathname), new GitIgnoreIndex(reader));

  test("an excluded file is neither completed nor shared; a git-ignored one is completed but not shared unless opted in", () => {
    const policy = policyFor(false);
    assert.equal(policy.isExcluded(uri(".env")), true);
    assert.equal(policy.mayShare(uri(".env")), false);
    assert.equal(policy.isExcluded(uri("build/gen.ts")), false);
    assert.equal(policy.mayShare(uri("build/gen.ts")), false);
    assert.equal(policy.mayShare(uri("src/a.ts")), true);
    assert.equal(policyFor(true).mayShare(uri("build/gen.ts")), true);
    assert.equal(policyFor(true).mayShare(uri(".env")), false, "opting in to git-ignored files never shares an excluded one");
  });

  test("the exclusion list follows the settings", () => {
    let exclude: readonly string[] = ["*.secret"];
    const policy = new FilePolicy(() => ({ exclude, context: { includeGitIgnored: false } }), (u) => new URL(u).pathname, new GitIgnoreIndex(reader));
    assert.equal(policy.isExcluded(uri("a.secret")), true);
    exclude = [];
    assert.equal(policy.isExcluded(uri("a.secret")), false);
  });
});
