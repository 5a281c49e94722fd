import * as vscode from "vscode";

export const REPORT_SCHEME = "pocket-coder";
/** Contributed in package.json with word wrap on, so long lines wrap instead of running off the right edge. */
const REPORT_LANGUAGE = "pocket-coder-report";

/**
 * Read-only text views (Doctor, Statistics): virtual documents that VS Code never asks to save, and that
 * update in place when shown again.
 */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? "";
  }

  /** Shows `text` as the read-only document `title` (e.g. "Doctor"). */
  async show(title: string, text: string): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/Pocket Coder ${title}` });
    this.contents.set(uri.path, text);
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    // An open view reloads asynchronously after the change event: show it once it has the new text.
    const updated = open === undefined || open.getText() === text ? Promise.resolve() : this.nextChangeOf(uri);
    this.changed.fire(uri);
    await updated;
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== REPORT_LANGUAGE) document = await vscode.languages.setTextDocumentLanguage(document, REPORT_LANGUAGE);
    return vscode.window.showTextDocument(document, { preview: false });
  }

  private nextChangeOf(uri: vscode.Uri): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      };
      const timer = setTimeout(done, 2_000);
      const subscription = vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === uri.toString()) done();
      });
    });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
