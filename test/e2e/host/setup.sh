#!/usr/bin/env bash
# Installs a real VS Code for end-to-end tests: code-server 4.100.3 (= VS Code 1.100.3, the newest
# release that runs on Node 20) plus playwright-core, driving Debian's chromium.
#
# Works offline apart from the npm registry and Debian apt, as root, on a fresh Debian 12 machine.
# Idempotent: a second run with nothing changed takes well under a second.
#
#   test/e2e/host/setup.sh            # install what is missing
#   test/e2e/host/setup.sh --force    # reinstall node_modules even if the marker matches
set -euo pipefail

HOST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MARKER="$HOST_DIR/node_modules/.pocket-coder-setup"
FORCE="${1:-}"

# ---- Debian packages -------------------------------------------------------------------------
# chromium: the browser Playwright drives (Playwright's own browser download is impossible here).
# libkrb5-dev, pkg-config, build-essential, python3: code-server's `kerberos` and other native
#   modules are compiled from source by node-gyp.
# ripgrep: stands in for @vscode/ripgrep's GitHub download (see below).
# mesa-vulkan-drivers, libvulkan1: a software Vulkan device for the GPU-offload test.
APT_PACKAGES=(chromium libkrb5-dev pkg-config build-essential python3 ripgrep mesa-vulkan-drivers libvulkan1)

missing_packages=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing_packages+=("$pkg")
  fi
done
if ((${#missing_packages[@]} > 0)); then
  echo "setup: installing Debian packages: ${missing_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
fi

# ---- npm packages ----------------------------------------------------------------------------
lock_hash() {
  # The marker covers the lockfile, this script and the Node major version (native modules are
  # built against it), so any of them changing triggers a clean reinstall.
  cat "$HOST_DIR/package-lock.json" "$HOST_DIR/setup.sh" | sha256sum | cut -d' ' -f1
  node -p 'process.versions.modules'
}
wanted_marker="$(lock_hash)"
if [[ "$FORCE" != "--force" && -f "$MARKER" && "$(cat "$MARKER")" == "$wanted_marker" ]]; then
  echo "setup: test/e2e/host is up to date"
  exit 0
fi

# A private TMPDIR holds the fake ripgrep download and npm's scratch files; removed afterwards.
SETUP_TMP="$(mktemp -d /tmp/pocket-coder-e2e-setup.XXXXXX)"
trap 'rm -rf "$SETUP_TMP"' EXIT
export TMPDIR="$SETUP_TMP"

# @vscode/ripgrep's postinstall downloads ripgrep from GitHub, which is unreachable. It first looks
# for a cached download at $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<VERSION>-<target>.tar.gz
# (lib/download.js) and untars it into its bin/. code-server 4.100.3 pins @vscode/ripgrep 1.15.11
# (lib/vscode/npm-shrinkwrap.json), whose postinstall.js has VERSION = 'v13.0.0-10'; Debian's rg is 13.0.0.
RIPGREP_PACKAGE_VERSION="1.15.11"
RIPGREP_RELEASE="v13.0.0-10"
case "$(uname -m)" in
  x86_64) RIPGREP_TARGET="x86_64-unknown-linux-musl" ;;
  aarch64) RIPGREP_TARGET="aarch64-unknown-linux-musl" ;;
  *) echo "setup: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
ripgrep_cache="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
mkdir -p "$ripgrep_cache"
tar -czf "$ripgrep_cache/ripgrep-$RIPGREP_RELEASE-$RIPGREP_TARGET.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# As root, code-server's postinstall refuses to run without unsafe-perm.
export npm_config_unsafe_perm=true
# node-pty's postinstall runs `npx`, which would otherwise stop at a "Need to install" prompt.
export npm_config_yes=true
# node-gyp downloads Node's headers from nodejs.org unless told where the installed ones are.
if [[ -z "${npm_config_nodedir:-}" ]]; then
  node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  if [[ -f "$node_prefix/include/node/node.h" ]]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi

echo "setup: npm ci in $HOST_DIR (about a minute)"
(cd "$HOST_DIR" && npm ci --no-audit --no-fund --loglevel=error)

# The install must have produced a working rg and the server entry point; fail loudly otherwise.
test -x "$HOST_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
test -f "$HOST_DIR/node_modules/code-server/lib/vscode/out/server-main.js"

echo "$wanted_marker" >"$MARKER"
echo "setup: done"
