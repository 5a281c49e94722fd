/**
 * The ONLY code in Pocket Coder that opens a network connection. It runs solely when the user has turned
 * on `pocketCoder.network.allowModelDownload` and then runs "Download Recommended Model…"; nothing
 * else imports it (a test checks the bundles and the sources).
 *
 * Downloads one file to `<destination>.part`, resumes an interrupted download with an HTTP Range
 * request, can be cancelled (the partial file stays for the next resume), verifies the SHA-256, and
 * only then renames the file into place. Pure Node: no `vscode`, so it is tested against a local server.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface DownloadRequest {
  readonly url: string;
  /** The final file path; the download goes to `<destination>.part` first. */
  readonly destination: string;
  /** Lowercase hex SHA-256 of the whole file. */
  readonly sha256: string;
  /** The file's size, when known: a bigger partial file is discarded, a different final size is an error. */
  readonly expectedBytes?: number;
}

export interface DownloadProgress {
  /** Bytes of the file on disk so far (resumed bytes included). */
  readonly receivedBytes: number;
  readonly totalBytes?: number;
  /** Bytes taken from an earlier, interrupted download. */
  readonly resumedFromBytes: number;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** No data for this long ends the attempt (the partial file is kept). Default 60 s. */
  readonly idleTimeoutMs?: number;
}

export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  readonly resumedFromBytes: number;
}

export type DownloadErrorKind = "cancelled" | "hashMismatch" | "sizeMismatch" | "http" | "network" | "insecure";

export class DownloadError extends Error {
  override readonly name = "DownloadError";
  constructor(readonly kind: DownloadErrorKind, message: string) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;

export function partPathOf(destination: string): string {
  return `${destination}.part`;
}

export async function downloadFile(request: DownloadRequest, options: DownloadOptions = {}): Promise<DownloadResult> {
  const partPath = partPathOf(request.destination);
  await mkdir(path.dirname(request.destination), { recursive: true });
  checkUrlAllowed(new URL(request.url));

  let existing = await fileSize(partPath);
  if (request.expectedBytes !== undefined && existing > request.expectedBytes) {
    await rm(partPath, { force: true });
    existing = 0;
  }
  // One retry from scratch when the server says the range cannot be satisfied but the partial file is wrong.
  for (let attempt = 0; attempt < 2; attempt++) {
    const hash = createHash("sha256");
    if (existing > 0) await hashFile(partPath, hash, options.signal);
    const response = await get(request.url, existing > 0 ? { Range: `bytes=${existing}-` } : {}, options);
    const status = response.statusCode ?? 0;

    if (status === 416 && existing > 0) {
      response.resume();
      if (await finishIfValid(request, partPath, hash, existing)) return { path: request.destination, bytes: existing, resumedFromBytes: existing };
      await rm(partPath, { force: true });
      existing = 0;
      continue;
    }
    if (status !== 200 && status !== 206) {
      response.resume();
      throw new DownloadError("http", `The server answered ${status} ${response.statusMessage ?? ""} for ${request.url}.`.replace(/ +\./, "."));
    }

    if (status === 206) {
      const start = rangeStart(response.headers["content-range"]);
      if (start !== existing) {
        response.resume();
        throw new DownloadError("http", `The server resumed at byte ${start ?? "?"} instead of ${existing}; run the download again to start over.`);
      }
    } else if (existing > 0) {
      // 200: the server ignored the Range header and sends the whole file: start over.
      await truncate(partPath, 0);
      return await receive(request, options, response, partPath, createHash("sha256"), 0);
    }
    return await receive(request, options, response, partPath, hash, existing);
  }
  throw new DownloadError("http", `Could not resume the download of ${request.url}; delete ${partPath} and try again.`);
}

/** Checks a file already on disk against the expected hash (no network). */
export async function fileHasHash(filePath: string, sha256: string, signal?: AbortSignal): Promise<boolean> {
  const hash = createHash("sha256");
  await hashFile(filePath, hash, signal);
  return hash.digest("hex") === sha256.toLowerCase();
}

async function receive(
  request: DownloadRequest, options: DownloadOptions, response: http.IncomingMessage, partPath: string, hash: Hash, existing: number,
): Promise<DownloadResult> {
  const resumedFromBytes = existing;
  const remaining = Number(response.headers["content-length"]);
  const totalBytes = request.expectedBytes ?? (Number.isFinite(remaining) ? existing + remaining : undefined);
  let received = existing;
  const report = () => options.onProgress?.({ receivedBytes: received, resumedFromBytes, ...(totalBytes === undefined ? {} : { totalBytes }) });
  report();
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      received += chunk.length;
      report();
      callback(null, chunk);
    },
  });
  const idle = setIdleTimeout(response, options.idleTimeoutMs ?? 60_000);
  try {
    await pipeline(response, meter, createWriteStream(partPath, { flags: existing > 0 ? "a" : "w" }), options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (options.signal?.aborted) throw new DownloadError("cancelled", `Download cancelled; ${partPath} is kept and the next download resumes from it.`);
    throw new DownloadError("network", `The download stopped (${errorText(error)}); ${partPath} is kept and the next download resumes from it.`);
  } finally {
    idle.dispose();
  }
  if (!(await finishIfValid(request, partPath, hash, received))) {
    throw new DownloadError("hashMismatch", `The downloaded file does not have the expected SHA-256 (${request.sha256}); it was deleted. ` +
      "The server sent different bytes: try again, or copy the file from a trusted source.");
  }
  return { path: request.destination, bytes: received, resumedFromBytes };
}

/** Renames the part file into place if its size and hash are right; deletes it if the hash is wrong. */
async function finishIfValid(request: DownloadRequest, partPath: string, hash: Hash, bytes: number): Promise<boolean> {
  if (request.expectedBytes !== undefined && bytes !== request.expectedBytes) {
    await rm(partPath, { force: true });
    throw new DownloadError("sizeMismatch", `The download has ${bytes} bytes, expected ${request.expectedBytes}; it was deleted. Try again.`);
  }
  if (hash.digest("hex") !== request.sha256.toLowerCase()) {
    await rm(partPath, { force: true });
    return false;
  }
  await rename(partPath, request.destination);
  return true;
}

function get(url: string, headers: Record<string, string>, options: DownloadOptions, redirects = 0): Promise<http.IncomingMessage> {
  const target = new URL(url);
  checkUrlAllowed(target);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new DownloadError("cancelled", "Download cancelled."));
      return;
    }
    const req = client.get(target, { headers: { "User-Agent": "pocket-coder-model-download", ...headers }, ...(options.signal ? { signal: options.signal } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new DownloadError("http", `Too many redirects from ${url}.`));
          return;
        }
        get(new URL(location, target).toString(), headers, options, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    req.on("error", (error) => {
      reject(options.signal?.aborted
        ? new DownloadError("cancelled", "Download cancelled.")
        : new DownloadError("network", `Could not reach ${target.host} (${errorText(error)}).`));
    });
  });
}

/** HTTPS only; plain HTTP is accepted for the loopback interface alone (tests, a local mirror). */
function checkUrlAllowed(url: URL): void {
  if (url.protocol === "https:") return;
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol === "http:" && loopback) return;
  throw new DownloadError("insecure", `Refusing to download from ${url.protocol}//${url.host}: only HTTPS is allowed.`);
}

function rangeStart(contentRange: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange?.trim() ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function hashFile(filePath: string, hash: Hash, signal?: AbortSignal): Promise<void> {
  const stream = createReadStream(filePath);
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw new DownloadError("cancelled", "Download cancelled.");
      hash.update(chunk as Buffer);
    }
  } finally {
    stream.destroy();
  }
}

async function fileSize(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch {
    return 0;
  }
}

function setIdleTimeout(response: http.IncomingMessage, ms: number): { dispose(): void } {
  const socket = response.socket;
  const onTimeout = () => response.destroy(new Error(`no data for ${Math.round(ms / 1000)} s`));
  socket.setTimeout(ms, onTimeout);
  return {
    dispose: () => {
      socket.setTimeout(0);
      socket.removeListener("timeout", onTimeout);
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
