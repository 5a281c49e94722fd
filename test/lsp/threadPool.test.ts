import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LIBUV_THREAD_POOL_SIZE } from "../../src/server/libuvThreadPool";
import { fimModel } from "../fixtures/fixtureModels";
import { LspTestClient, REPO_ROOT } from "./LspTestClient";

/** Threads of the built server once it has loaded a model (which starts libuv's pool). */
async function serverThreads(env: NodeJS.ProcessEnv): Promise<number> {
  const modelPath = await fimModel(path.join(REPO_ROOT, ".test-models"));
  const client = await LspTestClient.start({ settings: { model: { path: modelPath }, gpu: "cpu", threads: 1 }, env });
  try {
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
    return fs.readdirSync(`/proc/${client.process.pid}/task`).length;
  } finally {
    assert.equal(await client.stop(), 0);
  }
}

test("the built server runs node-llama-cpp's jobs on a libuv pool of the server's size", { skip: !fs.existsSync("/proc/self/task") && "no /proc" }, async () => {
  const saved = process.env["UV_THREADPOOL_SIZE"];
  delete process.env["UV_THREADPOOL_SIZE"];
  try {
    const own = await serverThreads({});
    const userSized = await serverThreads({ UV_THREADPOOL_SIZE: "4" });
    assert.equal(userSized - own, 4 - LIBUV_THREAD_POOL_SIZE);
  } finally {
    if (saved !== undefined) process.env["UV_THREADPOOL_SIZE"] = saved;
  }
});
