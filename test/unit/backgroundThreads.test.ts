import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const MODULE = path.join(__dirname, "..", "..", "src", "server", "backgroundThreads.js");

/** Runs in a child process: starts libuv's worker threads, lowers every thread but the main one, reports each thread's niceness. */
const CHILD = `
const fs = require("node:fs");
const { lowerWorkerThreadPriority } = require(${JSON.stringify(MODULE)});
require("node:crypto").pbkdf2("x", "y", 1, 8, "sha256", () => {
  const lowered = lowerWorkerThreadPriority(7);
  const nice = {};
  for (const tid of fs.readdirSync("/proc/self/task")) {
    const stat = fs.readFileSync("/proc/self/task/" + tid + "/stat", "utf8");
    nice[tid] = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  }
  console.log(JSON.stringify({ pid: process.pid, lowered, nice }));
});
`;

test("every thread but the main one is lowered to the given niceness; the main one keeps its own", { skip: !fs.existsSync("/proc/self/task") && "no /proc" }, () => {
  const child = spawnSync(process.execPath, ["-e", CHILD], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const { pid, lowered, nice } = JSON.parse(child.stdout) as { pid: number; lowered: number; nice: Record<string, number> };
  assert.equal(nice[String(pid)], 0);
  const others = Object.entries(nice).filter(([tid]) => tid !== String(pid));
  assert.ok(others.length >= 4, "libuv's worker threads exist");
  assert.equal(lowered, others.length);
  for (const [tid, niceness] of others) assert.equal(niceness, 7, `thread ${tid}`);
});
