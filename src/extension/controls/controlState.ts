/**
 * The user's quick controls over inline completion — on/off, per language, snooze — as plain data, and the
 * menu built from them. Pure (no `vscode`), so what the status bar and the menu say is unit-tested directly.
 */

export interface CompletionControlState {
  /** `pocketCoder.completion.enabled` without a language override. */
  readonly enabled: boolean;
  /** The language of the active editor, when there is one. */
  readonly languageId?: string;
  /** `pocketCoder.completion.enabled` as it applies to `languageId` (its override, else `enabled`). */
  readonly languageEnabled: boolean;
  /** Epoch ms until which completions are snoozed in this window; absent or past = not snoozed. */
  readonly snoozedUntil?: number;
}

/** Why completions do not show right now, if they do not. */
export type CompletionBlock =
  | { readonly kind: "off" }
  | { readonly kind: "offForLanguage"; readonly languageId: string }
  | { readonly kind: "snoozed"; readonly until: number };

export const SNOOZE_MINUTES = [5, 15, 60] as const;

export function isSnoozed(state: Pick<CompletionControlState, "snoozedUntil">, now: number): boolean {
  return state.snoozedUntil !== undefined && state.snoozedUntil > now;
}

/** Whether a completion may be asked for in a document of `languageId` (`languageEnabled` applies to it). */
export function completionAllowed(languageEnabled: boolean, snoozedUntil: number | undefined, now: number): boolean {
  return languageEnabled && !isSnoozed({ snoozedUntil }, now);
}

/** The first reason, in the order a user undoes them: off everywhere, off here, snoozed. */
export function completionBlock(state: CompletionControlState, now: number): CompletionBlock | undefined {
  if (!state.enabled && !state.languageEnabled) return { kind: "off" };
  if (!state.languageEnabled && state.languageId !== undefined) return { kind: "offForLanguage", languageId: state.languageId };
  if (isSnoozed(state, now)) return { kind: "snoozed", until: state.snoozedUntil ?? now };
  return undefined;
}

/** "off", "off for markdown", "snoozed until 14:20". */
export function describeBlock(block: CompletionBlock, formatTime: (epochMs: number) => string): string {
  switch (block.kind) {
    case "off":
      return "off";
    case "offForLanguage":
      return `off for ${block.languageId}`;
    case "snoozed":
      return `snoozed until ${formatTime(block.until)}`;
  }
}

/** A 24-hour "14:20" in the machine's time zone. */
export function formatClockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** The palette commands behind the menu; each menu entry runs one of them. */
export const CONTROL_COMMANDS = {
  showMenu: "pocketCoder.showMenu",
  turnOn: "pocketCoder.turnOnCompletions",
  turnOff: "pocketCoder.turnOffCompletions",
  turnOnForLanguage: "pocketCoder.turnOnCompletionsForLanguage",
  turnOffForLanguage: "pocketCoder.turnOffCompletionsForLanguage",
  snooze: "pocketCoder.snoozeCompletions",
  cancelSnooze: "pocketCoder.cancelSnooze",
  setUp: "pocketCoder.setUp",
  showStatistics: "pocketCoder.showStatistics",
  selectModel: "pocketCoder.selectModel",
  doctor: "pocketCoder.doctor",
  showLogs: "pocketCoder.showLogs",
  restartServer: "pocketCoder.restartServer",
} as const;

/** VS Code's own snooze of every inline suggestion provider (VS Code 1.102 and later); the argument is minutes. */
export const VSCODE_SNOOZE_COMMAND = "editor.action.inlineSuggest.snooze";

export interface MenuEntry {
  readonly label: string;
  readonly description?: string;
  /** A separator line above the entries that follow; no command. */
  readonly separator?: boolean;
  readonly command?: string;
  readonly args?: readonly unknown[];
}

export interface MenuContext {
  readonly controls: CompletionControlState;
  readonly now: number;
  /** The server has no model yet: the first entry invites to set one up. */
  readonly needsSetup: boolean;
  /** The running VS Code has its own inline-suggestion snooze (1.102+). */
  readonly vscodeSnoozeAvailable: boolean;
  readonly formatTime: (epochMs: number) => string;
}

/** The status bar menu, top to bottom. */
export function buildMenu(context: MenuContext): MenuEntry[] {
  const { controls, now } = context;
  const entries: MenuEntry[] = [];
  const commands = CONTROL_COMMANDS;
  if (context.needsSetup) {
    entries.push({ label: "$(rocket) Set up Pocket Coder…", description: "choose a model, try it out", command: commands.setUp });
  }
  entries.push(controls.enabled
    ? { label: "$(circle-slash) Turn off inline completions", description: "everywhere", command: commands.turnOff }
    : { label: "$(check) Turn on inline completions", description: "everywhere", command: commands.turnOn });
  const language = controls.languageId;
  if (language !== undefined && (controls.enabled || controls.languageEnabled)) {
    entries.push(controls.languageEnabled
      ? { label: `$(circle-slash) Turn off for ${language}`, command: commands.turnOffForLanguage, args: [language] }
      : { label: `$(check) Turn on for ${language}`, command: commands.turnOnForLanguage, args: [language] });
  }
  if (isSnoozed(controls, now)) {
    entries.push({ label: "$(bell) Cancel snooze", description: `snoozed until ${context.formatTime(controls.snoozedUntil ?? now)}`, command: commands.cancelSnooze });
  } else {
    for (const minutes of SNOOZE_MINUTES) {
      entries.push({ label: `$(bell-slash) Snooze for ${minutes} minutes`, description: "Pocket Coder only", command: commands.snooze, args: [minutes] });
    }
  }
  if (context.vscodeSnoozeAvailable) {
    entries.push({ label: "$(bell-slash) Snooze all inline suggestions…", description: "VS Code's own snooze, every provider", command: VSCODE_SNOOZE_COMMAND });
  }
  entries.push(
    { label: "", separator: true },
    { label: "$(file-binary) Select model…", command: commands.selectModel },
    { label: "$(pulse) Doctor", description: "what runs where, and how fast", command: commands.doctor },
    { label: "$(graph) Show statistics", description: "kept on this machine", command: commands.showStatistics },
    { label: "$(output) Show logs", command: commands.showLogs },
    { label: "$(debug-restart) Restart server", command: commands.restartServer },
  );
  if (!context.needsSetup) entries.push({ label: "$(rocket) Getting started", command: commands.setUp });
  return entries;
}

/** Which settings layer a toggle writes: the most specific one that already sets the value, else the user's. */
export type SettingTarget = "global" | "workspace" | "workspaceFolder";

export interface SettingInspection {
  readonly workspaceFolderValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceFolderLanguageValue?: unknown;
  readonly workspaceLanguageValue?: unknown;
  readonly globalLanguageValue?: unknown;
}

/**
 * A toggle must take effect: writing the user layer while the workspace says otherwise would change
 * nothing, so it writes where the value that wins is set.
 */
export function toggleTarget(inspection: SettingInspection | undefined, forLanguage: boolean): SettingTarget {
  if (inspection === undefined) return "global";
  if (forLanguage) {
    if (inspection.workspaceFolderLanguageValue !== undefined) return "workspaceFolder";
    if (inspection.workspaceLanguageValue !== undefined) return "workspace";
    return "global";
  }
  if (inspection.workspaceFolderValue !== undefined) return "workspaceFolder";
  if (inspection.workspaceValue !== undefined) return "workspace";
  return "global";
}
