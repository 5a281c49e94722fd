#!/bin/sh
# Stands in for a desktop VS Code executable: @vscode/test-electron's runTests({ vscodeExecutablePath })
# spawns this with the usual test arguments and takes its exit code as the suite's result.
# The work is done by the compiled codeServerLauncher.js (run `tsc -p .` first).
set -eu
repo_root="$(cd "$(dirname "$0")/../../.." && pwd)"
exec node "$repo_root/out/test/e2e/harness/codeServerLauncher.js" "$@"
