// Type-aware linting: an unawaited promise in an LSP handler loses its error, so floating promises are errors.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test/e2e/host/**", "media/vendor/**", "**/*.mjs", "**/*.js"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": ["error", {
        // node:test's describe/test return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "test", "it", "suite", "before", "after", "beforeEach", "afterEach"] }],
      }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The shared protocol module is used by every side: it must stay free of editor and model imports.
    files: ["src/shared/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: ["vscode", "node-llama-cpp", "vscode-languageclient", "vscode-languageserver"] }] },
  },
  {
    // Only src/server/runtime may touch node-llama-cpp; domain logic stays pure and unit-testable.
    files: ["src/**/*.ts"],
    ignores: ["src/server/runtime/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "node-llama-cpp", message: "Only src/server/runtime may import node-llama-cpp." }] }] },
  },
  {
    files: ["src/server/completion/**/*.ts", "src/server/runtime/**/*.ts", "src/server/model/**/*.ts", "src/shared/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "The server never imports vscode." }] }] },
  },
);
