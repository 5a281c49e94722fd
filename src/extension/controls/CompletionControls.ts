import * as vscode from "vscode";
import { SETTINGS_SECTION } from "../../shared/settings";
import { completionAllowed, toggleTarget, type CompletionControlState, type SettingTarget } from "./controlState";

const SNOOZE_KEY = "pocketCoder.snoozedUntil";
const ENABLED_KEY = "completion.enabled";

const TARGETS: Record<SettingTarget, vscode.ConfigurationTarget> = {
  global: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
};

/**
 * On/off (everywhere and per language, as settings) and snooze (this window, kept across a reload).
 * Fires `onDidChange` whenever what the status bar should say changes, including when a snooze ends.
 */
export class CompletionControls implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private snoozeTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly memento: vscode.Memento) {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.${ENABLED_KEY}`)) this.changed.fire();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.changed.fire()),
    ];
    this.armSnoozeTimer();
  }

  /** What applies to the active editor now. */
  state(): CompletionControlState {
    const languageId = vscode.window.activeTextEditor?.document.languageId;
    const enabled = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(ENABLED_KEY, true);
    const snoozedUntil = this.snoozedUntil();
    return {
      enabled,
      languageEnabled: languageId === undefined ? enabled : this.enabledFor({ languageId }),
      ...(languageId === undefined ? {} : { languageId }),
      ...(snoozedUntil === undefined ? {} : { snoozedUntil }),
    };
  }

  /** Whether a completion may be asked for in `document` now. */
  allows(document: vscode.TextDocument): boolean {
    return completionAllowed(this.enabledFor(document), this.snoozedUntil(), Date.now());
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    await configuration.update(ENABLED_KEY, enabled, TARGETS[toggleTarget(configuration.inspect(ENABLED_KEY), false)]);
  }

  /** `"[markdown]": { "pocketCoder.completion.enabled": false }`, in the layer that decides it. */
  async setEnabledForLanguage(languageId: string, enabled: boolean): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION, { languageId });
    const target = toggleTarget(configuration.inspect(ENABLED_KEY), true);
    const global = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(ENABLED_KEY, true);
    // Back to the general value: remove the override instead of repeating the general value.
    await configuration.update(ENABLED_KEY, enabled === global && target === "global" ? undefined : enabled, TARGETS[target], true);
  }

  async snooze(minutes: number): Promise<void> {
    await this.memento.update(SNOOZE_KEY, Date.now() + minutes * 60_000);
    this.armSnoozeTimer();
    this.changed.fire();
  }

  async cancelSnooze(): Promise<void> {
    await this.memento.update(SNOOZE_KEY, undefined);
    this.armSnoozeTimer();
    this.changed.fire();
  }

  private enabledFor(document: { languageId: string }): boolean {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION, document).get<boolean>(ENABLED_KEY, true);
  }

  private snoozedUntil(): number | undefined {
    const until = this.memento.get<number>(SNOOZE_KEY);
    return typeof until === "number" && until > Date.now() ? until : undefined;
  }

  private armSnoozeTimer(): void {
    if (this.snoozeTimer !== undefined) clearTimeout(this.snoozeTimer);
    this.snoozeTimer = undefined;
    const until = this.snoozedUntil();
    if (until === undefined) return;
    // Past 24.8 days setTimeout fires at once; a snooze is at most an hour.
    this.snoozeTimer = setTimeout(() => {
      this.snoozeTimer = undefined;
      this.changed.fire();
    }, Math.min(until - Date.now() + 50, 2 ** 31 - 1));
  }

  dispose(): void {
    if (this.snoozeTimer !== undefined) clearTimeout(this.snoozeTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
