#!/usr/bin/env bash
# Installs the vLLM wheel of every vLLM version the stack's images ship (stack/vllm-images.yaml)
# from PyPI, each in its own venv at /opt/spark-gateway/vllm-<version>, so the tests can ask
# vLLM's own argument parser about the commands the model template generates (SPEC §9). No GPU
# is needed: the wheel imports once its platform is set to CPU. About 10 GB and 3-6 minutes per
# version; idempotent: a venv whose marker (or installed vLLM) has the version is left alone.
#
# Environment (optional):
#   SPARK_VLLM_VENV_BASE    where the venvs go (default /opt/spark-gateway)
#   SPARK_PROVISION_VERIFY=1  re-run the parser check even when nothing was installed
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_FILE="$REPO_ROOT/stack/vllm-images.yaml"
VENV_BASE="${SPARK_VLLM_VENV_BASE:-/opt/spark-gateway}"
SYSTEM_PYTHON="/usr/bin/python3"

log()  { printf '[provision-vllm] %s\n' "$*"; }
die()  { printf '[provision-vllm] ERROR: %s\n' "$*" >&2; exit 1; }

[ -r "$IMAGES_FILE" ] || die "$IMAGES_FILE is missing"
# `image:tag: 0.31.0` lines; comments and blank lines aside.
mapfile -t VERSIONS < <(sed -n 's/^[^#[:space:]][^[:space:]]*:[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$IMAGES_FILE" | sort -u)
[ "${#VERSIONS[@]}" -gt 0 ] || die "no vLLM version found in $IMAGES_FILE"

mkdir -p "$VENV_BASE"
# One run per base folder at a time (provision-test-env.sh and a developer shell could overlap).
exec 8>"$VENV_BASE/.provision-vllm.lock"
flock -w 3600 8 || die "another run holds $VENV_BASE/.provision-vllm.lock"

installed_version() {
  "$1/bin/python" -c 'import importlib.metadata as m; print(m.version("vllm"))' 2>/dev/null || true
}

# The import and the serve parser with the CPU platform, as the tests use them.
parser_probe() {
  local venv="$1"
  "$venv/bin/python" - <<'PY' >/dev/null
from vllm import platforms
if platforms.current_platform.is_unspecified():
    from vllm.platforms.cpu import CpuPlatform
    platforms.current_platform = CpuPlatform()
from vllm.utils.argparse_utils import FlexibleArgumentParser
from vllm.entrypoints.cli.serve import ServeSubcommand
parser = FlexibleArgumentParser(prog="vllm")
ServeSubcommand().subparser_init(parser.add_subparsers(dest="subparser"))
parser.parse_args(["serve", "provision/probe", "--max-model-len", "1024"])
PY
}

for version in "${VERSIONS[@]}"; do
  venv="$VENV_BASE/vllm-$version"
  marker="$venv/.spark-gateway-vllm-version"
  if [ "$(cat "$marker" 2>/dev/null || true)" = "$version" ] || [ "$(installed_version "$venv")" = "$version" ]; then
    # A venv installed by hand at this path counts once its vLLM is the right one.
    [ -f "$marker" ] || printf '%s\n' "$version" > "$marker"
    log "$venv already has vllm $version"
    if [ "${SPARK_PROVISION_VERIFY:-0}" = 1 ]; then
      parser_probe "$venv" || die "vllm $version in $venv does not import with the CPU platform"
    fi
    continue
  fi
  t0=$SECONDS
  if [ -e "$venv" ]; then
    # Another version or a half-finished install at this version's path: start clean.
    log "recreating $venv (had vllm '$(installed_version "$venv")')"
    rm -rf "$venv"
  fi
  "$SYSTEM_PYTHON" -m venv "$venv"
  log "pip install vllm==$version into $venv (about 10 GB, several minutes)"
  log_file="$(mktemp /tmp/provision-vllm.XXXXXX.log)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "vllm==$version" > "$log_file" 2>&1 \
    || { tail -20 "$log_file" >&2; die "pip could not install vllm==$version (log: $log_file)"; }
  [ "$(installed_version "$venv")" = "$version" ] || die "the venv has vllm '$(installed_version "$venv")', not $version"
  parser_probe "$venv" || die "vllm $version installed but does not import with the CPU platform"
  printf '%s\n' "$version" > "$marker"
  rm -f "$log_file"
  log "installed vllm $version in $((SECONDS - t0)) s"
done
