// A real VS Code (1.100.3, from code-server's npm package) running as a loopback web server with a
// Node extension host, isolated in its own temporary folders.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { assertHostInstalled, serverMainPath } from "./hostPaths";

export type Settings = Record<string, unknown>;

/** Settings every test profile gets; callers' settings override them. */
export const baseTestSettings: Settings = {
  // Quick suggestions would pop up the suggest widget while typing, and Tab would then accept the
  // suggest item instead of the inline (ghost text) suggestion.
  "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.enableExperiments": false,
  "workbench.tips.enabled": false,
  "files.autoSave": "off",
};

export interface VsCodeHostOptions {
  /** User settings, merged over baseTestSettings and written before the server starts. */
  settings?: Settings;
  /** A .vsix to install into the host's extensions folder before it starts, as a user would. */
  installVsix?: string;
  /** Extra environment for the server; the extension host inherits the server's environment. */
  env?: Record<string, string>;
  /** Keep the temporary folders (logs, user data) after stop(), e.g. to debug a failure. */
  keepDirs?: boolean;
  /**
   * Require this secret to open the workbench (`npm start`: any local user could otherwise open an editor and a
   * terminal on the port). It is passed in a file readable by this user only, never on the command line (ps);
   * workbenchUrl() carries it. Tests run without one.
   */
  connectionToken?: string;
  /** Copy the server's output to this process's stderr (it is always written to server.log). */
  echoServerLog?: boolean;
  startTimeoutMs?: number;
}

interface HostDirs {
  root: string;
  userData: string;
  serverData: string;
  extensions: string;
  log: string;
}

export interface ExtensionHostExit {
  code: number | null;
  signal: string | null;
}

export class VsCodeHost {
  private connectionToken: string | undefined;
  private readonly extensionHostExitListeners: Array<(exit: ExtensionHostExit) => void> = [];

  private constructor(
    private readonly server: ChildProcess,
    readonly port: number,
    readonly dirs: HostDirs,
    private readonly keepDirs: boolean,
    /** Seconds from spawn to the first HTTP 200, for reports. */
    readonly startSeconds: number,
  ) {
    forEachLine(server, (line) => {
      // The server logs "<pid> Extension Host Process exited with code: 0, signal: null." for each
      // extension host (one per browser window). The workbench does not always notice a crashed one.
      const match = /Extension Host Process exited with code: (\S+), signal: (\S+?)\.?$/.exec(line);
      if (!match) return;
      const code = match[1] === "null" || match[1] === undefined ? null : Number(match[1]);
      const signal = match[2] === "null" || match[2] === undefined ? null : match[2];
      for (const listener of this.extensionHostExitListeners) listener({ code, signal });
    });
  }

  /** Called whenever one of the server's extension hosts exits. */
  onExtensionHostExit(listener: (exit: ExtensionHostExit) => void): void {
    this.extensionHostExitListeners.push(listener);
  }

  /** e.g. http://127.0.0.1:41234 */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The URI the web workbench uses for a path on the server's disk. */
  remoteUri(absolutePath: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${path.resolve(absolutePath)}`;
  }

  /** The workbench URL opening `folder`, with optional `payload` entries (e.g. extensionTestsPath). */
  workbenchUrl(folder?: string, payload: Array<[string, string]> = []): string {
    const query = new URLSearchParams();
    if (folder !== undefined) query.set("folder", path.resolve(folder));
    if (payload.length > 0) query.set("payload", JSON.stringify(payload));
    if (this.connectionToken !== undefined) query.set("tkn", this.connectionToken);
    const search = query.toString();
    return `${this.baseUrl}/${search ? `?${search}` : ""}`;
  }

  static async start(options: VsCodeHostOptions = {}): Promise<VsCodeHost> {
    assertHostInstalled();
    // A port taken between findFreePort() and the server's bind makes the server exit; try again.
    for (let attempt = 1; ; attempt++) {
      const dirs = makeHostDirs(options.settings ?? {});
      if (options.installVsix !== undefined) installVsix(options.installVsix, dirs);
      const port = await findFreePort();
      const startedAt = Date.now();
      const server = spawnServer(port, dirs, options);
      try {
        await waitUntilServing(server, port, options.startTimeoutMs ?? 60_000, options.connectionToken);
        const host = new VsCodeHost(server, port, dirs, options.keepDirs ?? false, (Date.now() - startedAt) / 1000);
        host.connectionToken = options.connectionToken;
        return host;
      } catch (error) {
        await killProcessGroup(server);
        const serverLog = fs.existsSync(dirs.log) ? fs.readFileSync(dirs.log, "utf8") : "";
        if (!options.keepDirs) fs.rmSync(dirs.root, { recursive: true, force: true });
        if (attempt < 3 && serverLog.includes("EADDRINUSE")) continue;
        throw new Error(`VS Code server did not start: ${String(error)}\n--- server log ---\n${serverLog}`);
      }
    }
  }

  /** Changes settings while the server runs, for windows already open as well as new ones.
   * Edits to User/settings.json are not picked up live by this web client, but the remote
   * "Machine" layer (<user-data-dir>/Machine/settings.json) is watched and overrides User
   * settings. Application-scoped settings (telemetry, updates, …) are ignored in that layer. */
  writeMachineSettings(settings: Settings): void {
    fs.mkdirSync(path.join(this.dirs.userData, "Machine"), { recursive: true });
    fs.writeFileSync(path.join(this.dirs.userData, "Machine", "settings.json"), JSON.stringify(settings, null, 2));
  }

  /** Ends the server with its extension host, pty host and file watchers (one process group). */
  async stop(): Promise<void> {
    await killProcessGroup(this.server);
    if (!this.keepDirs) fs.rmSync(this.dirs.root, { recursive: true, force: true });
  }
}

function makeHostDirs(settings: Settings): HostDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-vscode-"));
  const dirs: HostDirs = {
    root,
    userData: path.join(root, "user-data"),
    serverData: path.join(root, "server-data"),
    extensions: path.join(root, "extensions"),
    log: path.join(root, "server.log"),
  };
  for (const sub of ["user-data/User", "server-data", "extensions", "xdg-config", "xdg-data", "tmp"]) {
    fs.mkdirSync(path.join(root, sub), { recursive: true });
  }
  // code-server's web client keeps user settings on the server, at <user-data-dir>/User/settings.json
  // (its page config carries "userDataPath"); plain VS Code web would keep them in IndexedDB.
  // They are read when a window opens; see writeMachineSettings for changes while running.
  const userSettings = { ...baseTestSettings, ...settings };
  fs.writeFileSync(path.join(dirs.userData, "User", "settings.json"), JSON.stringify(userSettings, null, 2));
  return dirs;
}

/** `code --install-extension FILE`, with the host's own folders. */
function installVsix(vsixPath: string, dirs: HostDirs): void {
  execFileSync(process.execPath, [
    serverMainPath,
    "--accept-server-license-terms",
    "--user-data-dir", dirs.userData,
    "--server-data-dir", dirs.serverData,
    "--extensions-dir", dirs.extensions,
    "--install-extension", path.resolve(vsixPath),
  ], {
    stdio: "pipe",
    timeout: 120_000,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dirs.root, "xdg-config"), XDG_DATA_HOME: path.join(dirs.root, "xdg-data") },
  });
}

function spawnServer(port: number, dirs: HostDirs, options: VsCodeHostOptions): ChildProcess {
  const args = [
    serverMainPath,
    "--host", "127.0.0.1",
    "--port", String(port),
    ...connectionTokenArgs(dirs, options.connectionToken),
    "--accept-server-license-terms",
    // Lets the browser workbench run extensionTestsPath and report through codeAutomationExit.
    "--enable-smoke-test-driver",
    "--disable-workspace-trust",
    "--telemetry-level", "off",
    "--user-data-dir", dirs.userData,
    // code-server's build keeps the server's data (logs, Machine settings) in --user-data-dir and
    // leaves this folder empty; passed anyway so that nothing lands in ~/.vscode-server.
    "--server-data-dir", dirs.serverData,
    "--extensions-dir", dirs.extensions,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    // Keep everything the server or its helpers write (logs, caches, sockets) inside dirs.root.
    XDG_CONFIG_HOME: path.join(dirs.root, "xdg-config"),
    XDG_DATA_HOME: path.join(dirs.root, "xdg-data"),
    TMPDIR: path.join(dirs.root, "tmp"),
  };
  const log = fs.openSync(dirs.log, "a");
  // detached: the server leads a new process group, so stop() can end it with everything it forked.
  const server = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [server.stdout, server.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      fs.writeSync(log, chunk);
      if (options.echoServerLog) process.stderr.write(chunk);
    });
  }
  server.on("exit", () => fs.closeSync(log));
  // If this test process dies without calling stop(), do not leave a 1 GiB server behind.
  const killOnExit = (): void => {
    if (server.exitCode === null && server.signalCode === null && server.pid !== undefined) {
      try { process.kill(-server.pid, "SIGKILL"); } catch { /* already gone */ }
    }
  };
  process.on("exit", killOnExit);
  server.on("exit", () => process.removeListener("exit", killOnExit));
  return server;
}

/** Calls `onLine` with each whole line the server writes to stdout or stderr. */
function forEachLine(server: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [server.stdout, server.stderr]) {
    let partial = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(onLine);
    });
  }
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls GET / until the server answers 200; fails early if the server exits. */
function connectionTokenArgs(dirs: HostDirs, token: string | undefined): string[] {
  if (token === undefined) return ["--without-connection-token"];
  const file = path.join(dirs.root, "connection-token");
  fs.writeFileSync(file, token, { mode: 0o600 });
  return ["--connection-token-file", file];
}

async function waitUntilServing(server: ChildProcess, port: number, timeoutMs: number, token?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  server.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited with ${server.exitCode ?? server.signalCode}`);
    // With a token the server answers the first request with a redirect that sets its cookie.
    const status = await httpStatus(`http://127.0.0.1:${port}/${token === undefined ? "" : `?tkn=${encodeURIComponent(token)}`}`);
    if (status === 200 || (token !== undefined && status === 302)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not serving on port ${port} after ${timeoutMs} ms`);
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.setTimeout(2_000, () => request.destroy());
    request.on("error", () => resolve(undefined));
  });
}

/** SIGTERM to the whole group, then SIGKILL whatever is left after 5 s. */
async function killProcessGroup(server: ChildProcess): Promise<void> {
  const pid = server.pid;
  if (pid === undefined) return;
  const groupAlive = (): boolean => {
    try { process.kill(-pid, 0); return true; } catch { return false; }
  };
  if (!groupAlive()) return;
  try { process.kill(-pid, "SIGTERM"); } catch { /* already gone */ }
  const deadline = Date.now() + 5_000;
  while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive()) {
    try { process.kill(-pid, "SIGKILL"); } catch { /* already gone */ }
  }
}
