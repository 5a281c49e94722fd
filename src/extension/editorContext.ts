import * as vscode from "vscode";
import type { ClientCapabilities, FeatureState, LanguageClient, StaticFeature } from "vscode-languageclient/node";
import {
  CONTEXT_CLIENT_CAPABILITY, DefinitionsRequest, VisibleRangesNotification, type ContextClientCapabilities, type DefinitionTarget,
  type DefinitionsParams, type DefinitionsResult, type ProtocolRange,
} from "../shared/protocol";

/** Scrolling sends the visible lines once it has stopped this long. */
const VIEW_SETTLE_MS = 500;

/**
 * What the editor knows that helps a completion: definitions from VS Code's language services (whatever extension
 * provides them) and the lines the user looks at. Announced to the server as a client capability, so a server talking
 * to another editor does without.
 */
export class EditorContextFeature implements StaticFeature {
  private readonly disposables: vscode.Disposable[] = [];
  private viewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly client: LanguageClient) {}

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    const announced: ContextClientCapabilities = { definitions: true, visibleRanges: true };
    capabilities.experimental = { ...(capabilities.experimental ?? {}), [CONTEXT_CLIENT_CAPABILITY]: announced };
  }

  initialize(): void {
    this.disposables.push(
      this.client.onRequest(DefinitionsRequest, (params) => findDefinitions(params)),
      vscode.window.onDidChangeTextEditorVisibleRanges((event) => this.viewed(event.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor !== undefined) this.viewed(editor);
      }),
    );
  }

  getState(): FeatureState {
    return { kind: "static" };
  }

  clear(): void {
    clearTimeout(this.viewTimer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private viewed(editor: vscode.TextEditor): void {
    clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => {
      const document = editor.document;
      if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled") return;
      const ranges: ProtocolRange[] = editor.visibleRanges.map((range) => toRange(range));
      if (ranges.length > 0 && this.client.isRunning()) {
        void this.client.sendNotification(VisibleRangesNotification, { textDocument: { uri: document.uri.toString() }, ranges });
      }
    }, VIEW_SETTLE_MS);
  }
}

/** Asks VS Code's definition and type-definition providers about each position (the answer to pocketCoder/definitions). */
export async function findDefinitions(params: DefinitionsParams): Promise<DefinitionsResult> {
  const uri = vscode.Uri.parse(params.textDocument.uri);
  const lookups = params.positions.map(async (position, from): Promise<DefinitionTarget[]> => {
    const at = new vscode.Position(position.line, position.character);
    const [definitions, typeDefinitions] = await Promise.all([
      vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink> | undefined>("vscode.executeDefinitionProvider", uri, at),
      vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink> | undefined>("vscode.executeTypeDefinitionProvider", uri, at),
    ]);
    return [
      ...(definitions ?? []).map((location) => toTarget(from, "definition", location)),
      ...(typeDefinitions ?? []).map((location) => toTarget(from, "typeDefinition", location)),
    ];
  });
  const settled = await Promise.allSettled(lookups);
  return { definitions: settled.flatMap((result) => (result.status === "fulfilled" ? result.value : [])) };
}

function toTarget(from: number, kind: DefinitionTarget["kind"], location: vscode.Location | vscode.LocationLink): DefinitionTarget {
  if ("targetUri" in location) {
    return {
      from, kind, uri: location.targetUri.toString(), range: toRange(location.targetRange),
      ...(location.targetSelectionRange === undefined ? {} : { selectionRange: toRange(location.targetSelectionRange) }),
    };
  }
  return { from, kind, uri: location.uri.toString(), range: toRange(location.range) };
}

function toRange(range: vscode.Range): ProtocolRange {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}
