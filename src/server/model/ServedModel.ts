import type { ModelStatus } from "../../shared/protocol";
import type { CompletionBudget, CompletionRequest } from "../completion/CompletionEngine";
import { CompletionService, type ServedOutcome } from "../completion/CompletionService";
import type { Engine } from "../engines/Engine";
import type { ExplainGenerator } from "../explain/explainGenerator";

/**
 * One opened model or engine and everything that belongs to it: its completion service (cache, prompt anchor,
 * in-flight generation), its explainer and its status. Created when the model is opened, disposed as a whole when it
 * changes; disposing aborts what runs on it, so a reload never waits for an old generation and no old answer arrives.
 */
export class ServedModel {
  private readonly completions: CompletionService;
  private disposal: Promise<void> | undefined;

  constructor(readonly engine: Engine) {
    this.completions = new CompletionService(engine);
  }

  get status(): ModelStatus {
    return this.engine.status;
  }

  get explainer(): ExplainGenerator {
    return this.engine.explainer;
  }

  get isDisposed(): boolean {
    return this.disposal !== undefined;
  }

  async complete(request: CompletionRequest, budget: CompletionBudget, signal: AbortSignal): Promise<ServedOutcome> {
    const outcome = await this.completions.complete(request, budget, signal);
    // An answer computed on a model that has been replaced meanwhile is not for the new one.
    return this.isDisposed && outcome.kind === "completion" ? { kind: "empty", reason: "model unloaded" } : outcome;
  }

  /** Aborts what runs on this model and frees it; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposal ??= (async () => {
      this.completions.dispose();
      await this.engine.dispose();
    })();
    return this.disposal;
  }
}
