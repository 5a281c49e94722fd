import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { DownloadError, downloadFile, fileHasHash, partPathOf, type DownloadProgress } from "../../../src/extension/download/modelDownloader";

// A local HTTP server on 127.0.0.1 only: these tests never leave the machine.
const BODY = Buffer.concat(Array.from({ length: 48 }, (_, i) => createHash("sha512").update(`chunk ${i}`).digest()).map((b) => Buffer.concat(Array(1024).fill(b) as Buffer[])));
const SHA256 = createHash("sha256").update(BODY).digest("hex");
const CHUNK = 64 * 1024;

interface ServerBehaviour {
  ignoreRange: boolean;
  /** Milliseconds between 64 KB chunks. */
  delayMs: number;
}

describe("the opt-in model downloader (against a local server)", () => {
  let server: http.Server;
  let base: string;
  let dir: string;
  const behaviour: ServerBehaviour = { ignoreRange: false, delayMs: 0 };
  const ranges: (string | undefined)[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/redirect") {
        res.writeHead(302, { Location: "/model.gguf" }).end();
        return;
      }
      if (req.url !== "/model.gguf") {
        res.writeHead(404).end();
        return;
      }
      ranges.push(req.headers.range);
      let start = 0;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      if (range && !behaviour.ignoreRange) {
        start = Number(range[1]);
        if (start >= BODY.length) {
          res.writeHead(416, { "Content-Range": `bytes */${BODY.length}` }).end();
          return;
        }
        res.writeHead(206, { "Content-Length": BODY.length - start, "Content-Range": `bytes ${start}-${BODY.length - 1}/${BODY.length}` });
      } else {
        res.writeHead(200, { "Content-Length": BODY.length });
      }
      let offset = start;
      const send = () => {
        while (offset < BODY.length) {
          const chunk = BODY.subarray(offset, offset + CHUNK);
          offset += chunk.length;
          const more = res.write(chunk);
          if (behaviour.delayMs > 0) {
            setTimeout(send, behaviour.delayMs);
            return;
          }
          if (!more) {
            res.once("drain", send);
            return;
          }
        }
        res.end();
      };
      res.on("close", () => {
        offset = BODY.length + 1;
      });
      send();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-download-"));
    behaviour.ignoreRange = false;
    behaviour.delayMs = 0;
    ranges.length = 0;
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const destination = () => path.join(dir, "models", "model.gguf");

  test("downloads, verifies the SHA-256 and renames the file into place", async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadFile(
      { url: `${base}/model.gguf`, destination: destination(), sha256: SHA256, expectedBytes: BODY.length },
      { onProgress: (p) => progress.push(p) },
    );
    assert.deepEqual(result, { path: destination(), bytes: BODY.length, resumedFromBytes: 0 });
    assert.ok(fs.readFileSync(destination()).equals(BODY));
    assert.equal(fs.existsSync(partPathOf(destination())), false);
    assert.equal(progress.at(-1)?.receivedBytes, BODY.length);
    assert.equal(progress.at(-1)?.totalBytes, BODY.length);
    assert.deepEqual(ranges, [undefined]);
  });

  test("resumes an interrupted download with a Range request", async () => {
    fs.mkdirSync(path.dirname(destination()), { recursive: true });
    fs.writeFileSync(partPathOf(destination()), BODY.subarray(0, 1_000_000));
    const result = await downloadFile({ url: `${base}/model.gguf`, destination: destination(), sha256: SHA256 });
    assert.equal(result.resumedFromBytes, 1_000_000);
    assert.deepEqual(ranges, ["bytes=1000000-"]);
    assert.ok(fs.readFileSync(destination()).equals(BODY));
  });

  test("cancel keeps the partial file; the next run resumes from it", async () => {
    behaviour.delayMs = 20;
    const controller = new AbortController();
    const cancelled = downloadFile(
      { url: `${base}/model.gguf`, destination: destination(), sha256: SHA256 },
      { signal: controller.signal, onProgress: (p) => { if (p.receivedBytes >= 4 * CHUNK) controller.abort(); } },
    );
    await assert.rejects(cancelled, (error: unknown) => error instanceof DownloadError && error.kind === "cancelled");
    const part = fs.readFileSync(partPathOf(destination()));
    // What reached the disk before the cancel: the last chunk in flight may be lost, never corrupted.
    assert.ok(part.length >= CHUNK && part.length < BODY.length, `partial file of ${part.length} bytes`);
    assert.ok(BODY.subarray(0, part.length).equals(part), "the partial file is a prefix of the file");
    assert.equal(fs.existsSync(destination()), false);

    behaviour.delayMs = 0;
    const result = await downloadFile({ url: `${base}/model.gguf`, destination: destination(), sha256: SHA256 });
    assert.equal(result.resumedFromBytes, part.length);
    assert.equal(ranges.at(-1), `bytes=${part.length}-`);
    assert.ok(fs.readFileSync(destination()).equals(BODY));
  });

  test("a wrong hash deletes the download and says so", async () => {
    const wrong = "0".repeat(64);
    await assert.rejects(
      downloadFile({ url: `${base}/model.gguf`, destination: destination(), sha256: wrong }),
      (error: unknown) => error instanceof DownloadError && error.kind === "hashMismatch" && /expected SHA-256/.test(error.message),
    );
    assert.equal(fs.existsSync(destination()), false);
    assert.equal(fs.existsSync(partPathOf(destination())), false);
  });

  test("a server that ignores Range makes it start over, correctly", async () => {
    behaviour.ignoreRange = true;
    fs.mkdirSync(path.dirname(destination()), { recursive: true });
    fs.writeFileSync(partPathOf(destination()), BODY.subarray(0, 123_456));
    const result = await downloadFile({ url: `${base}/model.gguf`, destination: destination(), sha256: SHA256 });
    assert.equal(result.resumedFromBytes, 0);
    assert.ok(fs.readFileSync(destination()).equals(BODY));
  });

  test("a complete partial file (416) is verified and used without downloading again", async () => {
    fs.mkdirSync(path.dirname(destination()), { recursive: true });
    fs.writeFileSync(partPathOf(destination()), BODY);
    const result = await downloadFile({ url: `${base}/model.gguf`, destination: destination(), sha256: SHA256 });
    assert.equal(result.bytes, BODY.length);
    assert.ok(await fileHasHash(destination(), SHA256));
  });

  test("follows redirects", async () => {
    await downloadFile({ url: `${base}/redirect`, destination: destination(), sha256: SHA256 });
    assert.ok(fs.readFileSync(destination()).equals(BODY));
  });

  test("an HTTP error is reported with its status", async () => {
    await assert.rejects(
      downloadFile({ url: `${base}/missing.gguf`, destination: destination(), sha256: SHA256 }),
      (error: unknown) => error instanceof DownloadError && error.kind === "http" && /404/.test(error.message),
    );
  });

  test("plain HTTP is refused except on the loopback interface, before any connection", async () => {
    await assert.rejects(
      downloadFile({ url: "http://models.example.invalid/model.gguf", destination: destination(), sha256: SHA256 }),
      (error: unknown) => error instanceof DownloadError && error.kind === "insecure",
    );
  });
});
