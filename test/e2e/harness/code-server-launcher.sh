#!/bin/sh
# Stands in for a desktop VS Code executable: @vscode/test-electron's runTests({ vscodeExecutablePath })
# spawns this with the usual test arguments and takes its exit code as the suite's result.
# The work is done by the compiled codeServerLauncher.js.
set -eu
repo_root="$(cd "$(dirname "$0")/../../.." && pwd)"
launcher="$repo_root/out/test/e2e/harness/codeServerLauncher.js"
if [ ! -f "$launcher" ]; then
  echo "code-server-launcher: $launcher missing; compile first (npx tsc -p .)" >&2
  exit 1
fi
exec node "$launcher" "$@"
