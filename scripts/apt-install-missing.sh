#!/usr/bin/env bash
# Installs the Debian packages given as arguments that are not installed yet. dpkg-query first, so
# a second provisioning run does not touch apt at all (apt-get update only when something is missing).
#
#   scripts/apt-install-missing.sh PACKAGE...
set -euo pipefail

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "[apt] all present: $*"
  exit 0
fi
echo "[apt] apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
apt-get update -qq > "$log" 2>&1 || { tail -40 "$log" >&2; echo "[apt] apt-get update failed" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >> "$log" 2>&1 \
  || { tail -40 "$log" >&2; echo "[apt] apt-get install failed" >&2; exit 1; }
