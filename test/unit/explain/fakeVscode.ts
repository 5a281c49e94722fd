// Shared by the unit tests that load extension modules against a minimal fake of `vscode`.
// node --test runs each test file in its own process, so replacing the loader here affects one file only.
import Module, { createRequire } from "node:module";

export type Listener<T> = (event: T) => void;

export class FakeEventEmitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** Requires `modulePath` (relative to `fromFile`) with every `require("vscode")` answered by `fakeVscode`. */
export function requireWithFakeVscode<T>(fakeVscode: unknown, fromFile: string, modulePath: string): T {
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const originalLoad = loader._load.bind(loader);
  loader._load = (request, parent, isMain) => (request === "vscode" ? fakeVscode : originalLoad(request, parent, isMain));
  return createRequire(fromFile)(modulePath) as T;
}
