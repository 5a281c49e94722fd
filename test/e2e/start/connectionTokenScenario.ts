// `npm start` without a `code` command serves a real VS Code (code-server) on 127.0.0.1: any local user who
// finds the port would get an editor and a terminal as you, unless the server demands the connection token.
// This starts the server exactly as scripts/start.mjs does (its bundledHostOptions) and checks that without
// the token the page answers 403 and the remote connection (extension host, terminal) is refused, and that
// the token stays off every command line. Run by runAll.ts; alone: node out/test/e2e/start/connectionTokenScenario.js
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, VsCodeHost, type VsCodeHostOptions } from "../harness";

interface StartScript {
  bundledHostOptions(environment?: NodeJS.ProcessEnv): VsCodeHostOptions & { connectionToken: string };
}

export async function runConnectionTokenScenario(): Promise<void> {
  const startScript = await import(pathToFileURL(path.join(repoRoot, "scripts", "start.mjs")).href) as StartScript;
  const options = startScript.bundledHostOptions({});
  const token = options.connectionToken;
  assert.match(token, /^[A-Za-z0-9_-]{32}$/, "24 random bytes, base64url");
  assert.notEqual(startScript.bundledHostOptions({}).connectionToken, token, "a fresh token at each start");

  const host = await VsCodeHost.start(options);
  try {
    const tokenFile = path.join(host.dirs.root, "connection-token");
    assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600, "the token file is readable by this user only");
    assert.deepEqual(commandLinesHolding(token), [], "the token is on no command line (ps shows those to every user)");

    assert.equal((await get(host.port, "/")).statusCode, 403, "the workbench without the token");
    assert.equal((await get(host.port, "/?tkn=not-the-token")).statusCode, 403, "the workbench with a wrong token");
    const printed = new URL(host.workbenchUrl());
    const withToken = await get(host.port, printed.pathname + printed.search);
    assert.equal(withToken.statusCode, 302, "the printed address is let in");
    assert.match(String(withToken.headers["set-cookie"]), new RegExp(`^vscode-tkn=${token};`));
    assert.equal((await get(host.port, "/", { Cookie: `vscode-tkn=${token}` })).statusCode, 200, "the workbench with the token's cookie");

    // The remote connection that carries the extension host and the terminal checks the token in its handshake.
    for (const auth of [undefined, "not-the-token"]) {
      assert.deepEqual(await remoteHandshake(host.port, auth), { type: "error", reason: "Unauthorized client refused: auth mismatch" }, `auth ${String(auth)}`);
    }
    assert.equal((await remoteHandshake(host.port, token))["type"], "sign", "the token passes the handshake");
  } finally {
    await host.stop();
  }
}

/** PIDs whose command line contains `secret`. */
function commandLinesHolding(secret: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(secret)) found.push(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

function get(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: pathAndQuery, headers }, (response) => {
      response.resume();
      resolve(response);
    });
    request.on("error", reject);
  });
}

/**
 * Opens the remote connection as the workbench does (a WebSocket upgrade; skipWebSocketFrames for raw
 * protocol messages), sends the first control message `{ type: "auth", auth }` and returns the server's answer.
 */
function remoteHandshake(port: number, auth: string | undefined): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const query = `reconnectionToken=${Date.now()}${Math.random()}&reconnection=false&skipWebSocketFrames=true`;
    const request = http.get({
      host: "127.0.0.1", port, path: `/?${query}`,
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" },
    });
    request.on("response", (response) => reject(new Error(`no upgrade: HTTP ${response.statusCode}`)));
    request.on("error", reject);
    request.on("upgrade", (_response, socket, head) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("no answer to the auth message within 10 s"));
      }, 10_000);
      // A protocol message: type (1 byte; 2 = control), id, ack, data length (uint32 BE each), then the data.
      const body = Buffer.from(JSON.stringify({ type: "auth", auth, data: "x" }));
      const header = Buffer.alloc(13);
      header.writeUInt8(2, 0);
      header.writeUInt32BE(body.length, 9);
      socket.write(Buffer.concat([header, body]));
      let received = head;
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 13) {
          const length = received.readUInt32BE(9);
          if (received.length < 13 + length) return;
          const type = received.readUInt8(0);
          const data = received.subarray(13, 13 + length).toString("utf8");
          received = received.subarray(13 + length);
          if (type !== 2) continue;
          clearTimeout(timer);
          socket.destroy();
          resolve(JSON.parse(data) as Record<string, unknown>);
          return;
        }
      });
      socket.on("error", () => undefined);
    });
  });
}

if (require.main === module) {
  runConnectionTokenScenario().then(() => {
    console.log("e2e: npm start's VS Code refuses the page and the remote connection without its token");
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
