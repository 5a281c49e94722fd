import * as vscode from "vscode";
import { SuggestionTracker } from "./SuggestionTracker";
import { emptyStatistics, parseStatistics, recordOutcome, recordShown, type StatisticsData } from "./suggestionStatistics";

/** Runs when VS Code accepts one of our suggestions whole: the LSP item's `command`, set by the middleware. */
export const SUGGESTION_ACCEPTED_COMMAND = "pocketCoder.suggestionAccepted";

const STORAGE_KEY = "pocketCoder.statistics";
const SAVE_DELAY_MS = 2_000;

/**
 * Counts what happens to suggestions, in this window, into the user's global state (this machine only;
 * nothing is sent anywhere). Writes are batched: a burst of typing is one write.
 */
export class StatisticsRecorder implements vscode.Disposable {
  /** Counted here and not yet written; applied to what is stored at each write, so windows add up instead of overwriting each other. */
  private pending: ((data: StatisticsData) => StatisticsData)[] = [];
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly tracker = new SuggestionTracker({
    shown: (languageId, latencyMs) => this.change((data) => recordShown(data, languageId, latencyMs)),
    ended: (languageId, outcome) => this.change((data) => recordOutcome(data, languageId, outcome)),
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly memento: vscode.Memento) {
    this.subscriptions = [
      vscode.commands.registerCommand(SUGGESTION_ACCEPTED_COMMAND, (id: unknown) => {
        if (typeof id === "number") this.tracker.accepted(id);
      }),
      vscode.workspace.onDidChangeTextDocument((event) => this.tracker.edited(
        event.document.uri.toString(),
        event.contentChanges.map((change) => ({ offset: change.rangeOffset, removedLength: change.rangeLength, text: change.text })),
      )),
    ];
  }

  /**
   * Called by the middleware with what the server answered: remembers the first item (the one VS Code
   * shows) and gives every item the command that reports a whole accept.
   */
  offered(
    document: vscode.TextDocument,
    position: vscode.Position,
    result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined,
    latencyMs: number,
  ): void {
    const items = result === null || result === undefined ? [] : Array.isArray(result) ? result : result.items;
    const first = items[0];
    if (first === undefined || typeof first.insertText !== "string") return;
    const start = first.range?.start ?? position;
    const id = this.tracker.offered({
      uri: document.uri.toString(), languageId: document.languageId,
      offset: document.offsetAt(start), text: first.insertText, latencyMs,
    });
    for (const item of items) {
      item.command ??= { command: SUGGESTION_ACCEPTED_COMMAND, title: "", arguments: [id] };
    }
  }

  /** What is stored plus what this window counted since. */
  get statistics(): StatisticsData {
    return this.pending.reduce((data, apply) => apply(data), this.stored());
  }

  async reset(): Promise<void> {
    this.pending = [];
    await this.memento.update(STORAGE_KEY, emptyStatistics(Date.now()));
  }

  private stored(): StatisticsData {
    return parseStatistics(this.memento.get(STORAGE_KEY), Date.now());
  }

  private change(apply: (data: StatisticsData) => StatisticsData): void {
    this.pending.push(apply);
    this.saveTimer ??= setTimeout(() => void this.save(), SAVE_DELAY_MS);
  }

  private async save(): Promise<void> {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.pending.length === 0) return;
    const data = this.statistics;
    this.pending = [];
    await this.memento.update(STORAGE_KEY, data);
  }

  /** Also counts the suggestion still on screen, so a closing window loses nothing. */
  async flush(): Promise<void> {
    this.tracker.end();
    await this.save();
  }

  dispose(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
