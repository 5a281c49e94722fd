import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * The peers' own post-processing tests (Tabby, Continue, twinny: ../shared/peer-cases, read where it lies and never
 * copied here), run by their runner against this checkout's compiled post-processing.
 */
const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const RUNNER = path.resolve(REPO, "..", "shared", "peer-cases", "run.mjs");
const COMPILED = path.join(REPO, "out", "src", "server", "completion", "postProcess", "index.js");
const skip = !existsSync(RUNNER)
  ? "../shared/peer-cases is absent (a clone without the shared folder): the peers' post-processing cases are skipped"
  : !existsSync(COMPILED) ? "no compiled post-processing under out/ (run from `npm run test:unit`)" : false;

/** Scored cases whose expected text needs a behaviour that a `policy` case marks as one the project deliberately lacks. */
const NEEDS_A_POLICY: Record<string, string> = {
  "twinny/strips-an-echoed-copy-of-the-text-before-the-cursor":
    "besides the echo (removed), twinny cuts the `)` assuming the editor auto-closed it (autoClosedCloser, policy in #2); this document has no `)`",
};

interface CaseResult {
  readonly id: string;
  readonly policy?: string;
  readonly exact: boolean;
  readonly equivalent: boolean;
  readonly settled?: { readonly drift: boolean };
}

describe("peer post-processing cases (../shared/peer-cases)", () => {
  test("exact on at least 236 of 245 scored cases, the same document on all but those needing a policy; early stops change nothing", { skip }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "peer-cases-"));
    try {
      const json = path.join(dir, "results.json");
      const run = spawnSync(process.execPath, [RUNNER, REPO, "--json", json, "--min", "0"], { encoding: "utf8" });
      assert.equal(run.status, 0, `run.mjs failed: ${run.stderr}`);
      const results = JSON.parse(readFileSync(json, "utf8")) as CaseResult[];
      const scored = results.filter((r) => r.policy === undefined);
      const exact = scored.filter((r) => r.exact).length;
      const notEquivalent = scored.filter((r) => !r.equivalent).map((r) => r.id);
      assert.equal(scored.length, 245);
      assert.ok(exact >= 236, `exact ${exact}/${scored.length}\n${run.stdout.split("\n").slice(-4).join("\n")}`);
      assert.deepEqual(notEquivalent, Object.keys(NEEDS_A_POLICY), "cases whose document differs from the peer's");
      assert.deepEqual(results.filter((r) => r.settled?.drift).map((r) => r.id), [], "settled early stop changed the result");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
