/**
 * The command line speaks of its own options: the engine's messages name VS Code settings and buttons
 * (`pocketCoder.model.path`, "Select GGUF file…"), which a terminal user has not got.
 */
import type { ReportWording } from "../doctor/doctorReport";

export const COMMAND_LINE_WORDING: ReportWording = {
  setting: (name, value) => (value === undefined ? (name === "model" ? "--model FILE" : `--${name}`) : `--${name} ${value}`),
};

const REWRITES: readonly (readonly [RegExp, string])[] = [
  [/ with "Select GGUF file…" or set pocketCoder\.model\.path\./g, ": pass --model FILE."],
  [/Check pocketCoder\.model\.path or choose another file with "Select GGUF file…"\./g, "Check --model FILE."],
  [/Point pocketCoder\.model\.path at a \.gguf file\./g, "Pass a .gguf file to --model."],
  [/"Pocket Coder: Select Model…" \(pocketCoder\.model\.path\)/g, "--model FILE"],
  [/"Select GGUF file…"/g, "--model FILE"],
  [/pocketCoder\.model\.path/g, "--model FILE"],
  [/pocketCoder\.gpu/g, "--gpu"],
  [/pocketCoder\.threads/g, "--threads"],
  [/pocketCoder\.completion\.maxTokens/g, "--max-tokens"],
  [/http\.noProxy \(NO_PROXY\)/g, "NO_PROXY"],
  [/\bhttp\.proxy\b/g, "--engine-proxy"],
];

/** `message` with the editor's words replaced by the command line's. */
export function forCommandLine(message: string): string {
  return REWRITES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message);
}
