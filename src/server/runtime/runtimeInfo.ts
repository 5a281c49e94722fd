import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type { Backend, HardwareInfo } from "../../shared/protocol";
import type { AcquiredLlama, BackendAttempt } from "./acquireLlama";
import { errorText } from "./inspectModelFile";
import { importNodeLlamaCpp } from "./nodeLlamaCpp";

/** What node-llama-cpp and its binaries are, here, for the doctor. */
export interface RuntimeReport {
  readonly nodeLlamaCppVersion: string;
  /** The llama.cpp release the binaries were built from, e.g. "ggml-org/llama.cpp v0.5.0". */
  readonly llamaCppRelease?: string;
  /** "prebuilt" (shipped in the VSIX) or "localBuild". */
  readonly buildType?: string;
  /** The binary package in use, e.g. "@node-llama-cpp/linux-x64-vulkan". */
  readonly binaryPackage?: string;
  /** The `@node-llama-cpp/*` binary packages installed beside node-llama-cpp. */
  readonly installedBinaries: readonly string[];
  /** Every GPU type node-llama-cpp knows for this OS and CPU, with why each is or is not used. */
  readonly gpuTypes: readonly GpuTypeReport[];
  readonly cpuFeatures?: string;
  readonly problem?: string;
}

export interface GpuTypeReport {
  readonly backend: Exclude<Backend, "cpu">;
  /** Its drivers and libraries were found on this machine. */
  readonly driverFound: boolean;
  /** Its binary package ships in this installation. */
  readonly binaryShipped: boolean;
  /** It is what the model runs on. */
  readonly used: boolean;
  /** The error when it was tried and failed to start. */
  readonly error?: string;
}

export async function describeHardware(acquired: AcquiredLlama): Promise<HardwareInfo> {
  const vram = acquired.backend === "cpu" ? undefined : await acquired.llama.getVramState().catch(() => undefined);
  return {
    backend: acquired.backend,
    gpuDevices: acquired.gpuDevices,
    vramTotalBytes: vram?.total ?? 0,
    vramFreeBytes: vram?.free ?? 0,
    ramTotalBytes: os.totalmem(),
    ramFreeBytes: os.freemem(),
    cpuCores: os.availableParallelism(),
  };
}

/** Versions, binaries and GPU support; never throws (a broken install is what the doctor is for). */
export async function describeRuntime(acquired: AcquiredLlama | undefined): Promise<RuntimeReport> {
  const installedBinaries = installedBinaryPackages();
  try {
    const { getModuleVersion, getLlamaGpuTypes } = await importNodeLlamaCpp();
    const [version, supported, allValid] = await Promise.all([
      getModuleVersion(),
      getLlamaGpuTypes("supported").catch(() => [] as const),
      getLlamaGpuTypes("allValid").catch(() => [] as const),
    ]);
    const build = acquired === undefined ? undefined : (acquired.idleGpuBuild ?? acquired.backend);
    const gpuTypes: GpuTypeReport[] = [];
    for (const type of allValid) {
      if (type === false) continue;
      const error = lastError(acquired?.attempts ?? [], type);
      gpuTypes.push({
        backend: type,
        driverFound: (supported as readonly unknown[]).includes(type),
        binaryShipped: installedBinaries.some((name) => name === binaryPackageName(type)),
        used: acquired?.backend === type,
        ...(error === undefined ? {} : { error }),
      });
    }
    const llama = acquired?.llama;
    return {
      nodeLlamaCppVersion: version,
      ...(llama === undefined ? {} : {
        llamaCppRelease: `${llama.llamaCppRelease.repo} ${llama.llamaCppRelease.release}`,
        buildType: llama.buildType,
        cpuFeatures: cpuFeaturesOf(llama.systemInfo),
      }),
      ...(build === undefined ? {} : { binaryPackage: `@node-llama-cpp/${binaryPackageName(build === "cpu" ? false : build)}` }),
      installedBinaries,
      gpuTypes,
    };
  } catch (error) {
    return { nodeLlamaCppVersion: "unavailable", installedBinaries, gpuTypes: [], problem: `node-llama-cpp could not be loaded: ${errorText(error)}` };
  }
}

/** The binary package for a backend on this OS and CPU, as node-llama-cpp names them (without the scope). */
export function binaryPackageName(gpu: Exclude<Backend, "cpu"> | false, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "darwin" ? "mac" : platform === "win32" ? "win" : platform;
  const cpu = arch === "arm" ? "armv7l" : arch;
  if (os === "mac") return cpu === "arm64" ? "mac-arm64-metal" : "mac-x64";
  return gpu === false || gpu === "metal" ? `${os}-${cpu}` : `${os}-${cpu}-${gpu}`;
}

/** Names of the `@node-llama-cpp/*` packages that Node would find from here (the VSIX ships only its target's). */
export function installedBinaryPackages(): string[] {
  const names = new Set<string>();
  const paths = createRequire(__filename).resolve.paths("node-llama-cpp") ?? [];
  for (const nodeModules of paths) {
    if (!existsSync(path.join(nodeModules, "node-llama-cpp", "package.json"))) continue;
    const scope = path.join(nodeModules, "@node-llama-cpp");
    try {
      for (const name of readdirSync(scope)) if (existsSync(path.join(scope, name, "package.json"))) names.add(name);
    } catch {
      // No binary packages at all: node-llama-cpp reports that when loading.
    }
    break;
  }
  return [...names].sort();
}

function lastError(attempts: readonly BackendAttempt[], gpu: BackendAttempt["gpu"]): string | undefined {
  return attempts.filter((attempt) => attempt.gpu === gpu && attempt.error !== undefined).at(-1)?.error;
}

/** "SSE3 AVX AVX2 …" from llama.cpp's "CPU : SSE3 = 1 | AVX = 1 | …" (features that are on). */
export function cpuFeaturesOf(systemInfo: string): string {
  return [...systemInfo.matchAll(/([A-Z0-9_]+) = 1/g)].map((match) => match[1]).join(" ");
}
