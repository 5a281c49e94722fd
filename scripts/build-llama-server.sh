#!/usr/bin/env bash
# Builds a real llama-server for the engine tests from the llama.cpp source that node-llama-cpp
# ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), so the server tested is the same
# llama.cpp that Pocket Coder runs in-process.
#
# The binary is cached outside the repository, keyed by the bundle's hash:
#   ${POCKET_CODER_CACHE:-$HOME/.cache/pocket-coder}/llama-server/<sha256 of bundle, 16 chars>/llama-server
# A rerun with the cache present only hashes the bundle (well under a second).
#
# Works as root on a fresh Debian 12 machine (installs cmake, a compiler, libssl-dev and git with apt
# when missing); elsewhere it needs those already installed.
#
#   scripts/build-llama-server.sh           # build when missing, print the binary's path
#   scripts/build-llama-server.sh --print   # print the binary's path if built, else exit 1
#   scripts/build-llama-server.sh --force   # rebuild even when cached
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$REPO_DIR/node_modules/node-llama-cpp/llama/gitRelease.bundle"
MODE="${1:-}"

if [[ ! -f "$BUNDLE" ]]; then
  echo "llama-server: $BUNDLE is missing; run npm ci first" >&2
  exit 1
fi

BUNDLE_HASH="$(sha256sum "$BUNDLE" | cut -c1-16)"
CACHE_DIR="${POCKET_CODER_CACHE:-$HOME/.cache/pocket-coder}/llama-server/$BUNDLE_HASH"
BINARY="$CACHE_DIR/llama-server"

if [[ "$MODE" != "--force" && -x "$BINARY" ]]; then
  echo "$BINARY"
  exit 0
fi
if [[ "$MODE" == "--print" ]]; then
  echo "llama-server: not built yet (expected at $BINARY); run npm run llama-server:build" >&2
  exit 1
fi

# ---- Debian packages -------------------------------------------------------------------------
# libssl-dev: llama-server's HTTPS support (--ssl-cert-file/--ssl-key-file), so TLS is tested natively.
APT_PACKAGES=(cmake build-essential libssl-dev git)
missing_packages=()
if command -v dpkg-query >/dev/null; then
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing_packages+=("$pkg")
    fi
  done
fi
if ((${#missing_packages[@]} > 0)); then
  if [[ "$(id -u)" != "0" ]]; then
    echo "llama-server: missing Debian packages: ${missing_packages[*]} (install them, or run as root)" >&2
    exit 1
  fi
  echo "llama-server: installing Debian packages: ${missing_packages[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >&2
fi

# ---- build -----------------------------------------------------------------------------------
BUILD_TMP="$(mktemp -d "${TMPDIR:-/tmp}/pocket-coder-llama-server.XXXXXX")"
trap 'rm -rf "$BUILD_TMP"' EXIT
JOBS="${LLAMA_SERVER_BUILD_JOBS:-2}"
started=$SECONDS

echo "llama-server: building from $BUNDLE (bundle $BUNDLE_HASH, -j$JOBS); this takes minutes" >&2
git clone --quiet "$BUNDLE" "$BUILD_TMP/llama.cpp" 2>/dev/null
# GGML_NATIVE=OFF: a generic x86-64 build; some VMs advertise AMX but fault on it.
# BUILD_SHARED_LIBS=OFF: llama and ggml linked statically, so the one binary is self-contained.
# LLAMA_OPENSSL=ON: HTTPS through the system's OpenSSL. LLAMA_USE_PREBUILT_UI=OFF: the build would
# otherwise try to download the web UI from Hugging Face; we serve with --no-webui anyway.
cmake -S "$BUILD_TMP/llama.cpp" -B "$BUILD_TMP/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF \
  -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_OPENSSL=ON \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=ON >"$BUILD_TMP/configure.log" 2>&1 \
  || { tail -n 40 "$BUILD_TMP/configure.log" >&2; echo "llama-server: cmake configure failed" >&2; exit 1; }
if ! grep -q "OpenSSL found" "$BUILD_TMP/configure.log"; then
  echo "llama-server: cmake did not find a usable OpenSSL; install libssl-dev" >&2
  exit 1
fi
cmake --build "$BUILD_TMP/build" --config Release --target llama-server -j "$JOBS" >"$BUILD_TMP/build.log" 2>&1 \
  || { tail -n 40 "$BUILD_TMP/build.log" >&2; echo "llama-server: build failed" >&2; exit 1; }

mkdir -p "$CACHE_DIR"
# Copy then rename, so a concurrent reader never sees a half-written binary.
cp "$BUILD_TMP/build/bin/llama-server" "$BINARY.tmp.$$"
mv -f "$BINARY.tmp.$$" "$BINARY"
echo "llama-server: built in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s" >&2
echo "$BINARY"
