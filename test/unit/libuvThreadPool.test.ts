import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LIBUV_THREAD_POOL_SIZE, sizeLibuvThreadPool } from "../../src/server/libuvThreadPool";

const MODULE = path.join(__dirname, "..", "..", "src", "server", "libuvThreadPool.js");

test("UV_THREADPOOL_SIZE is set to the server's size unless the user set it", () => {
  const unset: NodeJS.ProcessEnv = {};
  assert.equal(sizeLibuvThreadPool(unset), String(LIBUV_THREAD_POOL_SIZE));
  assert.equal(unset["UV_THREADPOOL_SIZE"], String(LIBUV_THREAD_POOL_SIZE));
  const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: "6" };
  assert.equal(sizeLibuvThreadPool(chosen), "6");
});

/** Threads of a process that imported the module and then used the pool for four jobs at once. */
function threadsAfterImport(env: NodeJS.ProcessEnv): number {
  const child = `
    require(${JSON.stringify(MODULE)});
    const fs = require("node:fs");
    let left = 4;
    for (let i = 0; i < 4; i++) require("node:crypto").pbkdf2("x", "y", 20000, 8, "sha256", () => {
      if (--left === 0) console.log(fs.readdirSync("/proc/self/task").length);
    });`;
  const inherited = { ...process.env };
  delete inherited["UV_THREADPOOL_SIZE"];
  const result = spawnSync(process.execPath, ["-e", child], { encoding: "utf8", env: { ...inherited, ...env } });
  assert.equal(result.status, 0, result.stderr);
  return Number(result.stdout.trim());
}

test("imported first, the module sizes the pool the process then starts", { skip: !fs.existsSync("/proc/self/task") && "no /proc" }, () => {
  const sized = threadsAfterImport({});
  const userSized = threadsAfterImport({ UV_THREADPOOL_SIZE: "4" });
  assert.equal(userSized - sized, 4 - LIBUV_THREAD_POOL_SIZE);
});
