import type { AcquiredLlama } from "../runtime/acquireLlama";
import type { ChatExplainer } from "../runtime/ChatExplainer";
import { errorText, inspectModelFile } from "../runtime/inspectModelFile";
import { openExplainModel } from "../runtime/openExplainModel";
import type { Logger } from "../logger";

/**
 * The separate explain model (`pocketCoder.explain.model.path`), when one is set: loaded once, reloaded only
 * when the path (or the llama.cpp runtime under it) changes. A model that cannot be loaded is not an error of
 * the server (completion goes on): the reason is kept and given to whoever asks for an explanation.
 * ModelService calls it from its queue of loads, so calls never overlap.
 */
export class ExplainModelSlot {
  private loaded: { path: string; runtime: AcquiredLlama["llama"]; explainer: ChatExplainer } | undefined;
  private failure: { path: string; message: string } | undefined;

  constructor(private readonly log: Logger) {}

  /** The explainer for `path`, or why there is none. */
  lookup(path: string): { explainer: ChatExplainer } | { problem: string } {
    if (this.loaded?.path === path) return { explainer: this.loaded.explainer };
    if (this.failure?.path === path) return { problem: this.failure.message };
    return { problem: `The explain model ${path} is not loaded yet.` };
  }

  /** Loads the model at `path` unless it is loaded already; "" unloads. Never throws. */
  async apply(path: string, threads: number, acquire: () => Promise<AcquiredLlama>): Promise<void> {
    if (path === "") {
      this.failure = undefined;
      await this.unload();
      return;
    }
    try {
      const acquired = await acquire();
      if (this.loaded?.path === path && this.loaded.runtime === acquired.llama) return;
      await this.unload();
      this.failure = undefined;
      const inspected = await inspectModelFile(path);
      const explainer = await openExplainModel(acquired, inspected, { threads, log: (message) => this.log.info(message) });
      this.loaded = { path, runtime: acquired.llama, explainer };
      this.log.info(
        `Loaded the explain model ${inspected.name} (${explainer.promptStyle === "chat" ? `chat template: ${explainer.chatWrapperName}` : "no chat template: plain prompt"}, ` +
          `context ${explainer.contextSize}).`,
      );
    } catch (error) {
      const message = `The explain model (pocketCoder.explain.model.path) could not be loaded: ${errorText(error)} ` +
        "Choose another GGUF file, or clear the setting to explain with the completion model.";
      this.failure = { path, message };
      this.log.error(message);
    }
  }

  /** Ends a running explanation on the explain model (its caller gets an error) and frees the model. */
  async unload(): Promise<void> {
    const previous = this.loaded;
    this.loaded = undefined;
    await previous?.explainer.dispose();
  }
}
