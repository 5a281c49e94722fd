import type { ProblemKind } from "../../shared/protocol";

/** A model that cannot be used, with a message that tells the user what to do about it. */
export class ModelLoadError extends Error {
  constructor(readonly kind: ProblemKind, message: string) {
    super(message);
    this.name = "ModelLoadError";
  }
}
