#!/usr/bin/env bash
# Builds the Spark Gateway vLLM simulator image WITHOUT any registry: a FROM scratch image holding
# this host's node binary and curl (each with every library ldd lists, and the dynamic loader), a
# /bin/sh (this host's), an empty /tmp, and the simulator at /opt/vllm-simulator with
# /usr/local/bin/vllm -> /opt/vllm-simulator/bin/vllm.
#
# It is tagged as the images the stack's compose files name, so they run the simulator unchanged:
#   nvcr.io/nvidia/vllm:26.10-py3      no ENTRYPOINT; the compose command is `vllm serve MODEL ...`
#   vllm/vllm-openai:v0.31.0           ENTRYPOINT ["vllm", "serve"]; the command is `MODEL ...`
#   spark-gateway/vllm-simulator:0.1.0 same as the nvcr tag
# THESE TAGS THEN POINT AT A TEST DOUBLE, NOT AT vLLM (the image's description label says so).
# Remove them (docker rmi) before pulling the real images on a GPU machine.
#
# Usage: stack/simulator/build-image.sh [--nvcr-tag TAG] [--openai-tag TAG] [--tag TAG] [--no-shell]
# Environment (same meaning, flags win): SIM_IMAGE_NVCR_TAG, SIM_IMAGE_OPENAI_TAG, SIM_IMAGE_TAG.
# Idempotent: running it again rebuilds (from Docker's cache) and re-tags.
# The healthcheck lives in the compose files, not in the image.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "${script_dir}/package.json" | head -n 1)"

nvcr_tag="${SIM_IMAGE_NVCR_TAG:-nvcr.io/nvidia/vllm:26.10-py3}"
openai_tag="${SIM_IMAGE_OPENAI_TAG:-vllm/vllm-openai:v0.31.0}"
sim_tag="${SIM_IMAGE_TAG:-spark-gateway/vllm-simulator:${version}}"
with_shell=1

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --nvcr-tag) nvcr_tag="${2:?--nvcr-tag needs a value}"; shift 2 ;;
    --openai-tag) openai_tag="${2:?--openai-tag needs a value}"; shift 2 ;;
    --tag) sim_tag="${2:?--tag needs a value}"; shift 2 ;;
    --no-shell) with_shell=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-image.sh: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker daemon is not reachable (docker info failed)"
node_bin="$(command -v node)" || die "node is not on PATH"
curl_bin="$(command -v curl)" || die "curl is not on PATH"
node_bin="$(readlink -f "${node_bin}")"
curl_bin="$(readlink -f "${curl_bin}")"

work="$(mktemp -d -t vllm-simulator-image.XXXXXX)"
trap 'rm -rf "${work}"' EXIT
context="${work}/context"
build_log="${work}/build.log"
rootfs="${context}/rootfs"
mkdir -p "${rootfs}/usr/bin" "${rootfs}/usr/local/bin" "${rootfs}/bin" "${rootfs}/opt" "${rootfs}/tmp" "${rootfs}/etc"
chmod 1777 "${rootfs}/tmp"

# Copies a file to the same absolute path inside the image, following symlinks.
copy_into_image() {
  local source="$1" target="$2"
  mkdir -p "${rootfs}$(dirname "${target}")"
  cp -L "${source}" "${rootfs}${target}"
}

# Copies every library ldd lists for a binary, and the dynamic loader, at the paths the binary
# asks for (the loader's path is compiled into the binary).
copy_libraries() {
  local binary="$1" line path
  while IFS= read -r line; do
    path=""
    if [[ "${line}" =~ =\>\ (/[^ ]+) ]]; then
      path="${BASH_REMATCH[1]}"
    elif [[ "${line}" =~ ^[[:space:]]*(/[^ ]+) ]]; then
      path="${BASH_REMATCH[1]}"
    fi
    if [[ -n "${path}" ]]; then
      copy_into_image "${path}" "${path}"
    fi
  done < <(ldd "${binary}")
}

# node at /usr/bin/node: bin/vllm's shebang names it (a scratch image has no /usr/bin/env).
copy_into_image "${node_bin}" /usr/bin/node
copy_libraries "${node_bin}"
copy_into_image "${curl_bin}" /usr/bin/curl
copy_libraries "${curl_bin}"
if [[ "${with_shell}" -eq 1 ]]; then
  # Real vLLM images have a shell; compose healthchecks written as CMD-SHELL need one.
  sh_bin="$(readlink -f /bin/sh)"
  copy_into_image "${sh_bin}" /bin/sh
  copy_libraries "${sh_bin}"
fi
# Minimal name-service files so `curl http://localhost:...` and user lookups behave.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "${rootfs}/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "${rootfs}/etc/group"
printf 'hosts: files dns\n' > "${rootfs}/etc/nsswitch.conf"

mkdir -p "${rootfs}/opt/vllm-simulator"
cp -R "${script_dir}/bin" "${script_dir}/lib" "${script_dir}/package.json" "${script_dir}/README.md" \
  "${rootfs}/opt/vllm-simulator/"
chmod 0755 "${rootfs}/opt/vllm-simulator/bin/vllm"
ln -s /opt/vllm-simulator/bin/vllm "${rootfs}/usr/local/bin/vllm"

description="Spark Gateway vLLM simulator (test double, no GPU)"
cat > "${context}/Dockerfile" <<EOF
FROM scratch AS nvcr
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \\
    HOME=/root
WORKDIR /tmp
LABEL org.opencontainers.image.title="vllm-simulator" \\
      org.opencontainers.image.version="${version}" \\
      org.opencontainers.image.description="${description}" \\
      org.opencontainers.image.vendor="Spark Gateway"
EXPOSE 8000

FROM nvcr AS openai
ENTRYPOINT ["vllm", "serve"]
EOF

# Debian's docker.io has no buildx plugin: use the classic builder then.
build_env=()
if ! docker buildx version >/dev/null 2>&1; then
  build_env=(env DOCKER_BUILDKIT=0)
fi

# Runs docker build quietly; its output (including the classic builder's deprecation notice) is
# shown only when the build fails.
build() {
  if ! "${build_env[@]}" docker build "$@" "${context}" >"${build_log}" 2>&1; then
    cat "${build_log}" >&2
    die "docker build $* failed"
  fi
}

echo "build-image.sh: building ${nvcr_tag} and ${sim_tag} (node: ${node_bin}, curl: ${curl_bin})"
build --target nvcr --tag "${nvcr_tag}" --tag "${sim_tag}"
echo "build-image.sh: building ${openai_tag} (ENTRYPOINT [\"vllm\", \"serve\"])"
build --target openai --tag "${openai_tag}"

# Smoke check: the binary runs inside the image.
reported="$(docker run --rm "${nvcr_tag}" vllm --version)"
echo "build-image.sh: done; 'vllm --version' in the image prints ${reported} (simulated)."
for tag in "${nvcr_tag}" "${openai_tag}" "${sim_tag}"; do
  echo "  ${tag}"
done
