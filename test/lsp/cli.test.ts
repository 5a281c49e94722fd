// `pocket-coder doctor` and `pocket-coder complete`: the built CLI (dist/cli.js) as a user runs it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chatModel, FIM_COMPLETION, fimModel, noFimModel, SUM_COMPLETION } from "../fixtures/fixtureModels";
import { CLI_MAIN, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_MAIN, ...args], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, POCKET_CODER_MODEL: "", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Why the Vulkan software device cannot be used here, or undefined when it can. */
function vulkanUnavailableReason(): string | undefined {
  const loaders = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1"];
  if (!loaders.some((loader) => fs.existsSync(loader))) return "no Vulkan loader: apt-get install libvulkan1 mesa-vulkan-drivers";
  if (!fs.existsSync("/usr/share/vulkan/icd.d")) return "no Vulkan driver: apt-get install mesa-vulkan-drivers";
  return undefined;
}

describe("pocket-coder doctor", () => {
  let modelPath: string;
  before(async () => {
    modelPath = await fimModel(MODEL_DIR);
  });

  test("on the CPU: platform, runtime, binary, backend, model facts, threads and a measured speed", () => {
    const { status, stdout, stderr } = cli(["doctor", "--model", modelPath, "--gpu", "cpu", "--threads", "1"]);
    assert.equal(status, 0, stderr);
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;
    assert.match(stdout, /^Pocket Coder \d+\.\d+\.\d+ — doctor$/m);
    assert.match(stdout, new RegExp(`^Platform +${os.type()} .* ${process.arch}, Node ${process.versions.node}$`, "m"));
    assert.match(stdout, new RegExp(`^Runtime +node-llama-cpp ${version.replace(/\./g, "\\.")}, llama\\.cpp .+, prebuilt binary$`, "m"));
    assert.match(stdout, /^Binary +@node-llama-cpp\/linux-x64 \(installed: .*linux-x64.*\)$/m);
    assert.match(stdout, /^Threads +1 \(--threads 1\)$/m);
    assert.match(stdout, /^GPU setting +--gpu cpu$/m);
    assert.match(stdout, /^Backend +CPU$/m);
    assert.match(stdout, /^ +Vulkan +not used: /m);
    assert.match(stdout, /^Model +.*fim-[0-9a-f]+\.gguf$/m);
    assert.match(stdout, /Pocket Coder designed FIM model · llama · .* · F32 · /);
    assert.match(stdout, /completion: yes, FIM family Qwen2\.5-Coder/);
    assert.match(stdout, /chat template: none/);
    assert.match(stdout, /loaded: 0 of \d+ layers on the GPU, context \d+ tokens/);
    assert.match(stdout, /^Speed +[\d.]+ tokens\/s generating \(5 tokens in \d+ ms\), [\d.]+ tokens\/s reading the prompt/m);
    assert.match(stdout, /^Advice +Qwen2\.5-Coder 1\.5B \(base, Q8_0\): No GPU is in use/m);
    assert.ok(stdout.split("\n").length <= 40, "one screen");
  });

  test("on Vulkan (Mesa's software device): the device, all layers offloaded, VRAM", { skip: vulkanUnavailableReason() ?? false }, () => {
    const { status, stdout, stderr } = cli(["doctor", "--model", modelPath, "--gpu", "vulkan", "--threads", "1"], { GGML_VK_VISIBLE_DEVICES: "0" });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^Binary +@node-llama-cpp\/linux-x64-vulkan /m);
    assert.match(stdout, /^Backend +Vulkan — llvmpipe/m);
    assert.match(stdout, /^ +Vulkan +in use: (\d+) of \1 layers offloaded$/m);
    assert.match(stdout, /^VRAM +.* used of 2\.0 GB$/m);
    assert.match(stdout, /loaded: (\d+) of \1 layers on the GPU/);
    assert.match(stdout, /tokens\/s generating/);
  });

  test("a chat model: its chat template is named, and why it cannot complete", async () => {
    const { stdout } = cli(["doctor", "--model", await chatModel(MODEL_DIR), "--gpu", "cpu", "--threads", "1", "--no-speed"]);
    assert.match(stdout, /chat template: ChatML/);
    const noFim = cli(["doctor", "--model", await noFimModel(MODEL_DIR), "--gpu", "cpu", "--threads", "1"]);
    assert.equal(noFim.status, 1, "a model that cannot be loaded for completion is a failure");
    assert.match(noFim.stdout, /completion: no — It has no fill-in-the-middle \(FIM\) tokens/);
    assert.match(noFim.stdout, /^Speed +not measured/m);
  });

  test("no model: says where the model comes from, in the command line's words, exits 1", () => {
    const { status, stdout } = cli(["doctor", "--gpu", "cpu"]);
    assert.equal(status, 1);
    assert.match(stdout, /^Model +none configured \(--model FILE or POCKET_CODER_MODEL\)$/m);
    assert.match(stdout, /pass --model FILE\.$/m);
    assert.doesNotMatch(stdout, /pocketCoder\.|Select GGUF file/, "no VS Code settings or buttons");
  });

  test("--no-speed with a usable model says the speed was skipped, not that no model is loaded", () => {
    const { status, stdout, stderr } = cli(["doctor", "--no-speed", "--model", modelPath, "--gpu", "cpu", "--threads", "1"]);
    assert.equal(status, 0, stderr);
    // The model loads on first use; skipping the measurement skips its only use here.
    assert.match(stdout, /not loaded: .* loads on first use\./);
    assert.doesNotMatch(stdout, /no model loaded/);
    assert.match(stdout, /^Speed +not measured \(skipped\)$/m);
    assert.match(stdout, /chat template: none \(Explain uses a plain prompt; an instruct model explains better\)/);
  });

  test("a model file that is a folder: the reason once, not twice", () => {
    const { status, stdout } = cli(["doctor", "--no-speed", "--gpu", "cpu", "--model", os.tmpdir()]);
    assert.equal(status, 1);
    const reason = `${os.tmpdir()} is not a file. Pass a .gguf file to --model.`;
    assert.equal(stdout.split(reason).length - 1, 1, stdout);
  });
});

describe("pocket-coder complete", () => {
  let modelPath: string;
  let dir: string;
  before(async () => {
    modelPath = await fimModel(MODEL_DIR);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-cli-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test("prints exactly the designed completion for a line of two spaces' indentation, nothing added", () => {
    const file = write("add.ts", "function add(a, b) {\n  \n}\n");
    const { status, stdout, stderr } = cli(["complete", "--model", modelPath, "--gpu", "cpu", "--threads", "1", file, "2:3"]);
    assert.equal(status, 0, stderr);
    assert.equal(stdout, FIM_COMPLETION);
  });

  test("a multi-line completion keeps its lines; the model can come from POCKET_CODER_MODEL", () => {
    const file = write("sum.ts", "export function sum");
    const { status, stdout, stderr } = cli(["complete", "--threads", "1", "--gpu", "cpu", file, "1:20"], { POCKET_CODER_MODEL: modelPath });
    assert.equal(status, 0, stderr);
    assert.equal(stdout, SUM_COMPLETION);
  });

  test("no completion: nothing on stdout, the reason on stderr", () => {
    const file = write("done.ts", "const x = 1;\n");
    const { status, stdout, stderr } = cli(["complete", "--model", modelPath, "--gpu", "cpu", "--threads", "1", file, "1:13"]);
    assert.equal(status, 0);
    assert.equal(stdout, "");
    assert.match(stderr, /no completion/);
  });

  test("usage errors exit 2 and say what is wrong", () => {
    const file = write("short.ts", "a\n");
    assert.match(cli(["complete", file]).stderr, /complete needs FILE and LINE:COL/);
    const outside = cli(["complete", "--model", modelPath, file, "1:9"]);
    assert.equal(outside.status, 2);
    assert.match(outside.stderr, /Line 1 has no column 9/);
    assert.equal(cli(["complete", "--model", modelPath, file, "one:two"]).status, 2);
    assert.equal(cli(["doctor", "--gpu", "quantum"]).status, 2);
  });

  test("a misspelled or unknown option is rejected with the nearest name and the usage", () => {
    const file = write("typo.ts", "a\n");
    const typo = cli(["complete", "--modle", modelPath, file, "1:1"]);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /^Unknown option --modle\. Did you mean --model\?$/m);
    assert.match(typo.stderr, /pocket-coder complete \[options\] FILE LINE:COL/);
    const unknown = cli(["doctor", "--colour"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^Unknown option --colour\.$/m);
    assert.equal(cli(["--modle"]).status, 2);
  });

  test("--gpu with an unknown backend exits 2 and lists the valid ones, with no fallback announced", () => {
    const { status, stderr, stdout } = cli(["doctor", "--gpu", "nvidia"]);
    assert.equal(status, 2);
    assert.match(stderr, /^--gpu must be one of auto, cpu, cuda, vulkan, metal; got "nvidia"\.$/m);
    assert.doesNotMatch(stderr, /using "auto"/);
    assert.equal(stdout, "");
    assert.match(cli(["doctor", "--threads", "999"]).stderr, /^--threads must be a whole number from 0 to 256\.$/m);
  });

  test("a missing or folder source file is a clear error, not a stack trace", () => {
    const missing = cli(["complete", "--model", modelPath, path.join(dir, "nope.ts"), "1:1"]);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `pocket-coder: Cannot read ${path.join(dir, "nope.ts")}: there is no such file.\n`);
    const folder = cli(["complete", "--model", modelPath, dir, "1:1"]);
    assert.equal(folder.status, 1);
    assert.equal(folder.stderr, `pocket-coder: Cannot read ${dir}: it is a folder, not a file.\n`);
  });

  test("--version prints the version; serve without --stdio says what to add", () => {
    const version = cli(["--version"]);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^pocket-coder \d+\.\d+\.\d+\n$/);
    const serve = cli(["serve"]);
    assert.equal(serve.status, 2);
    assert.match(serve.stderr, /^serve needs a transport: add --stdio/);
  });

  test("a model that cannot complete is an error with the server's message", async () => {
    const file = write("x.ts", "function add(a, b) {\n  \n}\n");
    const { status, stderr } = cli(["complete", "--model", await noFimModel(MODEL_DIR), "--gpu", "cpu", file, "2:3"]);
    assert.equal(status, 1);
    assert.match(stderr, /no fill-in-the-middle \(FIM\) tokens/);
  });

  test("help lists the commands", () => {
    const { status, stdout } = cli(["--help"]);
    assert.equal(status, 0);
    assert.match(stdout, /pocket-coder serve --stdio/);
    assert.match(stdout, /pocket-coder doctor/);
    assert.match(stdout, /pocket-coder complete \[options\] FILE LINE:COL/);
  });
});

describe("pocket-coder complete on an excluded file", () => {
  test("a .env file is not read: no completion, a note on stderr, exit 0, before any model loads", () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-cli-excluded-"));
    try {
      fs.writeFileSync(path.join(folder, ".env"), "API_TOKEN=sk-live-123\n");
      const { status, stdout, stderr } = cli(["complete", path.join(folder, ".env"), "1:5", "--model", path.join(folder, "missing.gguf")]);
      assert.equal(status, 0, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /no completion: .*\.env matches pocketCoder\.exclude/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
