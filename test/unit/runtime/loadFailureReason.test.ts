import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { pickLoadFailureReason } from "../../../src/server/runtime/openModel";

describe("pickLoadFailureReason", () => {
  test("takes the first specific line, without function-name prefixes", () => {
    assert.equal(pickLoadFailureReason([
      "llama_model_load: error loading model: unknown model architecture: 'llamz'",
      "llama_model_load_from_file_impl: failed to load model",
    ]), "unknown model architecture: 'llamz'");
    assert.equal(pickLoadFailureReason([
      "gguf_init_from_reader: tensor 'output.weight' has offset 804608, expected 803712",
      "gguf_init_from_reader: failed to read tensor data",
      "llama_model_load: error loading model: llama_model_loader: failed to load model from /m.gguf",
      "llama_model_load_from_file_impl: failed to load model",
    ]), "tensor 'output.weight' has offset 804608, expected 803712");
    assert.equal(pickLoadFailureReason([
      "llama_model_load: error loading model: check_tensor_dims: tensor 'token_embd.weight' has wrong shape; expected 896, got 448",
    ]), "check_tensor_dims: tensor 'token_embd.weight' has wrong shape; expected 896, got 448");
  });

  test("nothing specific: undefined, so that the caller keeps node-llama-cpp's error", () => {
    assert.equal(pickLoadFailureReason(["llama_model_load_from_file_impl: failed to load model"]), undefined);
    assert.equal(pickLoadFailureReason([]), undefined);
  });
});
